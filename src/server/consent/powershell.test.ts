import { exchangeApplicationRoles, exchangeScopingScripts, groupPlaceholder, psQuote } from './powershell';

const appId = '6f1c2a0e-3b7d-4f8e-9a51-2c4d6e8f0a1b';
const spId = '0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d';

/**
 * Reads a PowerShell single-quoted literal at the start of `text` the way PowerShell does
 * (about_Quoting_Rules: U+0027 and U+2018..U+201B all open/close; a doubled quote is one quote).
 * Returns the value and what follows the closing quote.
 */
function readSingleQuoted(text: string): { value: string; rest: string } {
  const isQuote = (c: string | undefined) => c !== undefined && /['\u2018\u2019\u201a\u201b]/.test(c);
  if (!isQuote(text[0])) throw new Error(`not a single-quoted literal: ${text}`);
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (isQuote(c)) {
      if (isQuote(text[i + 1])) {
        value += c;
        i++;
        continue;
      }
      return { value, rest: text.slice(i + 1) };
    }
    value += c;
  }
  throw new Error('unterminated literal');
}

function assignment(script: string, variable: string): string {
  const line = script.split('\n').find((l) => l.startsWith(`$${variable} = `));
  if (!line) throw new Error(`no $${variable} assignment`);
  const { value, rest } = readSingleQuoted(line.slice(`$${variable} = `.length));
  expect(rest).toBe('');
  return value;
}

describe('exchangeScopingScripts', () => {
  it('writes RBAC for Applications with both application roles on one group scope', () => {
    const { rbac } = exchangeScopingScripts({ appId, servicePrincipalObjectId: spId, groupMail: 'panel@contoso.example' });
    expect(assignment(rbac, 'AppId')).toBe(appId);
    expect(assignment(rbac, 'ServicePrincipalObjectId')).toBe(spId);
    expect(assignment(rbac, 'GroupMail')).toBe('panel@contoso.example');
    expect(rbac).toContain('Connect-ExchangeOnline');
    expect(rbac).toContain('New-ServicePrincipal -AppId $AppId -ObjectId $ServicePrincipalObjectId');
    expect(rbac).toMatch(/New-ManagementScope -Name '[^']+' -RecipientRestrictionFilter "MemberOfGroup -eq '\$GroupDn'"/);
    for (const role of ['Application Calendars.ReadWrite', 'Application MailboxSettings.Read']) {
      expect(rbac).toContain(`New-ManagementRoleAssignment -App $ServicePrincipalObjectId -Role '${role}' -CustomResourceScope`);
    }
    expect(rbac).toContain('Test-ServicePrincipalAuthorization');
    expect(rbac).toMatch(/Remove the tenant-wide Entra grant/);
    // Least privilege: only the two mailbox roles, never e.g. Mail.Read.
    expect(rbac.match(/New-ManagementRoleAssignment/g)).toHaveLength(exchangeApplicationRoles.length);
  });

  it('looks the service principal up when its object id is not known', () => {
    const { rbac } = exchangeScopingScripts({ appId });
    expect(rbac).toContain('Get-MgServicePrincipal -Filter "appId eq \'$AppId\'"');
    expect(assignment(rbac, 'GroupMail')).toBe(groupPlaceholder);
  });

  it('writes the legacy Application Access Policy restricted to the group', () => {
    const { legacy } = exchangeScopingScripts({ appId, groupMail: 'panel@contoso.example', tenantDisplayName: 'Contoso' });
    expect(assignment(legacy, 'AppId')).toBe(appId);
    expect(legacy).toMatch(/New-ApplicationAccessPolicy -AppId \$AppId -PolicyScopeGroupId \$GroupMail -AccessRight RestrictAccess/);
    expect(legacy).toMatch(/Test-ApplicationAccessPolicy -Identity \$Interviewer -AppId \$AppId/);
    expect(legacy).not.toContain('DenyAccess');
  });

  it.each([
    ["o'brien@contoso.example"],
    ["x'; Remove-Mailbox -Identity ceo@contoso.example -Confirm:$false; '"],
    ['x\u2019; Invoke-Expression $env:SECRET; \u2018'],
    ['$(Remove-Item C:\\ -Recurse)'],
    ['a"b`c'],
  ])('keeps the group %j a plain string (no injection)', (groupMail) => {
    const { rbac, legacy } = exchangeScopingScripts({ appId, groupMail, tenantDisplayName: groupMail });
    for (const script of [rbac, legacy]) {
      expect(assignment(script, 'GroupMail')).toBe(groupMail);
      // The value appears nowhere else unquoted: only in its single-quoted assignment and labels.
      const otherLines = script.split('\n').filter((l) => !l.startsWith('$GroupMail = ') && !l.startsWith('$DisplayName = '));
      for (const line of otherLines) {
        if (line.includes('-Description ')) {
          const { rest } = readSingleQuoted(line.slice(line.indexOf('-Description ') + '-Description '.length));
          expect(rest).toBe('');
        } else {
          expect(line).not.toContain(groupMail);
        }
      }
    }
    expect(assignment(rbac, 'DisplayName')).toBe(`Convene (${groupMail})`);
  });

  it('refuses an app id that is not a GUID and control characters', () => {
    expect(() => exchangeScopingScripts({ appId: "x'; whoami; '" })).toThrow(/appId must be a GUID/);
    expect(() => exchangeScopingScripts({ appId, servicePrincipalObjectId: 'nope' })).toThrow(/GUID/);
    expect(() => exchangeScopingScripts({ appId, groupMail: 'a@b.example\nRemove-Mailbox x' })).toThrow(/control character/);
    expect(() => psQuote('\u0000')).toThrow(/control character/);
  });

  it('quotes like PowerShell: doubled quotes, nothing expanded', () => {
    expect(psQuote("it's")).toBe("'it''s'");
    expect(psQuote('\u2018a\u2019')).toBe("'\u2018\u2018a\u2019\u2019'");
    expect(psQuote('$x')).toBe("'$x'");
  });
});

describe('infra/exchange scripts agree with the generator', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { readFileSync } = require('node:fs') as typeof import('node:fs');
  const file = (name: string) => readFileSync(`${__dirname}/../../../infra/exchange/${name}`, 'utf8');
  /** Cmdlets invoked (Verb-Noun at the start of a statement), ignoring comments. */
  const cmdlets = (script: string) =>
    new Set(
      script
        .replace(/<#[\s\S]*?#>/g, '')
        .split('\n')
        .map((l) => l.replace(/#.*$/, ''))
        .flatMap((l) => [...l.matchAll(/(?:^\s*|[=(|{]\s*)([A-Z][a-z]+-[A-Za-z]+)\b/g)].map((m) => m[1] as string)),
    );
  const roles = (script: string) => new Set([...script.matchAll(/-Role '([^']+)'/g)].map((m) => m[1] as string));
  const generated = exchangeScopingScripts({ appId, groupMail: 'panel@contoso.example' });

  it.each([
    ['scope-convene-rbac.ps1', generated.rbac],
    ['scope-convene-legacy-aap.ps1', generated.legacy],
  ])('%s uses the same cmdlets and role names', (name, script) => {
    const text = file(name);
    expect(text).toMatch(/^param\(/m);
    expect(cmdlets(text)).toEqual(cmdlets(script));
    expect(roles(text)).toEqual(roles(script));
    // Every parameterised value comes from param(...), never a literal GUID.
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
  });

  it('the RBAC file assigns exactly the application roles Convene needs', () => {
    expect([...roles(file('scope-convene-rbac.ps1'))].sort()).toEqual([...exchangeApplicationRoles].sort());
    expect(file('scope-convene-rbac.ps1')).toMatch(/remove the tenant-wide Entra grant/i);
  });
});
