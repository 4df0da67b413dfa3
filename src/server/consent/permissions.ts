/**
 * The Microsoft Graph application permissions Convene asks for, each with the reason an IT admin
 * reads on the consent and status pages. Least privilege: nothing else without a written reason
 * here (a test pins this list).
 *
 * @see https://learn.microsoft.com/graph/permissions-reference
 */
export interface RequiredPermission {
  /** Graph application permission (app role) value, as in the token's `roles` claim. */
  name: string;
  /** Why Convene needs it, in one line. */
  reason: string;
}

export const REQUIRED_APP_PERMISSIONS: readonly RequiredPermission[] = Object.freeze([
  {
    name: 'Calendars.ReadWrite',
    reason: "Read the panel's free/busy (getSchedule) and create and cancel the interview in the organizer's own calendar.",
  },
  {
    name: 'MailboxSettings.Read',
    reason: "Read each attendee's time zone and working hours, so slots fall inside everyone's working day.",
  },
  {
    name: 'User.ReadBasic.All',
    reason: 'Find people of the organization by name for the panel picker, and confirm the signed-in user still exists.',
  },
]);

/** The permissions of `REQUIRED_APP_PERMISSIONS` missing from `grantedRoles`. */
export function missingPermissions(grantedRoles: readonly string[]): string[] {
  return REQUIRED_APP_PERMISSIONS.map((p) => p.name).filter((name) => !grantedRoles.includes(name));
}
