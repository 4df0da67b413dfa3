<#
.SYNOPSIS
  Limit Convene to the interviewers' mailboxes with an Application Access Policy (legacy).

.DESCRIPTION
  Application Access Policies are being replaced by RBAC for Applications
  (scope-convene-rbac.ps1); use this only where RBAC for Applications is not yet an option.

  New-ApplicationAccessPolicy -AccessRight RestrictAccess lets Convene's app reach only the
  members of the given mail-enabled security group; every other mailbox answers 403
  ErrorAccessDenied, which Convene shows as "blocked" (never as free).
  Test-ApplicationAccessPolicy shows the result for one mailbox.

  Needs the ExchangeOnlineManagement module and an Exchange Administrator.

.PARAMETER AppId
  Application (client) id Convene uses in your tenant.

.PARAMETER GroupMail
  Mail address of the mail-enabled security group holding the interviewers.

.LINK
  https://learn.microsoft.com/graph/auth-limit-mailbox-access
#>
param(
  [Parameter(Mandatory = $true)][ValidatePattern('^[0-9a-fA-F-]{36}$')][string]$AppId,
  [Parameter(Mandatory = $true)][string]$GroupMail
)
$ErrorActionPreference = 'Stop'

Connect-ExchangeOnline

# Only the members of the interviewers' group are reachable.
New-ApplicationAccessPolicy -AppId $AppId -PolicyScopeGroupId $GroupMail -AccessRight RestrictAccess -Description 'Convene: interviewers only'

# Check with one interviewer: AccessCheckResult is Granted (Denied for a mailbox outside the group).
$Interviewer = (Get-DistributionGroupMember -Identity $GroupMail | Select-Object -First 1).PrimarySmtpAddress
Test-ApplicationAccessPolicy -Identity $Interviewer -AppId $AppId
