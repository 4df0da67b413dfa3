/**
 * Exchange Online PowerShell that limits which mailboxes Convene's app may reach: the scripts an
 * IT admin copies from the tenant status page. The same scripts, with comments and `param(...)`,
 * live in `infra/exchange/` (a test keeps both in step: same cmdlets, same role names).
 *
 * Two ways, both documented by Microsoft:
 * - RBAC for Applications (recommended): an Exchange service principal for the app, a management
 *   scope over the interviewers' group, and a role assignment per application role
 *   ("Application Calendars.ReadWrite", "Application MailboxSettings.Read") limited to that scope.
 *   Exchange adds these grants to the app's access; they do not take a tenant-wide Entra grant
 *   away, so the admin must remove the tenant-wide Entra grant of those permissions afterwards.
 * - Application Access Policy (legacy, being replaced by RBAC for Applications):
 *   `New-ApplicationAccessPolicy -AccessRight RestrictAccess -PolicyScopeGroupId <group>`.
 *
 * Values (app id, object id, group, tenant name) are never spliced into code: each is assigned
 * once, at the top, as a PowerShell single-quoted string literal with every quote character
 * doubled (PowerShell treats U+2018..U+201B as single quotes too), and the rest of the script
 * only uses the variables. A group named `x'; Remove-Mailbox ...` stays a string.
 *
 * @see https://learn.microsoft.com/exchange/permissions-exo/application-rbac
 * @see https://learn.microsoft.com/powershell/module/exchange/new-managementroleassignment
 * @see https://learn.microsoft.com/powershell/module/exchange/new-managementscope
 * @see https://learn.microsoft.com/powershell/module/exchange/test-serviceprincipalauthorization
 * @see https://learn.microsoft.com/graph/auth-limit-mailbox-access (Application Access Policies)
 * @see https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_quoting_rules
 */
import { ConveneError, invalidRequest } from '../../shared/errors';

/** What the scripts are generated for. */
export interface ExchangeScopingInput {
  /** Application (client) id of the app Convene uses in this tenant (a GUID). */
  appId: string;
  /**
   * Object id of that app's service principal (enterprise application) in this tenant (a GUID).
   * When absent the script looks it up with Microsoft Graph PowerShell (`Get-MgServicePrincipal`).
   */
  servicePrincipalObjectId?: string;
  /** The tenant's display name, used in the service principal's display name and the policy description. */
  tenantDisplayName?: string;
  /** Mail address of the mail-enabled security group holding the interviewers' mailboxes. */
  groupMail?: string;
}

/** The two scripts, as plain text with `\n` line ends. */
export interface ExchangeScopingScripts {
  /** RBAC for Applications (recommended). */
  rbac: string;
  /** Application Access Policy (legacy). */
  legacy: string;
}

/** Exchange application roles Convene needs scoped (its Graph permissions that touch mailboxes). */
export const exchangeApplicationRoles: readonly string[] = Object.freeze([
  'Application Calendars.ReadWrite',
  'Application MailboxSettings.Read',
]);

/** Name of the management scope the RBAC script creates. */
export const managementScopeName = 'Convene interviewers';

/** Placeholder shown when no group is given yet: the admin replaces it before running. */
export const groupPlaceholder = 'interviewers@yourdomain.example';

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A PowerShell single-quoted string literal holding `value` verbatim: inside single quotes
 * PowerShell expands nothing and the only special characters are the single quotes (ASCII and
 * U+2018..U+201B), escaped by doubling.
 *
 * @throws ConveneError `invalid_request` for control characters (a line break cannot hide in a
 *   value an admin reads before running).
 */
export function psQuote(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new ConveneError(invalidRequest, 'a value for the PowerShell script contains a control character');
  }
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

/**
 * The PowerShell that limits Convene to the interviewers' mailboxes in one tenant.
 *
 * @param input App id (required GUID), service principal object id (GUID, optional), tenant
 *   display name and interviewers' group mail (optional; a placeholder when absent).
 * @returns `{rbac, legacy}` scripts ready to paste into a PowerShell 7 session.
 * @throws ConveneError `invalid_request` when `appId` or `servicePrincipalObjectId` is not a GUID,
 *   or a value holds a control character.
 * @example
 * const { rbac } = exchangeScopingScripts({ appId: '00000000-0000-0000-0000-000000000001', groupMail: 'panel@contoso.example' });
 */
export function exchangeScopingScripts(input: ExchangeScopingInput): ExchangeScopingScripts {
  if (!guid.test(input.appId)) throw new ConveneError(invalidRequest, 'appId must be a GUID');
  if (input.servicePrincipalObjectId !== undefined && !guid.test(input.servicePrincipalObjectId)) {
    throw new ConveneError(invalidRequest, 'servicePrincipalObjectId must be a GUID');
  }
  const group = input.groupMail?.trim() ? input.groupMail.trim() : groupPlaceholder;
  const label = input.tenantDisplayName?.trim() ? `Convene (${input.tenantDisplayName.trim()})` : 'Convene';
  const header = [
    "# Convene: limit the app to the interviewers' mailboxes.",
    '# Needs the ExchangeOnlineManagement module and an Exchange Administrator (Organization Management).',
    `$AppId = ${psQuote(input.appId)}`,
    `$GroupMail = ${psQuote(group)}`,
    `$DisplayName = ${psQuote(label)}`,
  ];
  const spLookup = input.servicePrincipalObjectId
    ? [`$ServicePrincipalObjectId = ${psQuote(input.servicePrincipalObjectId)}`]
    : [
        '# Object id of the enterprise application (Entra admin center > Enterprise applications).',
        "Connect-MgGraph -Scopes 'Application.Read.All'",
        '$ServicePrincipalObjectId = (Get-MgServicePrincipal -Filter "appId eq \'$AppId\'").Id',
      ];

  const rbac = [
    ...header,
    ...spLookup,
    '',
    'Connect-ExchangeOnline',
    '',
    '# 1. The app as an Exchange service principal.',
    'New-ServicePrincipal -AppId $AppId -ObjectId $ServicePrincipalObjectId -DisplayName $DisplayName',
    '',
    "# 2. A management scope: the members of the interviewers' group (direct members; nested groups are not expanded).",
    '$Group = Get-Group -Identity $GroupMail',
    '$GroupDn = $Group.DistinguishedName -replace "\'", "\'\'"',
    `New-ManagementScope -Name ${psQuote(managementScopeName)} -RecipientRestrictionFilter "MemberOfGroup -eq '$GroupDn'"`,
    '',
    '# 3. The application roles Convene needs, limited to that scope.',
    ...exchangeApplicationRoles.map(
      (role) =>
        `New-ManagementRoleAssignment -App $ServicePrincipalObjectId -Role ${psQuote(role)} -CustomResourceScope ${psQuote(managementScopeName)}`,
    ),
    '',
    '# 4. Check with one interviewer: InScope is True (and False for a mailbox outside the group).',
    '$Interviewer = (Get-DistributionGroupMember -Identity $GroupMail | Select-Object -First 1).PrimarySmtpAddress',
    'Test-ServicePrincipalAuthorization -Identity $ServicePrincipalObjectId -Resource $Interviewer | Format-Table',
    '',
    '# 5. IMPORTANT: RBAC for Applications adds access; it does not narrow a tenant-wide grant.',
    '#    Remove the tenant-wide Entra grant of Calendars.ReadWrite and MailboxSettings.Read',
    '#    (Entra admin center > Enterprise applications > Convene > Permissions), or the app',
    '#    still reaches every mailbox. Keep User.ReadBasic.All (the people picker).',
    '',
  ].join('\n');

  const legacy = [
    ...header.slice(0, 4),
    '',
    'Connect-ExchangeOnline',
    '',
    "# Only the members of the interviewers' group (a mail-enabled security group) are reachable.",
    `New-ApplicationAccessPolicy -AppId $AppId -PolicyScopeGroupId $GroupMail -AccessRight RestrictAccess -Description ${psQuote(`${label}: interviewers only`)}`,
    '',
    '# Check with one interviewer: AccessCheckResult is Granted (and Denied for a mailbox outside the group).',
    '$Interviewer = (Get-DistributionGroupMember -Identity $GroupMail | Select-Object -First 1).PrimarySmtpAddress',
    'Test-ApplicationAccessPolicy -Identity $Interviewer -AppId $AppId',
    '',
    '# Application Access Policies are being replaced by RBAC for Applications; prefer that script.',
    '',
  ].join('\n');

  return { rbac, legacy };
}
