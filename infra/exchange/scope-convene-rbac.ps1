<#
.SYNOPSIS
  Limit Convene to the interviewers' mailboxes with RBAC for Applications in Exchange Online
  (recommended; it replaces Application Access Policies).

.DESCRIPTION
  1. Registers Convene's app as an Exchange service principal (New-ServicePrincipal).
  2. Creates a management scope over the members of the interviewers' group
     (New-ManagementScope with a MemberOfGroup recipient filter; direct members only,
     nested groups are not expanded).
  3. Assigns the two application roles Convene needs, limited to that scope
     (New-ManagementRoleAssignment -CustomResourceScope):
       Application Calendars.ReadWrite  - free/busy (getSchedule) and the organizer's invites
       Application MailboxSettings.Read - time zone and working hours
  4. Checks the result (Test-ServicePrincipalAuthorization).

  IMPORTANT: RBAC for Applications ADDS access. It does not narrow a tenant-wide grant in
  Microsoft Entra ID. After running this, remove the tenant-wide Entra grant of
  Calendars.ReadWrite and MailboxSettings.Read (Entra admin center > Enterprise applications >
  Convene > Permissions), otherwise Convene still reaches every mailbox. Keep
  User.ReadBasic.All (the people picker).

  Needs the ExchangeOnlineManagement module and a member of Organization Management
  (Exchange Administrator). The Convene admin page prints this script with your values filled in.

.PARAMETER AppId
  Application (client) id Convene uses in your tenant (Convene's multi-tenant app, or your own
  app registration if you registered one for Convene).

.PARAMETER ServicePrincipalObjectId
  Object id of that app's enterprise application in your tenant. Looked up with Microsoft
  Graph PowerShell when omitted.

.PARAMETER GroupMail
  Mail address of the mail-enabled security group holding the interviewers.

.PARAMETER DisplayName
  Name of the Exchange service principal (default "Convene").

.LINK
  https://learn.microsoft.com/exchange/permissions-exo/application-rbac
#>
param(
  [Parameter(Mandatory = $true)][ValidatePattern('^[0-9a-fA-F-]{36}$')][string]$AppId,
  [Parameter(Mandatory = $false)][string]$ServicePrincipalObjectId,
  [Parameter(Mandatory = $true)][string]$GroupMail,
  [Parameter(Mandatory = $false)][string]$DisplayName = 'Convene'
)
$ErrorActionPreference = 'Stop'

if (-not $ServicePrincipalObjectId) {
  # The enterprise application's object id (not the app registration's).
  Connect-MgGraph -Scopes 'Application.Read.All'
  $ServicePrincipalObjectId = (Get-MgServicePrincipal -Filter "appId eq '$AppId'").Id
}

Connect-ExchangeOnline

# 1. The app as an Exchange service principal.
New-ServicePrincipal -AppId $AppId -ObjectId $ServicePrincipalObjectId -DisplayName $DisplayName

# 2. A management scope: the members of the interviewers' group. The filter needs the group's
#    distinguished name; quotes in it are doubled for the OPATH string.
$Group = Get-Group -Identity $GroupMail
$GroupDn = $Group.DistinguishedName -replace "'", "''"
New-ManagementScope -Name 'Convene interviewers' -RecipientRestrictionFilter "MemberOfGroup -eq '$GroupDn'"

# 3. The application roles Convene needs, limited to that scope.
New-ManagementRoleAssignment -App $ServicePrincipalObjectId -Role 'Application Calendars.ReadWrite' -CustomResourceScope 'Convene interviewers'
New-ManagementRoleAssignment -App $ServicePrincipalObjectId -Role 'Application MailboxSettings.Read' -CustomResourceScope 'Convene interviewers'

# 4. Check with one interviewer: InScope is True (run it with a mailbox outside the group: False).
#    Exchange caches permissions: allow up to 30 minutes to 2 hours before Graph reflects a change.
$Interviewer = (Get-DistributionGroupMember -Identity $GroupMail | Select-Object -First 1).PrimarySmtpAddress
Test-ServicePrincipalAuthorization -Identity $ServicePrincipalObjectId -Resource $Interviewer | Format-Table

# 5. Now remove the tenant-wide Entra grant of Calendars.ReadWrite and MailboxSettings.Read
#    (see the description above). Then `npx convene doctor --tenant <your tenant> --mailbox <an interviewer> --mailbox <someone else>`
#    shows the interviewer reachable and the other mailbox blocked.
