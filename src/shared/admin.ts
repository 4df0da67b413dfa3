/**
 * The admin API contract (DESIGN.md "Admin"; issue 3): zod schemas and types of every admin
 * route's request and response, and the plain-words explanation of each consent result the
 * consent callback can redirect to (`/admin?result=<code>`). Imported by the server and by the
 * admin page, so their shapes cannot drift apart. Browser-safe: no Node imports.
 *
 * Routes:
 * - `GET /admin/consent/start?tenant=<tenant id or verified domain>` -> 302 to Entra ID's admin consent page
 *   (unauthenticated: connects a tenant Convene has no record of, or one whose consent was revoked)
 * - `POST /api/admin/consent/start` {@link ConsentStartRequest} -> {@link ConsentStartResponse} (signed-in
 *   `Convene.Admin` of the tenant; the only start that connects a tenant disconnected in Convene again)
 * - `GET /admin/consent/callback` -> 302 to `/admin?tenant=<tid>&result=connected` or `/admin?result=<code>`
 * - `GET /api/admin/tenants/{tid}` -> {@link TenantStatus}
 * - `POST /api/admin/tenants/{tid}/mailbox-check` {@link MailboxCheckRequest} -> {@link MailboxCheckResponse}
 * - `DELETE /api/admin/tenants/{tid}` -> {@link DisconnectResponse}
 * - `DELETE /api/me/data` -> {@link DeleteMyDataResponse}
 *
 * Only users of tenant `{tid}` whose token carries the {@link ADMIN_APP_ROLE} app role may call
 * the `/api/admin` routes; everyone else gets 403 `forbidden`.
 */
import { z } from 'zod';
import { Email } from './api';
import { AppRegistrationStatus } from './app-registration';

/** Convene's app role for IT admins (the `roles` claim of the user token). */
export const ADMIN_APP_ROLE = 'Convene.Admin';

/** Most mailboxes in one mailbox check. */
export const MAX_MAILBOX_CHECK = 50;

/** A tenant named by an admin: a tenant id (GUID) or a verified domain (`contoso.onmicrosoft.com`). */
export const TenantHint = z
  .string()
  .trim()
  .max(253)
  .regex(
    /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63})$/,
    'must be a tenant id (GUID) or a verified domain such as contoso.onmicrosoft.com',
  );

/** Query of `GET /admin/consent/start`; without `tenant` the admin picks the organization when signing in (`organizations`). */
export const ConsentStartQuery = z.strictObject({ tenant: TenantHint.optional() });
export type ConsentStartQuery = z.infer<typeof ConsentStartQuery>;

/**
 * `POST /api/admin/consent/start` body: the signed-in admin's own tenant (id or verified domain),
 * or nothing for "my tenant" (the token's `tid`). Another tenant is refused with 403.
 */
export const ConsentStartRequest = z.strictObject({ tenant: TenantHint.optional() });
export type ConsentStartRequest = z.infer<typeof ConsentStartRequest>;

/**
 * `POST /api/admin/consent/start` response: the admin consent URL the page navigates to. The
 * response also sets the same HttpOnly browser-binding cookie as `GET /admin/consent/start`.
 */
export const ConsentStartResponse = z.object({ url: z.string() });
export type ConsentStartResponse = z.infer<typeof ConsentStartResponse>;

/** Shown when Graph refused every mailbox of one request with a plain 403 (the status's `accessWarning.reason`). */
export const ACCESS_WARNING_REASON =
  'Microsoft Graph refused every mailbox in a request: consent may have been withdrawn or the scope is too narrow.';

/**
 * Microsoft Graph refused every mailbox of one request with a plain 403 (no access policy or RBAC
 * scope named). Not revocation: RBAC for Applications may answer that way for out-of-scope
 * mailboxes. A later successful Graph call clears it.
 */
export const AccessWarning = z.object({
  /** When it was last seen, ISO 8601 UTC. */
  at: z.string(),
  /** Plain words for the admin. */
  reason: z.string(),
});
export type AccessWarning = z.infer<typeof AccessWarning>;

/**
 * Consent state of a tenant in Convene.
 * - `notConnected`: Convene has no record of it (no admin consent seen yet)
 * - `granted`: an app-only token was acquired for it (consent proven)
 * - `revoked`: Entra ID or Graph started refusing Convene (consent removed, app disabled, or every mailbox denied)
 * - `disconnected`: an admin disconnected it in Convene; refused until connected again through the consent page
 */
export const ConsentStatus = z.enum(['notConnected', 'granted', 'revoked', 'disconnected']);
export type ConsentStatus = z.infer<typeof ConsentStatus>;

/** One Graph application permission Convene needs, why, and whether the tenant's app token carries it. */
export const PermissionStatus = z.object({
  /** e.g. `Calendars.ReadWrite` */
  name: z.string(),
  /** Why Convene needs it, one line. */
  reason: z.string(),
  /** In the tenant's app-only token `roles`. A missing Calendars role may still be granted by RBAC for Applications. */
  granted: z.boolean(),
});
export type PermissionStatus = z.infer<typeof PermissionStatus>;

/** The PowerShell an Exchange admin runs to scope Convene to the interviewers' mailboxes. */
export const ScopingScripts = z.object({
  /** Recommended: RBAC for Applications (New-ServicePrincipal, New-ManagementScope, New-ManagementRoleAssignment, Test-ServicePrincipalAuthorization). */
  rbacForApplications: z.string(),
  /** Legacy: New-ApplicationAccessPolicy / Test-ApplicationAccessPolicy. */
  applicationAccessPolicy: z.string(),
});
export type ScopingScripts = z.infer<typeof ScopingScripts>;

/** `GET /api/admin/tenants/{tid}` response. */
export const TenantStatus = z.object({
  tid: z.string(),
  /** From Graph `/organization`, else the verified domain; null until known. */
  displayName: z.string().nullable(),
  /** `global` | `usgov` | `usgovdod` | `china` (null when not connected). */
  cloud: z.string().nullable(),
  consentStatus: ConsentStatus,
  /** When consent was last proven (ISO 8601 UTC), null when never. */
  consentedAt: z.string().nullable(),
  /**
   * The admin who went through Convene's consent page (display only: name, else object id), when
   * known: set when the consent was started signed in (`POST /api/admin/consent/start`).
   */
  consentedBy: z.string().nullable(),
  /** That admin's object id, when known. */
  consentedByOid: z.string().nullable(),
  /** Graph refused every mailbox of a request (see {@link AccessWarning}); null when not, or cleared since. */
  accessWarning: AccessWarning.nullable(),
  /** When the tenant was disconnected (ISO 8601 UTC), else null. */
  offboardedAt: z.string().nullable(),
  /** Application permissions in the tenant's app-only token `roles` claim. */
  grantedRoles: z.array(z.string()),
  /** Every permission Convene needs, with reason and granted/missing (a least-privilege table). */
  permissions: z.array(PermissionStatus),
  /** `multitenant`: Convene's app registration; `tenant`: the tenant's own app registration. */
  credentialMode: z.enum(['multitenant', 'tenant']),
  /**
   * The application (client) id Convene signs in with for this tenant (the one the scripts name):
   * the tenant's own app registration when `credentialMode` is `tenant`, else Convene's.
   */
  appId: z.string(),
  /** The tenant's own app registration (non-secret facts), or `{mode: "multitenant"}`. */
  appRegistration: AppRegistrationStatus,
  /** Days Convene keeps audit log entries (`CONVENE_AUDIT_RETENTION_DAYS`), also after a disconnect. */
  auditRetentionDays: z.number().int(),
  /** Scripts generated with `appId`. */
  powershell: ScopingScripts,
  /**
   * Where the admin (re)connects the tenant: `/admin/consent/start?tenant=<tid>`. A tenant that is
   * `disconnected` connects again only through `POST /api/admin/consent/start` (signed in).
   */
  connectUrl: z.string(),
  /** The Entra admin center page of the enterprise application Convene signs in with (to review or delete it). */
  entraEnterpriseAppUrl: z.string(),
});
export type TenantStatus = z.infer<typeof TenantStatus>;

/** `POST /api/admin/tenants/{tid}/mailbox-check` body: the mailboxes (SMTP addresses or UPNs) to test. */
export const MailboxCheckRequest = z.strictObject({
  mailboxes: z.array(Email).min(1, 'name at least one mailbox').max(MAX_MAILBOX_CHECK, `at most ${MAX_MAILBOX_CHECK} mailboxes per check`),
});
export type MailboxCheckRequest = z.infer<typeof MailboxCheckRequest>;

/**
 * Whether Convene can read a mailbox.
 * - `reachable`: read (mailboxSettings answered)
 * - `blocked`: refused by the tenant's Application Access Policy / RBAC for Applications scope, or a missing permission
 * - `notFound`: no such user, or no Exchange Online mailbox
 * - `error`: Graph failed for another reason (try again); never reported as reachable
 */
export const MailboxAccess = z.enum(['reachable', 'blocked', 'notFound', 'error']);
export type MailboxAccess = z.infer<typeof MailboxAccess>;

export const MailboxCheckResult = z.object({
  mailbox: z.string(),
  access: MailboxAccess,
  /** Admin-readable reason (for `reachable`: what was read). */
  reason: z.string(),
});
export type MailboxCheckResult = z.infer<typeof MailboxCheckResult>;

/** `POST /api/admin/tenants/{tid}/mailbox-check` response: one result per requested mailbox, in request order. */
export const MailboxCheckResponse = z.array(MailboxCheckResult);
export type MailboxCheckResponse = z.infer<typeof MailboxCheckResponse>;

/** `DELETE /api/admin/tenants/{tid}` response. */
export const DisconnectResponse = z.object({
  tid: z.string(),
  consentStatus: z.literal('disconnected'),
  /** Rows deleted per tenant-scoped table (the audit log is kept for its retention period). */
  deleted: z.record(z.string(), z.number()),
  /** Delete Convene's enterprise application here to remove its consent from Entra ID too. */
  entraEnterpriseAppUrl: z.string(),
});
export type DisconnectResponse = z.infer<typeof DisconnectResponse>;

/** `DELETE /api/me/data` response: rows deleted per table for the caller (the audit log is kept). */
export const DeleteMyDataResponse = z.object({
  deleted: z.record(z.string(), z.number()),
});
export type DeleteMyDataResponse = z.infer<typeof DeleteMyDataResponse>;

/** Where the consent callback sends the admin: `result` of `/admin?result=<code>`. */
export const ConsentResultCode = z.enum([
  'connected',
  'connected_tenant_app',
  'reconnect_requires_admin_sign_in',
  'declined',
  'app_not_in_tenant',
  'approval_required',
  'convene_credential_rejected',
  'tenant_not_found',
  'consent_failed',
  'state_missing',
  'state_invalid',
  'state_expired',
  'tenant_unverified',
  'entra_unavailable',
]);
export type ConsentResultCode = z.infer<typeof ConsentResultCode>;

/** What the admin page shows for a consent result. */
export interface ConsentResultText {
  /** `success` for `connected`, `warning` when the admin chose not to, `error` otherwise. */
  severity: 'success' | 'warning' | 'error';
  title: string;
  /** What happened, in plain words. */
  explanation: string;
  /** What the admin does next. */
  nextStep: string;
}

/**
 * Plain-words text per consent result. AADSTS codes: 65004 declined; 700016 app not found in the
 * tenant; 90094/90095 admin approval required; 7000215/7000222 Convene's client secret invalid or
 * expired; 90002 tenant not found (or another Microsoft cloud).
 *
 * @see https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 */
export const CONSENT_RESULTS: Readonly<Record<ConsentResultCode, ConsentResultText>> = Object.freeze({
  connected: {
    severity: 'success',
    title: 'Your organization is connected',
    explanation:
      'Microsoft Entra ID confirmed your admin consent and Convene received a token for your organization. Convene can now read free/busy and working hours and book interviews in organizers’ own calendars.',
    nextStep:
      'Limit Convene to the interviewers’ mailboxes with RBAC for Applications (recommended) or an Application Access Policy, then run the mailbox check below.',
  },
  connected_tenant_app: {
    severity: 'success',
    title: 'Convene’s app is consented; your own app registration stays in use',
    explanation:
      'Microsoft Entra ID confirmed your admin consent to Convene’s app. Your organization also gave Convene its own app registration, so Convene keeps signing in with that one, with its permissions; nothing about it changed.',
    nextStep:
      'To switch to Convene’s app instead, remove your own app registration below; Convene then checks the consent to its app on the next request.',
  },
  reconnect_requires_admin_sign_in: {
    severity: 'error',
    title: 'Sign in to connect your organization again',
    explanation:
      'An administrator disconnected your organization in Convene. Only a signed-in Convene admin of your organization (app role Convene.Admin) can connect it again, so this attempt, started without signing in, changed nothing.',
    nextStep:
      'Sign in on this page with an account that has the Convene.Admin role in your organization, then choose Connect with Microsoft.',
  },
  declined: {
    severity: 'warning',
    title: 'Consent was declined',
    explanation:
      'You (or another administrator) chose Cancel on Microsoft’s consent page, so Convene was given no access. Nothing changed.',
    nextStep: 'Connect again when you are ready, and choose Accept on Microsoft’s page.',
  },
  app_not_in_tenant: {
    severity: 'error',
    title: 'Convene is not available in that organization',
    explanation:
      'Microsoft Entra ID could not find Convene’s application in that organization (AADSTS700016): it may have been deleted there, or you signed in to a different organization than the one you meant.',
    nextStep: 'Sign in with an administrator account of the organization you want to connect, then connect again.',
  },
  approval_required: {
    severity: 'error',
    title: 'An administrator with more rights must approve Convene',
    explanation:
      'Your account cannot grant tenant-wide application permissions (AADSTS90094/90095). For Microsoft Graph application permissions Microsoft requires a Global Administrator or Privileged Role Administrator (a Cloud Application Administrator or Application Administrator cannot grant them).',
    nextStep:
      'Ask such an administrator to open this page and choose Connect, or to submit the request through your organization’s admin consent workflow.',
  },
  convene_credential_rejected: {
    severity: 'error',
    title: 'Convene’s own sign-in credential was rejected',
    explanation:
      'Microsoft Entra ID rejected Convene’s client secret or certificate (AADSTS7000215/7000222: invalid or expired). This is a problem on Convene’s side, not in your organization.',
    nextStep: 'Tell the people who run Convene; your consent is kept and nothing needs to change in your organization.',
  },
  tenant_not_found: {
    severity: 'error',
    title: 'Organization not found',
    explanation:
      'Microsoft Entra ID does not know that organization (AADSTS90002): the tenant id or domain is mistyped, or the organization lives in another Microsoft cloud (for example US Government or China) than this Convene.',
    nextStep: 'Check the tenant id or domain (Entra admin center > Overview) and connect again, or use the Convene for your cloud.',
  },
  consent_failed: {
    severity: 'error',
    title: 'Microsoft Entra ID could not complete the consent',
    explanation:
      'Microsoft’s consent page returned an error Convene does not know. Your organization’s earlier connection, if any, is unchanged.',
    nextStep: 'Try again; if it fails again, send the error code shown in the address bar to the people who run Convene.',
  },
  state_missing: {
    severity: 'error',
    title: 'This consent answer cannot be checked',
    explanation:
      'The answer from Microsoft came without the one-time code Convene sent with it, so Convene cannot tell it was you who started it. Nothing changed.',
    nextStep: 'Start again with Connect on this page (in the same browser).',
  },
  state_invalid: {
    severity: 'error',
    title: 'This consent link was already used or started in another browser',
    explanation:
      'Each connect attempt can be completed once, in the browser that started it. This answer was already used, or was started elsewhere. Nothing changed.',
    nextStep: 'Start again with Connect on this page, in this browser.',
  },
  state_expired: {
    severity: 'error',
    title: 'The consent attempt took too long',
    explanation: 'Connect attempts expire after 10 minutes, for your safety. Nothing changed.',
    nextStep: 'Start again with Connect on this page.',
  },
  tenant_unverified: {
    severity: 'error',
    title: 'Consent could not be confirmed',
    explanation:
      'Microsoft reported consent, but Convene could not get a token for your organization, so it did not record a connection. Consent may take a few minutes to take effect, or it was removed again.',
    nextStep:
      'Wait a minute and connect again; if it keeps failing, check Convene under Enterprise applications in the Entra admin center.',
  },
  entra_unavailable: {
    severity: 'error',
    title: 'Microsoft Entra ID did not answer',
    explanation: 'Convene could not reach Microsoft Entra ID to confirm your consent. Nothing was recorded.',
    nextStep: 'Try again in a few minutes.',
  },
});
