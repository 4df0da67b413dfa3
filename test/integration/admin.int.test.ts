/**
 * Issue 3 end to end over real HTTP on 127.0.0.1 (server on PGlite, the simulator as Entra ID
 * and Graph): the admin consent flow driven like a browser (redirects followed by hand, one
 * cookie jar per browser), every attack of the issue's "Bad input and attacks" list that belongs
 * to the consent backend, the admin routes' authorization, the mailbox check, revocation,
 * disconnect and "delete my data" (checked in the database).
 */
import { randomUUID } from 'node:crypto';
import { Agent, fetch as undiciFetch } from 'undici';
import type { SeedTenant } from '../../sim';
import { ACCESS_WARNING_REASON, CONSENT_RESULTS } from '../../src/shared/admin';
import { type Stack, startStack } from '../support/stack';

const ROLES = ['Calendars.ReadWrite', 'MailboxSettings.Read', 'User.ReadBasic.All'];
const T = {
  contoso: '11111111-1111-4111-8111-111111111111',
  fabrikam: '22222222-2222-4222-8222-222222222222',
  declines: '33333333-3333-4333-8333-333333333333',
  needsApproval: '44444444-4444-4444-8444-444444444444',
  scoped: '55555555-5555-4555-8555-555555555555',
  noGrant: '66666666-6666-4666-8666-666666666666',
  withdrawn: '77777777-7777-4777-8777-777777777777',
  named: '88888888-8888-4888-8888-888888888888',
  unknown: '99999999-9999-4999-8999-999999999999',
  rejoin: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
  ownApp: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
};
/** The own app registration of tenant `ownApp` (issue 3, item 3). */
const OWN_APP = { clientId: 'b0000000-0000-4000-8000-0000000000b1', clientSecret: 'Own~S3cret.value_0123456789abcdef' };

let n = 0;
function user(upn: string, admin = false): SeedTenant['users'][number] {
  n += 1;
  return {
    id: `a0000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    userPrincipalName: upn,
    displayName: upn.split('@')[0] as string,
    ...(admin ? { appRoles: ['Convene.Admin'] } : {}),
    mailboxSettings: { timeZone: 'UTC' },
  };
}

function tenant(id: string, domain: string, extra: Partial<SeedTenant>, names: string[]): SeedTenant {
  return {
    tenant: { id, domain, displayName: domain.split('.')[0] as string },
    users: [user(`admin@${domain}`, true), ...names.map((x) => user(`${x}@${domain}`))],
    ...extra,
  };
}

const seeds: SeedTenant[] = [
  tenant(
    T.contoso,
    'contoso.example',
    { consent: { granted: true, roles: ROLES }, accessPolicy: { accessRight: 'DenyAccess', members: ['hannah@contoso.example'] } },
    ['bob', 'hannah'],
  ),
  tenant(T.fabrikam, 'fabrikam.example', { consent: { granted: false, roles: ROLES } }, ['tom']),
  tenant(T.declines, 'declines.example', { consent: { granted: true, roles: ROLES, page: 'decline' } }, []),
  tenant(T.needsApproval, 'approval.example', { consent: { granted: true, roles: ROLES, page: 'AADSTS90094' } }, ['ann']),
  tenant(
    T.scoped,
    'scoped.example',
    { consent: { granted: true, roles: ['User.ReadBasic.All'] }, rbacScope: { members: ['in@scoped.example'] } },
    ['in', 'out'],
  ),
  tenant(T.noGrant, 'nogrant.example', { consent: { granted: true, roles: ['User.ReadBasic.All'] } }, ['x', 'y']),
  tenant(T.withdrawn, 'withdrawn.example', { consent: { granted: true, roles: ROLES } }, ['w']),
  tenant(T.named, 'named.example', { consent: { granted: false, roles: [...ROLES, 'Organization.Read.All'] } }, []),
  tenant(T.rejoin, 'rejoin.example', { consent: { granted: true, roles: ROLES } }, ['rita']),
  tenant(T.ownApp, 'ownapp.example', { consent: { granted: true, roles: ROLES }, appRegistrations: [OWN_APP] }, ['olga']),
];
// Mailbox without Exchange Online: notFound in the mailbox check.
(seeds[0] as SeedTenant).users.push({ ...user('ivan@contoso.example'), mailboxEnabled: false });

let stack: Stack;
let clockOffsetMs = 0;
let simAgent: Agent;

beforeAll(async () => {
  stack = await startStack(seeds, { now: () => Date.now() + clockOffsetMs });
  simAgent = new Agent({ connect: { ca: stack.sim.caPem } });
});

afterAll(async () => {
  await stack?.close();
  await simAgent?.close();
});

/** A browser: a cookie jar, redirects followed by hand so each hop can be checked. */
class Browser {
  readonly cookies = new Map<string, string>();

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const isServer = url.startsWith(stack.url) || url.startsWith('/');
    const full = url.startsWith('/') ? `${stack.url}${url}` : url;
    const headers: Record<string, string> = {};
    if (isServer && this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const options = { method: init.method ?? 'GET', headers, redirect: 'manual' as const, ...(body ? { body } : {}) };
    const res = isServer ? await fetch(full, options) : await undiciFetch(full, { ...options, dispatcher: simAgent });
    if (isServer)
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const [k, v] = (pair as string).split('=') as [string, string];
        if (/max-age=0/i.test(c) || !v) this.cookies.delete(k);
        else this.cookies.set(k, v);
      }
    return {
      status: res.status,
      location: res.headers.get('location') ?? '',
      setCookie: res.headers.getSetCookie(),
      text: await res.text(),
    };
  }

  /** `POST /api/admin/consent/start` signed in as `upn`: the consent URL (its cookie kept in this browser). */
  async startSignedIn(upn: string, body?: unknown): Promise<URL> {
    const res = await fetch(`${stack.url}/api/admin/consent/start`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token(upn)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    expect([res.status, text]).toEqual([200, expect.stringContaining('"url"')]);
    for (const c of res.headers.getSetCookie()) {
      const [k, v] = (c.split(';')[0] as string).split('=') as [string, string];
      this.cookies.set(k, v);
    }
    return new URL((JSON.parse(text) as { url: string }).url);
  }

  /** From `/admin/consent/start...` to Microsoft's page: the consent URL (with its state). */
  async start(query = ''): Promise<URL> {
    const res = await this.request(`/admin/consent/start${query}`);
    expect(res.status).toBe(302);
    return new URL(res.location);
  }

  /** At Microsoft's page: accept or cancel (as `loginHint` when the page asks who). Returns the callback URL. */
  async atConsentPage(consentUrl: URL, action: 'accept' | 'cancel' = 'accept', loginHint?: string): Promise<string> {
    const page = await this.request(consentUrl.toString());
    if (page.status === 302) return page.location; // seeded outcome: answered at once
    expect(page.status).toBe(200);
    const q = consentUrl.searchParams;
    const decision = await this.request(`${consentUrl.origin}${consentUrl.pathname}`, {
      method: 'POST',
      form: {
        client_id: q.get('client_id') ?? '',
        redirect_uri: q.get('redirect_uri') ?? '',
        state: q.get('state') ?? '',
        scope: q.get('scope') ?? '',
        action,
        ...(loginHint ? { login_hint: loginHint } : {}),
      },
    });
    expect(decision.status).toBe(302);
    return decision.location;
  }

  /** The callback: Convene's redirect to its admin page, as `{path, params}`. */
  async callback(callbackUrl: string) {
    const res = await this.request(callbackUrl);
    expect(res.status).toBe(302);
    // Never anywhere but Convene's own admin page.
    expect(res.location).toMatch(/^\/admin\?/);
    const target = new URL(res.location, stack.url);
    return { result: target.searchParams.get('result'), tenant: target.searchParams.get('tenant'), params: target.searchParams, res };
  }

  /** The whole connect: start, consent page, callback. */
  async connect(query: string, loginHint?: string, action: 'accept' | 'cancel' = 'accept') {
    const consentUrl = await this.start(query);
    const callbackUrl = await this.atConsentPage(consentUrl, action, loginHint);
    return { ...(await this.callback(callbackUrl)), callbackUrl, consentUrl };
  }
}

const token = (upn: string) => stack.token(upn);
/** The simulator's request counters (`token` counts every Entra ID request: metadata and tokens). */
const simCounters = async () =>
  (await (await undiciFetch(`${stack.sim.url}/_sim/requests`, { dispatcher: simAgent })).json()) as { graph: number; token: number };
const status = async (tid: string, upn: string) => stack.call('GET', `/api/admin/tenants/${tid}`, { token: await token(upn) });

describe('GET /admin/consent/start', () => {
  it("redirects to Entra ID's admin consent endpoint with a random state bound to the browser by an HttpOnly SameSite cookie", async () => {
    const b = new Browser();
    const res = await b.request('/admin/consent/start');
    expect(res.status).toBe(302);
    const url = new URL(res.location);
    expect(`${url.origin}${url.pathname}`).toBe(`${stack.sim.url}/organizations/v2.0/adminconsent`);
    expect(url.searchParams.get('client_id')).toBe(stack.sim.clientId);
    expect(url.searchParams.get('scope')).toBe(`${stack.sim.url}/.default`);
    expect(url.searchParams.get('redirect_uri')).toBe(`${stack.url}/admin/consent/callback`);
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.setCookie).toHaveLength(1);
    expect(res.setCookie[0]).toMatch(/^convene_consent=[A-Za-z0-9_-]{43}; Path=\/admin\/consent; Max-Age=600; HttpOnly; SameSite=Lax$/);
    // Served over http here: no Secure flag (it is added when Convene's public URL is https).
    const again = await new Browser().start();
    expect(again.searchParams.get('state')).not.toBe(url.searchParams.get('state'));
  });

  it('names the tenant when the admin typed an id or a domain', async () => {
    expect((await new Browser().start('?tenant=contoso.example')).pathname).toBe('/contoso.example/v2.0/adminconsent');
    expect((await new Browser().start(`?tenant=${T.contoso}`)).pathname).toBe(`/${T.contoso}/v2.0/adminconsent`);
  });

  it.each([
    ['a URL as tenant', '?tenant=https%3A%2F%2Fevil.example%2F'],
    ['a path as tenant', '?tenant=..%2F..%2Fevil'],
    ['an unknown parameter (redirect)', '?redirect_uri=https%3A%2F%2Fevil.example%2Fcb'],
    ['an unknown parameter (next)', '?next=%2F%2Fevil.example'],
  ])('refuses %s with 400 (no open redirect)', async (_name, query) => {
    const res = await new Browser().request(`/admin/consent/start${query}`);
    expect(res.status).toBe(400);
    expect(res.location).toBe('');
    expect(JSON.parse(res.text).error.code).toBe('invalid_request');
  });
});

describe('GET /admin/consent/callback', () => {
  it('connects a tenant: proves it with an app token, records name, roles and time, and lands on /admin', async () => {
    const b = new Browser();
    const done = await b.connect('', 'admin@fabrikam.example');
    expect(done.res.location).toBe(`/admin?tenant=${T.fabrikam}&result=connected`);
    expect(b.cookies.has('convene_consent')).toBe(false); // cleared

    const s = await status(T.fabrikam, 'admin@fabrikam.example');
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({
      tid: T.fabrikam,
      consentStatus: 'granted',
      // No Organization.Read.All: the verified domain stands in for the name.
      displayName: 'fabrikam.example',
      cloud: 'global',
      grantedRoles: ROLES,
      credentialMode: 'multitenant',
      appId: stack.sim.clientId,
    });
    expect(Date.now() - Date.parse(s.body.consentedAt)).toBeLessThan(60_000);
    expect(s.body.permissions.map((p: { name: string; granted: boolean }) => [p.name, p.granted])).toEqual(ROLES.map((r) => [r, true]));
    expect(s.body.powershell.rbacForApplications).toContain('New-ManagementRoleAssignment');
    expect(s.body.powershell.applicationAccessPolicy).toContain('New-ApplicationAccessPolicy');
    expect(s.body.entraEnterpriseAppUrl).toContain(stack.sim.clientId);

    // The name lookups went to Graph and were audited.
    const audit = await stack.app.store.audit.list({ tid: T.fabrikam });
    expect(audit.map((a) => [a.operation, a.status])).toEqual(
      expect.arrayContaining([
        ['organization.get', 403],
        ['users.list', 200],
      ]),
    );
    // The tenant now passes the dual lock.
    const people = await stack.call('GET', '/api/people?q=to', { token: await token('admin@fabrikam.example') });
    expect(people.status).toBe(200);
  });

  it("takes the tenant's name from Graph /organization when permitted", async () => {
    const done = await new Browser().connect(`?tenant=${T.named}`);
    expect(done.result).toBe('connected');
    expect((await status(T.named, 'admin@named.example')).body.displayName).toBe('named');
  });

  it('refuses a callback without state', async () => {
    const b = new Browser();
    await b.start(`?tenant=${T.fabrikam}`);
    const r = await b.callback(`/admin/consent/callback?admin_consent=True&tenant=${T.fabrikam}`);
    expect(r.result).toBe('state_missing');
    expect(r.tenant).toBeNull();
  });

  it('refuses a replayed state', async () => {
    const b = new Browser();
    const first = await b.connect(`?tenant=${T.contoso}`);
    expect(first.result).toBe('connected');
    await b.start(`?tenant=${T.contoso}`); // a fresh cookie: the replay is refused for the state, not the cookie
    const replay = await b.callback(first.callbackUrl);
    expect(replay.result).toBe('state_invalid');
  });

  it("refuses another browser's state and leaves it usable by its own browser", async () => {
    const victim = new Browser();
    const attacker = new Browser();
    const consentUrl = await victim.start(`?tenant=${T.contoso}`);
    const callbackUrl = await victim.atConsentPage(consentUrl);
    await attacker.start(`?tenant=${T.contoso}`);
    expect((await attacker.callback(callbackUrl)).result).toBe('state_invalid');
    expect((await new Browser().callback(callbackUrl)).result).toBe('state_invalid'); // no cookie at all
    expect((await victim.callback(callbackUrl)).result).toBe('connected');
  });

  it('refuses an expired state (10 minutes)', async () => {
    const b = new Browser();
    const consentUrl = await b.start(`?tenant=${T.contoso}`);
    const callbackUrl = await b.atConsentPage(consentUrl);
    clockOffsetMs = 10 * 60 * 1000 + 1000;
    try {
      expect((await b.callback(callbackUrl)).result).toBe('state_expired');
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('does not trust a forged tenant parameter', async () => {
    // Started for Contoso, answered "for" Fabrikam (consented, so a token would be issued).
    const b = new Browser();
    const consentUrl = await b.start(`?tenant=${T.contoso}`);
    const callbackUrl = new URL(await b.atConsentPage(consentUrl));
    callbackUrl.searchParams.set('tenant', T.fabrikam);
    expect((await b.callback(callbackUrl.pathname + callbackUrl.search)).result).toBe('tenant_unverified');

    // Started for any organization, answered for a tenant that never consented: no token, nothing recorded.
    const b2 = new Browser();
    const state = (await b2.start()).searchParams.get('state') as string;
    const forged = await b2.callback(`/admin/consent/callback?admin_consent=True&tenant=${T.unknown}&state=${state}`);
    expect(forged.result).toBe('tenant_unverified');
    expect(await stack.app.store.tenants.get(T.unknown)).toBeNull();

    // Not a GUID at all.
    const b3 = new Browser();
    const state3 = (await b3.start()).searchParams.get('state') as string;
    expect((await b3.callback(`/admin/consent/callback?admin_consent=True&tenant=evil.example&state=${state3}`)).result).toBe(
      'tenant_unverified',
    );
  });

  it('checks error before admin_consent=True, and a failed consent leaves the earlier one intact', async () => {
    // Recorded as consented on first use.
    expect((await stack.call('GET', '/api/people?q=an', { token: await token('admin@approval.example') })).status).toBe(200);
    const before = await stack.app.store.tenants.get(T.needsApproval);
    expect(before?.consentStatus).toBe('granted');

    const b = new Browser();
    const consentUrl = await b.start(`?tenant=${T.needsApproval}`);
    const callbackUrl = new URL(await b.atConsentPage(consentUrl));
    expect(callbackUrl.searchParams.get('admin_consent')).toBe('True'); // Microsoft does this
    expect(callbackUrl.searchParams.get('error')).toBeTruthy();
    const r = await b.callback(callbackUrl.pathname + callbackUrl.search);
    expect(r.result).toBe('approval_required');
    expect(r.params.get('aadsts')).toBe('90094');
    expect(CONSENT_RESULTS.approval_required.nextStep.length).toBeGreaterThan(20);

    const after = await stack.app.store.tenants.get(T.needsApproval);
    expect(after).toEqual(before);
  });

  it('reports a declined consent', async () => {
    expect((await new Browser().connect(`?tenant=${T.declines}`)).result).toBe('declined');
    expect((await new Browser().connect(`?tenant=${T.contoso}`, undefined, 'cancel')).result).toBe('declined');
    expect(await stack.app.store.tenants.get(T.declines)).toBeNull();
  });

  it.each([
    ['65004', 'declined'],
    ['700016', 'app_not_in_tenant'],
    ['90095', 'approval_required'],
    ['7000215', 'convene_credential_rejected'],
    ['7000222', 'convene_credential_rejected'],
    ['90002', 'tenant_not_found'],
    ['50000', 'consent_failed'],
  ])('maps AADSTS%s to %s', async (code, result) => {
    const r = await new Browser().callback(
      `/admin/consent/callback?error=invalid_request&error_description=AADSTS${code}%3A+x&admin_consent=True&tenant=${T.contoso}`,
    );
    expect(r.result).toBe(result);
  });

  it('never redirects anywhere else, whatever the parameters say', async () => {
    const b = new Browser();
    const state = (await b.start()).searchParams.get('state') as string;
    for (const extra of [
      'redirect_uri=https://evil.example',
      'next=//evil.example',
      'return_to=https:%2F%2Fevil.example',
      'result=//evil',
    ]) {
      const r = await b.callback(`/admin/consent/callback?${extra}&state=${state}`);
      expect(r.res.location.startsWith('/admin?')).toBe(true);
      expect(r.res.location).not.toContain('evil');
    }
  });
});

describe("admin routes: only the tenant's own Convene.Admin users", () => {
  it("refuses no token (401), a non-admin (403) and another tenant's admin (403), without calling Graph", async () => {
    const bob = await token('bob@contoso.example');
    const otherAdmin = await token('admin@fabrikam.example');
    const graphBefore = stack.sim.requestCount();
    for (const [method, path, body] of [
      ['GET', `/api/admin/tenants/${T.contoso}`, undefined],
      ['POST', `/api/admin/tenants/${T.contoso}/mailbox-check`, { mailboxes: ['bob@contoso.example'] }],
      ['DELETE', `/api/admin/tenants/${T.contoso}`, undefined],
    ] as const) {
      expect((await stack.call(method, path, { body })).status).toBe(401);
      const asBob = await stack.call(method, path, { token: bob, body });
      expect([asBob.status, asBob.body.error.code]).toEqual([403, 'forbidden']);
      const asOther = await stack.call(method, path, { token: otherAdmin, body });
      expect([asOther.status, asOther.body.error.code]).toEqual([403, 'forbidden']);
    }
    expect(stack.sim.requestCount()).toBe(graphBefore);
    expect((await stack.app.store.tenants.get(T.contoso))?.consentStatus).not.toBe('disconnected');
  });

  it('shows a tenant Convene has never seen as notConnected', async () => {
    const s = await status(T.declines, 'admin@declines.example');
    expect(s.body).toMatchObject({ consentStatus: 'notConnected', grantedRoles: [], displayName: null });
    expect(s.body.permissions.every((p: { granted: boolean }) => !p.granted)).toBe(true);
  });
});

describe('POST /api/admin/tenants/{tid}/mailbox-check', () => {
  it('reports reachable, blocked by the access policy and not found, each audited', async () => {
    const admin = await token('admin@contoso.example');
    const mailboxes = ['bob@contoso.example', 'Hannah@contoso.example', 'nobody@contoso.example', 'ivan@contoso.example'];
    const res = await stack.call('POST', `/api/admin/tenants/${T.contoso}/mailbox-check`, { token: admin, body: { mailboxes } });
    expect(res.status).toBe(200);
    expect(res.body.map((r: { mailbox: string; access: string }) => [r.mailbox, r.access])).toEqual([
      ['bob@contoso.example', 'reachable'],
      ['Hannah@contoso.example', 'blocked'],
      ['nobody@contoso.example', 'notFound'],
      ['ivan@contoso.example', 'notFound'],
    ]);
    expect(res.body[1].reason).toMatch(/access policy/i);
    const audit = await stack.app.store.audit.list({ tid: T.contoso });
    expect(audit.filter((a) => a.operation.startsWith('mailboxSettings')).map((a) => a.targetMailbox?.toLowerCase())).toEqual(
      expect.arrayContaining(['bob@contoso.example', 'hannah@contoso.example', 'nobody@contoso.example']),
    );
    expect((await stack.app.store.tenants.get(T.contoso))?.consentStatus).toBe('granted');
  });

  it('refuses bad bodies with 400', async () => {
    const admin = await token('admin@contoso.example');
    for (const body of [{}, { mailboxes: [] }, { mailboxes: ['not-an-address'] }, { mailboxes: ['a@b.example'], group: 'x' }]) {
      const res = await stack.call('POST', `/api/admin/tenants/${T.contoso}/mailbox-check`, { token: admin, body });
      expect([res.status, res.body.error.code]).toEqual([400, 'invalid_request']);
    }
  });

  it('RBAC for Applications: a token without Calendars roles is not revoked; out-of-scope mailboxes are blocked', async () => {
    const res = await stack.call('POST', `/api/admin/tenants/${T.scoped}/mailbox-check`, {
      token: await token('admin@scoped.example'),
      body: { mailboxes: ['in@scoped.example', 'out@scoped.example'] },
    });
    expect(res.body.map((r: { access: string }) => r.access)).toEqual(['reachable', 'blocked']);
    expect((await status(T.scoped, 'admin@scoped.example')).body.consentStatus).toBe('granted');
  });
});

describe('revocation', () => {
  it('Graph refusing every mailbox of a request is an access warning on the status, not revocation; a later success clears it', async () => {
    const admin = await token('admin@nogrant.example');
    const check = (mailboxes: string[]) =>
      stack.call('POST', `/api/admin/tenants/${T.noGrant}/mailbox-check`, { token: admin, body: { mailboxes } });
    const res = await check(['x@nogrant.example', 'y@nogrant.example']);
    expect(res.body.map((r: { access: string }) => r.access)).toEqual(['blocked', 'blocked']);
    const warned = (await status(T.noGrant, 'admin@nogrant.example')).body;
    expect(warned.consentStatus).toBe('granted');
    expect(warned.accessWarning).toEqual({ at: expect.any(String), reason: ACCESS_WARNING_REASON });
    expect(Date.now() - Date.parse(warned.accessWarning.at)).toBeLessThan(60_000);

    // The dual lock does not refuse the tenant on that alone: its users keep working.
    const again = await stack.call('GET', '/api/people?q=x', { token: admin });
    expect(again.status).toBe(200);
    // Still warned (a call that reaches no mailbox does not clear it).
    expect((await status(T.noGrant, 'admin@nogrant.example')).body.accessWarning).not.toBeNull();

    // An admin grants the permissions in Entra ID; the next app token carries them and Graph answers.
    const simRes = await undiciFetch(`${stack.sim.url}/_sim/tenants/${T.noGrant}/consent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ granted: true, roles: ROLES }),
      dispatcher: simAgent,
    });
    expect(simRes.status).toBe(200);
    stack.app.tokens.invalidate(T.noGrant); // as when the cached token expires
    expect((await check(['x@nogrant.example'])).body[0].access).toBe('reachable');
    expect((await status(T.noGrant, 'admin@nogrant.example')).body).toMatchObject({ consentStatus: 'granted', accessWarning: null });
  });

  it('Entra ID refusing the app token (AADSTS700016) flips the tenant to revoked', async () => {
    const admin = await token('admin@withdrawn.example');
    const body = { mailboxes: ['w@withdrawn.example'] };
    const ok = await stack.call('POST', `/api/admin/tenants/${T.withdrawn}/mailbox-check`, { token: admin, body });
    expect(ok.body[0].access).toBe('reachable');

    const simRes = await undiciFetch(`${stack.sim.url}/_sim/tenants/${T.withdrawn}/consent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ granted: false }),
      dispatcher: simAgent,
    });
    expect(simRes.status).toBe(200);

    const refused = await stack.call('POST', `/api/admin/tenants/${T.withdrawn}/mailbox-check`, { token: admin, body });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'tenant_not_consented']);
    const s = await status(T.withdrawn, 'admin@withdrawn.example');
    expect(s.body.consentStatus).toBe('revoked');
    expect((await stack.app.store.tenants.get(T.withdrawn))?.revokedReason).toBe('token');

    // A revoked tenant connects again without signing in first (only a disconnect needs that).
    await undiciFetch(`${stack.sim.url}/_sim/tenants/${T.withdrawn}/consent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ granted: true }),
      dispatcher: simAgent,
    });
    expect((await new Browser().connect(`?tenant=${T.withdrawn}`)).result).toBe('connected');
    expect((await status(T.withdrawn, 'admin@withdrawn.example')).body).toMatchObject({ consentStatus: 'granted', consentedBy: null });
  });
});

describe('offboarding', () => {
  async function interview(tid: string, organizerOid: string) {
    const id = randomUUID();
    await stack.app.store.interviews.create({
      id,
      tid,
      organizerOid,
      organizerEmail: 'x@x.example',
      candidateName: 'Jane Doe',
      candidateEmail: 'jane@candidates.example',
      candidateTimeZone: null,
      panel: ['p@x.example'],
      subject: 'Interview',
      start: '2030-01-07T15:00:00.000Z',
      end: '2030-01-07T16:00:00.000Z',
      timeZone: 'UTC',
      status: 'scheduled',
      channel: 'api',
      transactionId: randomUUID(),
      idempotencyKey: null,
      requestHash: null,
    });
    return id;
  }
  const oidOf = (upn: string) => stack.sim.users.find((u) => u.upn === upn)?.id as string;

  it("DELETE /api/me/data deletes only the caller's own interviews", async () => {
    const mine = await interview(T.contoso, oidOf('bob@contoso.example'));
    const theirs = await interview(T.contoso, oidOf('hannah@contoso.example'));
    const res = await stack.call('DELETE', '/api/me/data', { token: await token('bob@contoso.example') });
    expect(res.status).toBe(200);
    expect(res.body.deleted.interviews).toBeGreaterThanOrEqual(1);
    expect(await stack.app.store.interviews.get(T.contoso, mine)).toBeNull();
    expect(await stack.app.store.interviews.get(T.contoso, theirs)).not.toBeNull();
    expect((await stack.call('DELETE', '/api/me/data')).status).toBe(401);
  });

  it("disconnect deletes the tenant's data (not another tenant's, not the audit log) and refuses the tenant until it connects again", async () => {
    const a1 = await interview(T.contoso, oidOf('bob@contoso.example'));
    const a2 = await interview(T.contoso, oidOf('admin@contoso.example'));
    const other = await interview(T.fabrikam, oidOf('tom@fabrikam.example'));
    const auditBefore = (await stack.app.store.audit.list({ tid: T.contoso })).length;
    expect(auditBefore).toBeGreaterThan(0);

    const admin = await token('admin@contoso.example');
    const res = await stack.call('DELETE', `/api/admin/tenants/${T.contoso}`, { token: admin });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tid: T.contoso, consentStatus: 'disconnected' });
    expect(res.body.deleted.interviews).toBeGreaterThanOrEqual(2);
    expect(res.body.entraEnterpriseAppUrl).toMatch(/^https:\/\/entra\.microsoft\.com\/.*appId\//);

    expect(await stack.app.store.interviews.get(T.contoso, a1)).toBeNull();
    expect(await stack.app.store.interviews.get(T.contoso, a2)).toBeNull();
    expect(await stack.app.store.interviews.get(T.fabrikam, other)).not.toBeNull();
    expect((await stack.app.store.audit.list({ tid: T.contoso })).length).toBeGreaterThanOrEqual(auditBefore);
    const record = await stack.app.store.tenants.get(T.contoso);
    expect(record).toMatchObject({ consentStatus: 'disconnected', encryptedCredential: null, grantedRoles: [] });
    expect(record?.offboardedAt).not.toBeNull();

    const graphBefore = stack.sim.requestCount();
    const refused = await stack.call('GET', '/api/people?q=bo', { token: await token('bob@contoso.example') });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'tenant_not_consented']);
    expect(stack.sim.requestCount()).toBe(graphBefore);
    expect((await status(T.contoso, 'admin@contoso.example')).body.consentStatus).toBe('disconnected');

    // Connected again only by a signed-in Convene.Admin of the tenant.
    expect((await new Browser().connect(`?tenant=${T.contoso}`)).result).toBe('reconnect_requires_admin_sign_in');
    expect((await stack.app.store.tenants.get(T.contoso))?.consentStatus).toBe('disconnected');
    const b = new Browser();
    const done = await b.callback(await b.atConsentPage(await b.startSignedIn('admin@contoso.example')));
    expect(done.result).toBe('connected');
    expect((await stack.call('GET', '/api/people?q=bo', { token: await token('bob@contoso.example') })).status).toBe(200);
  });
});

describe('connecting a disconnected tenant again (forged re-connect)', () => {
  const adminUpn = 'admin@rejoin.example';
  const oidOf = (upn: string) => stack.sim.users.find((u) => u.upn === upn)?.id as string;

  beforeAll(async () => {
    // Used (recorded on first use), then disconnected by its admin; Convene's app stays in Entra ID.
    expect((await stack.call('GET', '/api/people?q=ri', { token: await token(adminUpn) })).status).toBe(200);
    expect((await stack.call('DELETE', `/api/admin/tenants/${T.rejoin}`, { token: await token(adminUpn) })).status).toBe(200);
  });

  it('refuses a forged callback on an unauthenticated start, without asking Entra ID for a token', async () => {
    for (const query of ['', `?tenant=${T.rejoin}`, '?tenant=rejoin.example']) {
      const b = new Browser();
      const state = (await b.start(query)).searchParams.get('state') as string;
      const before = await simCounters();
      const forged = await b.callback(`/admin/consent/callback?admin_consent=True&tenant=${T.rejoin}&state=${state}`);
      expect(forged.result).toBe('reconnect_requires_admin_sign_in');
      // Neither Entra ID (token, metadata) nor Graph was asked anything.
      expect(await simCounters()).toEqual(before);
    }
    expect(await stack.app.store.tenants.get(T.rejoin)).toMatchObject({ consentStatus: 'disconnected', grantedRoles: [] });
    const refused = await stack.call('GET', '/api/people?q=ri', { token: await token('rita@rejoin.example') });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'tenant_not_consented']);
    expect(CONSENT_RESULTS.reconnect_requires_admin_sign_in.nextStep).toMatch(/Sign in/);
  });

  it('refuses a signed-in start to anyone but a Convene.Admin of that very tenant', async () => {
    const post = async (upn: string | undefined, body?: unknown) =>
      stack.call('POST', '/api/admin/consent/start', {
        token: upn ? await token(upn) : undefined,
        ...(body === undefined ? {} : { body }),
      });
    expect((await post(undefined)).status).toBe(401);
    const user = await post('rita@rejoin.example');
    expect([user.status, user.body.error.code]).toEqual([403, 'forbidden']);
    const otherAdmin = await post('admin@fabrikam.example', { tenant: T.rejoin });
    expect([otherAdmin.status, otherAdmin.body.error.code]).toEqual([403, 'forbidden']);
    const otherDomain = await post('admin@fabrikam.example', { tenant: 'rejoin.example' });
    expect([otherDomain.status, otherDomain.body.error.code]).toEqual([403, 'forbidden']);
    for (const body of [{ tenant: 'https://evil.example/' }, { tenant: T.rejoin, next: '/x' }, ['x']]) {
      const bad = await post(adminUpn, body);
      expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_request']);
    }
    const unknownDomain = await post(adminUpn, { tenant: 'nowhere.example' });
    expect([unknownDomain.status, unknownDomain.body.error.code]).toEqual([400, 'invalid_request']);
  });

  it('a signed-in start by its admin connects it again, bound to that tenant, and names the consenting admin', async () => {
    const res = await stack.call('POST', '/api/admin/consent/start', { token: await token(adminUpn), body: { tenant: 'rejoin.example' } });
    expect(res.status).toBe(200);
    const url = new URL(res.body.url);
    expect(`${url.origin}${url.pathname}`).toBe(`${stack.sim.url}/${T.rejoin}/v2.0/adminconsent`);
    expect(url.searchParams.get('redirect_uri')).toBe(`${stack.url}/admin/consent/callback`);
    expect(res.headers.get('set-cookie')).toMatch(
      /^convene_consent=[A-Za-z0-9_-]{43}; Path=\/admin\/consent; Max-Age=600; HttpOnly; SameSite=Lax$/,
    );

    // Its state is for this tenant only: a callback naming another tenant is refused.
    const b1 = new Browser();
    const state1 = (await b1.startSignedIn(adminUpn)).searchParams.get('state') as string;
    expect((await b1.callback(`/admin/consent/callback?admin_consent=True&tenant=${T.fabrikam}&state=${state1}`)).result).toBe(
      'tenant_unverified',
    );
    // And bound to the browser that started it.
    const b2 = new Browser();
    const callbackUrl = await b2.atConsentPage(await b2.startSignedIn(adminUpn));
    expect((await new Browser().callback(callbackUrl)).result).toBe('state_invalid');
    const done = await b2.callback(callbackUrl);
    expect(done.res.location).toBe(`/admin?tenant=${T.rejoin}&result=connected`);

    const s = (await status(T.rejoin, adminUpn)).body;
    expect(s).toMatchObject({ consentStatus: 'granted', grantedRoles: ROLES, consentedBy: 'admin', consentedByOid: oidOf(adminUpn) });
    expect((await stack.call('GET', '/api/people?q=ri', { token: await token('rita@rejoin.example') })).status).toBe(200);
  });
});

describe('a tenant on its own app registration', () => {
  const adminUpn = 'admin@ownapp.example';
  const appRegistrationPath = `/api/admin/tenants/${T.ownApp}/app-registration`;

  it('shows the app it actually signs in with, its registration and the audit retention in the status', async () => {
    const put = await stack.call('PUT', appRegistrationPath, { token: await token(adminUpn), body: OWN_APP });
    expect([put.status, put.body.mode]).toEqual([200, 'tenant']);
    const s = (await status(T.ownApp, adminUpn)).body;
    expect(s).toMatchObject({
      consentStatus: 'granted',
      credentialMode: 'tenant',
      appId: OWN_APP.clientId,
      appRegistration: { mode: 'tenant', clientId: OWN_APP.clientId, credentialType: 'secret' },
      auditRetentionDays: 90,
    });
    expect(JSON.stringify(s)).not.toContain(OWN_APP.clientSecret);
    expect(s.powershell.rbacForApplications).toContain(OWN_APP.clientId);
    expect(s.powershell.applicationAccessPolicy).toContain(OWN_APP.clientId);
    expect(s.powershell.rbacForApplications).not.toContain(stack.sim.clientId);
    expect(s.entraEnterpriseAppUrl).toContain(OWN_APP.clientId);
    // A tenant on Convene's app: Convene's client id.
    const contoso = (await status(T.fabrikam, 'admin@fabrikam.example')).body;
    expect(contoso).toMatchObject({ appId: stack.sim.clientId, appRegistration: { mode: 'multitenant' }, auditRetentionDays: 90 });
  });

  it("keeps its own registration when its admin consents to Convene's app, until the admin removes it", async () => {
    const stored = await stack.app.store.tenants.get(T.ownApp);
    expect(stored?.credentialMode).toBe('tenant');
    const b = new Browser();
    const done = await b.callback(await b.atConsentPage(await b.startSignedIn(adminUpn)));
    expect(done.result).toBe('connected_tenant_app');
    expect(CONSENT_RESULTS.connected_tenant_app.severity).toBe('success');
    const after = await stack.app.store.tenants.get(T.ownApp);
    expect(after).toMatchObject({
      consentStatus: 'granted',
      credentialMode: 'tenant',
      encryptedCredential: stored?.encryptedCredential,
      grantedRoles: stored?.grantedRoles,
      consentedBy: { oid: expect.any(String), name: 'admin' },
    });
    // Unauthenticated too (the tenant is not disconnected).
    expect((await new Browser().connect(`?tenant=${T.ownApp}`)).result).toBe('connected_tenant_app');
    expect((await stack.app.store.tenants.get(T.ownApp))?.encryptedCredential).toBe(stored?.encryptedCredential);
    // Graph calls still go through the tenant's own app.
    expect((await stack.call('GET', '/api/people?q=ol', { token: await token('olga@ownapp.example') })).status).toBe(200);

    // The admin removes it: back to Convene's app, whose consent is proven on next use.
    const removed = await stack.call('DELETE', appRegistrationPath, { token: await token(adminUpn) });
    expect([removed.status, removed.body.mode]).toEqual([200, 'multitenant']);
    expect((await stack.call('GET', '/api/people?q=ol', { token: await token('olga@ownapp.example') })).status).toBe(200);
    expect((await status(T.ownApp, adminUpn)).body).toMatchObject({
      consentStatus: 'granted',
      credentialMode: 'multitenant',
      appId: stack.sim.clientId,
      grantedRoles: ROLES,
    });
  });
});

describe('pending consent states are bounded', () => {
  it('keeps the 20 newest unauthenticated starts per client address, dropping older ones; signed-in starts count apart', async () => {
    const forgedCallback = (b: Browser, url: URL) =>
      b.callback(`/admin/consent/callback?admin_consent=True&tenant=${T.fabrikam}&state=${url.searchParams.get('state')}`);
    const signedIn = new Browser();
    const signedInUrl = await signedIn.startSignedIn('admin@fabrikam.example');
    // 26 starts from this one address (127.0.0.1), oldest first.
    const browsers = Array.from({ length: 26 }, () => new Browser());
    const urls: URL[] = [];
    for (const b of browsers) urls.push(await b.start(`?tenant=${T.fabrikam}`));

    // The 6 oldest were dropped: their callbacks find no state.
    for (const i of [0, 5]) expect((await forgedCallback(browsers[i] as Browser, urls[i] as URL)).result).toBe('state_invalid');
    // The 20 newest still work, and so does the signed-in start (counted per admin, not per address).
    for (const i of [6, 25]) expect((await forgedCallback(browsers[i] as Browser, urls[i] as URL)).result).toBe('connected');
    expect((await signedIn.callback(await signedIn.atConsentPage(signedInUrl))).result).toBe('connected');
  });
});
