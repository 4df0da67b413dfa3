/**
 * The Entra app registration as code (infra/entra/aad.manifest.json): least privilege (exactly
 * the three Graph application permissions of src/server/consent/permissions.ts, with the same
 * reasons in infra/entra/README.md), Convene's API (access_as_user, v2 tokens, pre-authorized
 * Teams and Office clients), the redirect URIs and the Convene.Admin app role.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REQUIRED_APP_PERMISSIONS } from '../../src/server/consent/permissions';
import { fillPlaceholders, loadEnv } from '../../scripts/lib/app-package.mjs';

const ROOT = resolve(__dirname, '../..');
const GRAPH = '00000003-0000-0000-c000-000000000000';
/** Microsoft Graph application permission (app role) ids, from the Graph permissions reference. */
const GRAPH_APP_ROLE_IDS: Record<string, string> = {
  'ef54d2bf-783f-4e0f-bca1-3210c0444d99': 'Calendars.ReadWrite',
  '40f97065-369a-49f4-947c-6a255697ae91': 'MailboxSettings.Read',
  '97235f07-e226-4f63-ace3-39588e11d3a1': 'User.ReadBasic.All',
};
const TEAMS_DESKTOP = '1fec8e78-bce4-4aaf-ab1b-5451cc387264';
const TEAMS_WEB = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346';
const ALL_OFFICE = 'ea5a67f6-b6f3-4338-b240-c655ddc3cc8e';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const template = readFileSync(join(ROOT, 'infra', 'entra', 'aad.manifest.json'), 'utf8');
const app = JSON.parse(template) as Json;

describe('Entra app registration (infra/entra/aad.manifest.json)', () => {
  it('asks for exactly Calendars.ReadWrite, MailboxSettings.Read and User.ReadBasic.All, as application permissions', () => {
    expect(app.requiredResourceAccess).toHaveLength(1);
    const graph = app.requiredResourceAccess[0];
    expect(graph.resourceAppId).toBe(GRAPH);
    expect(graph.resourceAccess.every((r: Json) => r.type === 'Role')).toBe(true);
    const names = graph.resourceAccess.map((r: Json) => GRAPH_APP_ROLE_IDS[r.id]);
    expect(names).toEqual(REQUIRED_APP_PERMISSIONS.map((p) => p.name));
  });

  it('documents each permission with the reason Convene shows admins (permissions.ts), and its role id', () => {
    const readme = readFileSync(join(ROOT, 'infra', 'entra', 'README.md'), 'utf8');
    const rows = new Map(
      [...readme.matchAll(/^\| ([A-Za-z.]+) \| ([0-9a-f-]{36}) \| (.+) \|$/gm)].map((m) => [m[1]!, { id: m[2]!, reason: m[3]! }]),
    );
    expect([...rows.keys()]).toEqual(REQUIRED_APP_PERMISSIONS.map((p) => p.name));
    for (const p of REQUIRED_APP_PERMISSIONS) {
      expect(rows.get(p.name)?.reason).toBe(p.reason);
      expect(GRAPH_APP_ROLE_IDS[rows.get(p.name)!.id]).toBe(p.name);
    }
  });

  it('exposes access_as_user on api://<app id> and api://<domain>/<app id>, v2 tokens only', () => {
    expect(app.signInAudience).toBe('AzureADMultipleOrgs');
    expect(app.identifierUris).toEqual(['api://${{AAD_APP_CLIENT_ID}}', 'api://${{CONVENE_DOMAIN}}/${{AAD_APP_CLIENT_ID}}']);
    expect(app.api.requestedAccessTokenVersion).toBe(2);
    expect(app.api.oauth2PermissionScopes.map((s: Json) => [s.value, s.type, s.isEnabled])).toEqual([['access_as_user', 'User', true]]);
  });

  it('pre-authorizes Teams (desktop, mobile, web) and all Office clients for access_as_user', () => {
    const scopeId = app.api.oauth2PermissionScopes[0].id;
    const pre = app.api.preAuthorizedApplications as Json[];
    expect(pre.map((p) => p.appId).sort()).toEqual([TEAMS_DESKTOP, TEAMS_WEB, ALL_OFFICE].sort());
    for (const p of pre) expect(p.delegatedPermissionIds).toEqual([scopeId]);
  });

  it('registers the redirect URIs: nested app authentication, taskpane dialog fallback, pages, admin consent callback, Bot Framework token', () => {
    expect(app.spa.redirectUris).toEqual([
      'brk-multihub://${{CONVENE_DOMAIN}}',
      'https://${{CONVENE_DOMAIN}}/taskpane.html?signin=dialog',
      'https://${{CONVENE_DOMAIN}}/taskpane.html',
      'https://${{CONVENE_DOMAIN}}/admin',
    ]);
    expect(app.web.redirectUris).toEqual([
      'https://${{CONVENE_DOMAIN}}/admin/consent/callback',
      'https://token.botframework.com/.auth/web/redirect',
    ]);
    expect(app.web.implicitGrantSettings).toEqual({ enableAccessTokenIssuance: false, enableIdTokenIssuance: false });
  });

  it('the SPA redirect URIs are the ones the pages send (MSAL.js redirectUri: origin + path [+ ?signin=dialog])', () => {
    const taskpaneAuth = readFileSync(join(ROOT, 'src', 'addin', 'taskpane', 'auth.ts'), 'utf8');
    const pageSignIn = readFileSync(join(ROOT, 'src', 'addin', 'common', 'sign-in.ts'), 'utf8');
    expect(taskpaneAuth).toContain('redirectUri: `${location.origin}${location.pathname}?signin=dialog`');
    expect(pageSignIn).toContain('redirectUri: `${location.origin}${location.pathname}`');
    // The admin page is served at /admin, the taskpane at /taskpane.html (server routes).
    const main = readFileSync(join(ROOT, 'src', 'server', 'main.ts'), 'utf8');
    expect(main).toMatch(/path: '\/admin',/);
    expect(readFileSync(join(ROOT, 'src', 'server', 'http', 'taskpane-page.ts'), 'utf8')).toContain("server.get('/taskpane.html'");
  });

  it('every https redirect URI is on a domain both add-in manifests trust (validDomains, AppDomains)', () => {
    const vars: Record<string, string> = { ...loadEnv(ROOT, 'local'), AAD_APP_OBJECT_ID: '00000000-0000-4000-8000-000000000001' };
    const filled = JSON.parse(fillPlaceholders(template, vars, { source: 'aad.manifest.json' })) as Json;
    const manifest = JSON.parse(
      fillPlaceholders(readFileSync(join(ROOT, 'manifest', 'manifest.json'), 'utf8'), vars, { source: 'manifest.json' }),
    ) as Json;
    const xml = fillPlaceholders(readFileSync(join(ROOT, 'manifest', 'outlook-addin.xml'), 'utf8'), vars, { source: 'outlook-addin.xml' });
    const appDomains = [...xml.matchAll(/<AppDomain>([^<]+)<\/AppDomain>/g)].map((m) => m[1]!);
    const spaHosts = (filled.spa.redirectUris as string[]).filter((u) => u.startsWith('https://')).map((u) => new URL(u).host);
    expect(spaHosts).toHaveLength(3);
    for (const host of new Set(spaHosts)) {
      expect(manifest.validDomains).toContain(host);
      expect(appDomains).toContain(`https://${host}`);
    }
    for (const uri of filled.web.redirectUris as string[]) expect(manifest.validDomains).toContain(new URL(uri).host);
    // Nested app authentication's broker redirect names the same origin the taskpane is served from.
    expect(filled.spa.redirectUris[0]).toBe(`brk-multihub://${new URL(vars.TASKPANE_URL!).host}`);
  });

  it('defines the Convene.Admin app role for users', () => {
    expect(app.appRoles.map((r: Json) => [r.value, r.allowedMemberTypes, r.isEnabled])).toEqual([['Convene.Admin', ['User'], true]]);
  });

  it('fills from the environment files into valid JSON (nested app auth redirect is the bare origin)', () => {
    const vars: Record<string, string> = { ...loadEnv(ROOT, 'local'), AAD_APP_OBJECT_ID: '00000000-0000-4000-8000-000000000001' };
    const filled = JSON.parse(fillPlaceholders(template, vars, { source: 'aad.manifest.json' })) as Json;
    expect(filled.spa.redirectUris[0]).toBe(`brk-multihub://${vars.CONVENE_DOMAIN}`);
    expect(filled.spa.redirectUris[0]).not.toMatch(/brk-multihub:\/\/[^/]+\//);
    expect(filled.appId).toBe(vars.AAD_APP_CLIENT_ID);
  });
});
