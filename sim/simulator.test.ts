/**
 * The simulator end to end over HTTPS: token service, user tokens, Graph (auth, access policy,
 * getSchedule, mailboxSettings, users, events, $batch) and the control API.
 */
import { resolve } from 'node:path';
import { ConfidentialClientApplication, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  errors as joseErrors,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
} from 'jose';
import { createSimClient, type SimClient } from './client';
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID } from './demo-tenant';
import { RAOP_MESSAGE } from './graph';
import { loadSeedFiles, type SeedTenant } from './seed';
import { startSimulator, type Simulator } from './server';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const NORTHWIND = '0b9e8d7c-6a5b-4c3d-9e2f-1a0b9c8d7e6f';
const TAILSPIN = '7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function testSeeds(): SeedTenant[] {
  const northwind = loadSeedFiles([resolve(__dirname, 'seeds/example.json')])[0] as SeedTenant;
  northwind.users.push({
    id: '55555555-5555-4555-8555-555555555555',
    userPrincipalName: 'erin@northwind.example',
    displayName: 'Erin Onprem',
    mailboxEnabled: false,
  });
  const tailspin: SeedTenant = {
    tenant: { id: TAILSPIN, domain: 'tailspin.example', displayName: 'Tailspin Toys' },
    consent: { granted: false },
    users: [{ id: '66666666-6666-4666-8666-666666666666', userPrincipalName: 'tom@tailspin.example', displayName: 'Tom Tailspin' }],
  };
  return [northwind, tailspin];
}

describe('simulator over Northwind (sim/seeds/example.json)', () => {
  let sim: Simulator;
  let client: SimClient;
  let app: string;
  const graph = <T = Json>(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; token?: string } = {},
  ) =>
    client.request<T>(method, `/v1.0${path}`, {
      token: options.token ?? app,
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.headers ? { headers: options.headers } : {}),
    });

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seeds: testSeeds(), now: () => NOW });
    client = createSimClient(sim);
    app = await client.appToken(NORTHWIND);
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  describe('token service', () => {
    test('OIDC metadata by tenant id or domain names the tenant issuer and endpoints on the simulator host', async () => {
      for (const t of [NORTHWIND, 'northwind.example']) {
        const res = await client.request<Json>('GET', `/${t}/v2.0/.well-known/openid-configuration`);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          issuer: `${sim.url}/${NORTHWIND}/v2.0`,
          token_endpoint: `${sim.url}/${NORTHWIND}/oauth2/v2.0/token`,
          jwks_uri: `${sim.url}/${NORTHWIND}/discovery/v2.0/keys`,
          authorization_endpoint: `${sim.url}/${NORTHWIND}/oauth2/v2.0/authorize`,
          id_token_signing_alg_values_supported: ['RS256'],
        });
      }
      const common = await client.request<Json>('GET', '/common/v2.0/.well-known/openid-configuration');
      expect(common.body.issuer).toBe(`${sim.url}/{tenantid}/v2.0`);
    });

    test('unknown tenants get AADSTS90002 the way Entra sends errors', async () => {
      const res = await client.request<Json>('GET', '/nowhere.example/v2.0/.well-known/openid-configuration');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
      expect(res.body.error_description).toMatch(
        /^AADSTS90002: Tenant 'nowhere.example' not found\..*Trace ID: [0-9a-f-]{36} Correlation ID: [0-9a-f-]{36} Timestamp: 2026-11-20 12:00:00Z$/,
      );
      expect(res.body.trace_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body.timestamp).toBe('2026-11-20 12:00:00Z');
    });

    test('JWKS (tenant and common) and instance discovery', async () => {
      const keys = await client.request<JSONWebKeySet>('GET', `/${NORTHWIND}/discovery/v2.0/keys`);
      expect(keys.body.keys).toHaveLength(1);
      expect(keys.body.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256', e: 'AQAB' });
      expect(keys.body.keys[0]?.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((await client.request<JSONWebKeySet>('GET', '/common/discovery/v2.0/keys')).body.keys[0]?.kid).toBe(keys.body.keys[0]?.kid);
      const host = new URL(sim.url).host;
      const discovery = await client.request<Json>(
        'GET',
        `/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${sim.url}/${NORTHWIND}/oauth2/v2.0/authorize`)}`,
      );
      expect(discovery.body).toEqual({
        tenant_discovery_endpoint: `${sim.url}/${NORTHWIND}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      });
    });

    test('client credentials give an app-only Graph token with the consented roles, signed with the published key', async () => {
      const res = await client.requestAppToken('northwind.example');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
      const jwks = createLocalJWKSet((await client.request<JSONWebKeySet>('GET', `/${NORTHWIND}/discovery/v2.0/keys`)).body);
      const { payload, protectedHeader } = await jwtVerify(res.body.access_token as string, jwks, {
        currentDate: new Date(NOW),
        issuer: `${sim.url}/${NORTHWIND}/v2.0`,
        audience: sim.url,
      });
      expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
      expect(payload).toMatchObject({
        tid: NORTHWIND,
        appid: sim.clientId,
        azp: sim.clientId,
        idtyp: 'app',
        roles: ['Calendars.ReadWrite', 'MailboxSettings.Read', 'User.ReadBasic.All'],
      });
      expect(payload.exp! - payload.iat!).toBe(3600);
      expect(payload.iat).toBe(NOW / 1000);
    });

    test('wrong secret, unconsented tenant, unknown app, unknown tenant, bad scope and grant are refused with their AADSTS codes', async () => {
      const cases: Array<[Promise<{ status: number; body: Json }>, number, string, number]> = [
        [client.requestAppToken(NORTHWIND, { clientSecret: 'nope' }), 401, 'invalid_client', 7000215],
        [client.requestAppToken(TAILSPIN), 400, 'unauthorized_client', 700016],
        [client.requestAppToken(NORTHWIND, { clientId: '00000000-0000-4000-8000-000000000000' }), 400, 'unauthorized_client', 700016],
        [client.requestAppToken('nowhere.example'), 400, 'invalid_tenant', 90002],
        [client.requestAppToken(NORTHWIND, { scope: `${sim.url}/Calendars.Read` }), 400, 'invalid_scope', 1002012],
        [client.requestAppToken(NORTHWIND, { scope: 'https://management.azure.com/.default' }), 400, 'invalid_resource', 500011],
        [
          client.request<Json>('POST', `/${NORTHWIND}/oauth2/v2.0/token`, { form: { grant_type: 'password', client_id: sim.clientId } }),
          400,
          'unsupported_grant_type',
          70003,
        ],
        [
          client.request<Json>('POST', '/common/oauth2/v2.0/token', {
            form: {
              grant_type: 'client_credentials',
              client_id: sim.clientId,
              client_secret: sim.clientSecret,
              scope: `${sim.url}/.default`,
            },
          }),
          400,
          'invalid_request',
          50059,
        ],
      ];
      for (const [pending, status, error, code] of cases) {
        const res = await pending;
        expect({ status: res.status, error: res.body.error, codes: res.body.error_codes }).toEqual({ status, error, codes: [code] });
        expect(res.body.error_description).toMatch(new RegExp(`^AADSTS${code}: `));
      }
    });

    test('a private_key_jwt client assertion is accepted (shape, issuer, audience, lifetime)', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const tokenEndpoint = `${sim.url}/${NORTHWIND}/oauth2/v2.0/token`;
      const assertion = await new SignJWT({ jti: 'x' })
        .setProtectedHeader({ alg: 'RS256', x5t: 'AAAA' })
        .setIssuer(sim.clientId)
        .setSubject(sim.clientId)
        .setAudience(tokenEndpoint)
        .setIssuedAt(NOW / 1000)
        .setExpirationTime(NOW / 1000 + 600)
        .sign(privateKey);
      const form = {
        grant_type: 'client_credentials',
        client_id: sim.clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope: `${sim.url}/.default`,
      };
      const ok = await client.request<Json>('POST', `/${NORTHWIND}/oauth2/v2.0/token`, { form });
      expect(ok.status).toBe(200);
      expect(decodeJwt(ok.body.access_token as string).appidacr).toBe('2');
      const wrongIssuer = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer('someone')
        .setSubject('someone')
        .setAudience(tokenEndpoint)
        .setExpirationTime(NOW / 1000 + 600)
        .sign(privateKey);
      const bad = await client.request<Json>('POST', `/${NORTHWIND}/oauth2/v2.0/token`, {
        form: { ...form, client_assertion: wrongIssuer },
      });
      expect(bad.status).toBe(401);
    });

    test('on-behalf-of exchanges a user token for a delegated Graph token that reaches only the user’s own mailbox', async () => {
      const userToken = await sim.mintUserToken('ben@northwind.example');
      const res = await client.request<Json>('POST', `/${NORTHWIND}/oauth2/v2.0/token`, {
        form: {
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          client_id: sim.clientId,
          client_secret: sim.clientSecret,
          assertion: userToken,
          requested_token_use: 'on_behalf_of',
          scope: `${sim.url}/.default`,
        },
      });
      expect(res.status).toBe(200);
      const obo = res.body.access_token as string;
      expect(decodeJwt(obo)).toMatchObject({
        idtyp: 'user',
        oid: '22222222-2222-4222-8222-222222222222',
        upn: 'ben@northwind.example',
        scp: 'Calendars.ReadWrite MailboxSettings.Read User.ReadBasic.All',
      });
      expect((await graph<Json>('GET', '/me/mailboxSettings', { token: obo })).body.timeZone).toBe('India Standard Time');
      expect((await graph('GET', '/users/alice@northwind.example/mailboxSettings', { token: obo })).status).toBe(403);
      const appMe = await graph<Json>('GET', '/me');
      expect(appMe.status).toBe(400);
      expect(appMe.body.error.message).toBe('/me request is only valid with delegated authentication flow.');
    });

    test('msal-node acquires an app token from the simulator (knownAuthorities = its host)', async () => {
      const networkClient: INetworkModule = {
        sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>(client, 'GET', url, options),
        sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>(client, 'POST', url, options),
      };
      const msal = new ConfidentialClientApplication({
        auth: {
          clientId: sim.clientId,
          clientSecret: sim.clientSecret,
          authority: `${sim.url}/${NORTHWIND}`,
          knownAuthorities: [new URL(sim.url).host],
        },
        system: { networkClient },
      });
      const result = await msal.acquireTokenByClientCredential({ scopes: [`${sim.url}/.default`], skipCache: true });
      expect(decodeJwt(result!.accessToken)).toMatchObject({
        tid: NORTHWIND,
        roles: ['Calendars.ReadWrite', 'MailboxSettings.Read', 'User.ReadBasic.All'],
      });
      const refused = new ConfidentialClientApplication({
        auth: {
          clientId: sim.clientId,
          clientSecret: sim.clientSecret,
          authority: `${sim.url}/${TAILSPIN}`,
          knownAuthorities: [new URL(sim.url).host],
        },
        system: { networkClient },
      });
      await expect(refused.acquireTokenByClientCredential({ scopes: [`${sim.url}/.default`] })).rejects.toThrow(/AADSTS700016/);
    });
  });

  describe('user tokens for Convene’s API', () => {
    const jwks = () =>
      createRemoteJWKSet(new URL(`${sim.url}/${NORTHWIND}/discovery/v2.0/keys`), {
        [customFetch]: (url: string, init: RequestInit) => client.fetch(url, init),
      });

    test('carry the v2 claims Convene verifies, roles only when the user has app roles', async () => {
      const token = await sim.mintUserToken('alice@northwind.example');
      const { payload } = await jwtVerify(token, jwks(), {
        issuer: `${sim.url}/${NORTHWIND}/v2.0`,
        audience: sim.clientId,
        currentDate: new Date(NOW),
      });
      expect(payload).toMatchObject({
        tid: NORTHWIND,
        oid: '11111111-1111-4111-8111-111111111111',
        preferred_username: 'alice@northwind.example',
        name: 'Alice Wong',
        scp: 'access_as_user',
        roles: ['Convene.Admin'],
        ver: '2.0',
        azp: sim.clientId,
        iat: NOW / 1000,
        nbf: NOW / 1000,
        exp: NOW / 1000 + 3600,
      });
      const ben = decodeJwt(await sim.mintUserToken('BEN@northwind.example'));
      expect(ben.roles).toBeUndefined();
      expect(ben.oid).toBe('22222222-2222-4222-8222-222222222222');
    });

    test('overrides make tokens the API must refuse', async () => {
      const expired = await sim.mintUserToken('alice@northwind.example', { expiresInSeconds: -120 });
      await expect(jwtVerify(expired, jwks(), { currentDate: new Date(NOW) })).rejects.toBeInstanceOf(joseErrors.JWTExpired);
      const otherAud = await sim.mintUserToken('alice@northwind.example', { audience: 'api://someone-else' });
      await expect(jwtVerify(otherAud, jwks(), { audience: sim.clientId, currentDate: new Date(NOW) })).rejects.toThrow(/"aud"/);
      const early = decodeJwt(
        await sim.mintUserToken('alice@northwind.example', { notBeforeSecondsFromNow: 600, roles: [], scp: 'other' }),
      );
      expect(early).toMatchObject({ nbf: NOW / 1000 + 600, scp: 'other' });
      expect(early.roles).toBeUndefined();
    });

    test('POST /_sim/token mints them too, and refuses unknown users like Entra', async () => {
      const ok = await client.request<Json>('POST', '/_sim/token', { body: { upn: 'chen@northwind.example' } });
      expect(ok.status).toBe(200);
      expect(decodeJwt(ok.body.access_token as string).preferred_username).toBe('chen@northwind.example');
      const unknown = await client.request<Json>('POST', '/_sim/token', { body: { upn: 'ghost@northwind.example' } });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({ error: 'invalid_grant', error_codes: [50034] });
      await expect(sim.mintUserToken('ghost@northwind.example')).rejects.toThrow(/AADSTS50034/);
    });
  });

  describe('Graph authentication and authorization', () => {
    test('no token, a user token, or a foreign signature get 401 InvalidAuthenticationToken with request ids', async () => {
      const none = await client.request<Json>('GET', '/v1.0/users/alice@northwind.example', {
        headers: { 'client-request-id': 'my-correlation-id' },
      });
      expect(none.status).toBe(401);
      expect(none.body.error).toMatchObject({ code: 'InvalidAuthenticationToken', message: 'Access token is empty.' });
      expect(none.headers.get('client-request-id')).toBe('my-correlation-id');
      expect(none.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(none.body.error.innerError).toEqual({
        date: '2026-11-20T12:00:00',
        'request-id': none.headers.get('request-id'),
        'client-request-id': 'my-correlation-id',
      });

      const userToken = await sim.mintUserToken('alice@northwind.example');
      expect((await graph<Json>('GET', '/users', { token: userToken })).body.error.message).toMatch(/Invalid audience/);
      const { privateKey } = await generateKeyPair('RS256');
      const forged = await new SignJWT(decodeJwt(app)).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
      expect((await graph('GET', '/users', { token: forged })).status).toBe(401);
      const ok = await graph('GET', '/users/alice@northwind.example');
      expect(ok.headers.get('client-request-id')).toBe(ok.headers.get('request-id'));
    });

    test('missing application permissions give 403 (directory: Authorization_RequestDenied; mailbox: ErrorAccessDenied)', async () => {
      await client.request('POST', `/_sim/tenants/${NORTHWIND}/consent`, { body: { granted: true, roles: ['Calendars.ReadWrite'] } });
      try {
        const limited = await client.appToken(NORTHWIND);
        const users = await graph<Json>('GET', '/users', { token: limited });
        expect([users.status, users.body.error.code]).toEqual([403, 'Authorization_RequestDenied']);
        const settings = await graph<Json>('GET', '/users/alice@northwind.example/mailboxSettings', { token: limited });
        expect([settings.status, settings.body.error.code, settings.body.error.message]).toEqual([
          403,
          'ErrorAccessDenied',
          'Access is denied. Check credentials and try again.',
        ]);
        expect((await graph('GET', '/users/alice@northwind.example/events', { token: limited })).status).toBe(200);
      } finally {
        await client.request('POST', `/_sim/tenants/${NORTHWIND}/consent`, {
          body: { granted: true, roles: ['Calendars.ReadWrite', 'MailboxSettings.Read', 'User.ReadBasic.All'] },
        });
      }
    });

    test('withdrawn consent makes Graph refuse existing tokens and Entra refuse new ones', async () => {
      await client.request('POST', `/_sim/tenants/${NORTHWIND}/consent`, { body: { granted: false } });
      try {
        expect((await graph('GET', '/users')).status).toBe(401);
        expect((await client.requestAppToken(NORTHWIND)).body.error_codes).toEqual([700016]);
      } finally {
        await client.request('POST', `/_sim/tenants/${NORTHWIND}/consent`, { body: { granted: true } });
      }
      expect((await graph('GET', '/users')).status).toBe(200);
    });
  });

  describe('mailboxSettings and users', () => {
    test('mailboxSettings by UPN, id or SMTP address, with workingHours; a sub-property; defaults where the seed has none', async () => {
      const alice = await graph<Json>('GET', '/users/alice@northwind.example/mailboxSettings');
      expect(alice.status).toBe(200);
      expect(alice.headers.get('content-type')).toMatch(/^application\/json/);
      expect(alice.body).toMatchObject({
        timeZone: 'Pacific Standard Time',
        workingHours: {
          daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
          startTime: '09:00:00.0000000',
          endTime: '17:00:00.0000000',
          timeZone: { name: 'Pacific Standard Time' },
        },
        automaticRepliesSetting: { status: 'disabled' },
      });
      expect(alice.body['@odata.context']).toBe(`${sim.url}/v1.0/$metadata#users('11111111-1111-4111-8111-111111111111')/mailboxSettings`);
      expect((await graph<Json>('GET', '/users/33333333-3333-4333-8333-333333333333/mailboxSettings')).body.workingHours.timeZone).toEqual({
        name: 'E. Australia Standard Time',
      });
      expect((await graph<Json>('GET', '/users/ben@northwind.example/mailboxSettings/timeZone')).body.value).toBe('India Standard Time');
      const selected = await graph<Json>('GET', '/users/ben@northwind.example/mailboxSettings?$select=timeZone,workingHours');
      expect(Object.keys(selected.body).sort()).toEqual(['@odata.context', 'timeZone', 'workingHours']);
    });

    test('unknown, mailbox-less and policy-blocked mailboxes fail as Exchange fails them', async () => {
      const unknown = await graph<Json>('GET', '/users/ghost@northwind.example/mailboxSettings');
      expect([unknown.status, unknown.body.error.code, unknown.body.error.message]).toEqual([
        404,
        'ErrorInvalidUser',
        "The requested user 'ghost@northwind.example' is invalid.",
      ]);
      const onPrem = await graph<Json>('GET', '/users/erin@northwind.example/mailboxSettings');
      expect([onPrem.status, onPrem.body.error.code]).toEqual([404, 'MailboxNotEnabledForRESTAPI']);
      const blocked = await graph<Json>('GET', '/users/dana@northwind.example/mailboxSettings');
      expect([blocked.status, blocked.body.error.code, blocked.body.error.message]).toEqual([403, 'ErrorAccessDenied', RAOP_MESSAGE]);
      expect((await graph('GET', '/users/dana@northwind.example/events')).status).toBe(403);
      // The policy limits mailboxes, not the directory.
      expect((await graph<Json>('GET', '/users/dana@northwind.example')).body.displayName).toBe('Dana Smith');
    });

    test('GET /users/{id|upn} with $select; unknown users are Request_ResourceNotFound', async () => {
      const full = await graph<Json>('GET', '/users/11111111-1111-4111-8111-111111111111');
      expect(full.body).toMatchObject({
        id: '11111111-1111-4111-8111-111111111111',
        displayName: 'Alice Wong',
        mail: 'alice@northwind.example',
        userPrincipalName: 'alice@northwind.example',
        jobTitle: 'Recruiting Lead',
        businessPhones: [],
      });
      const sel = await graph<Json>('GET', '/users/alice@northwind.example?$select=displayName,mail');
      expect(sel.body).toEqual({
        '@odata.context': `${sim.url}/v1.0/$metadata#users(displayName,mail)/$entity`,
        displayName: 'Alice Wong',
        mail: 'alice@northwind.example',
      });
      const badSel = await graph<Json>('GET', '/users/alice@northwind.example?$select=shoeSize');
      expect(badSel.status).toBe(400);
      const missing = await graph<Json>('GET', '/users/ghost@northwind.example');
      expect([missing.status, missing.body.error.code]).toEqual([404, 'Request_ResourceNotFound']);
      // Tenant isolation: another tenant's user is unknown here.
      expect((await graph('GET', '/users/tom@tailspin.example')).status).toBe(404);
    });

    test('GET /users with $filter startswith on displayName, mail or userPrincipalName, $top and paging', async () => {
      const q = encodeURIComponent("startswith(displayName,'b') or startswith(mail,'b') or startswith(userPrincipalName,'b')");
      const b = await graph<Json>('GET', `/users?$filter=${q}&$select=displayName,mail`);
      expect(b.body.value).toEqual([{ displayName: 'Ben Rao', mail: 'ben@northwind.example' }]);
      const quoted = await graph<Json>('GET', `/users?$filter=${encodeURIComponent("startswith(displayName,'Chen L')")}`);
      expect(quoted.body.value.map((u: Json) => u.userPrincipalName)).toEqual(['chen@northwind.example']);
      const page1 = await graph<Json>('GET', '/users?$top=2&$select=displayName');
      expect(page1.body.value).toEqual([{ displayName: 'Alice Wong' }, { displayName: 'Ben Rao' }]);
      const next = new URL(page1.body['@odata.nextLink'] as string);
      const page2 = await graph<Json>('GET', `${next.pathname.replace('/v1.0', '')}${next.search}`);
      expect(page2.body.value.map((u: Json) => u.displayName)).toEqual(['Chen Li', 'Dana Smith']);
      const unsupported = await graph<Json>('GET', `/users?$filter=${encodeURIComponent("endswith(mail,'x')")}`);
      expect([unsupported.status, unsupported.body.error.code]).toEqual([400, 'Request_UnsupportedQuery']);
      expect((await graph('GET', '/users?$top=1000')).status).toBe(400);
    });
  });

  describe('getSchedule', () => {
    const window = {
      startTime: { dateTime: '2026-11-23T16:00:00', timeZone: 'UTC' },
      endTime: { dateTime: '2026-11-24T00:00:00', timeZone: 'UTC' },
      availabilityViewInterval: 60,
    };

    test('availabilityView, items in the Prefer zone, working hours, and an error entry (never a free schedule) for unknown or blocked mailboxes', async () => {
      const res = await graph<Json>('POST', '/users/alice@northwind.example/calendar/getSchedule', {
        headers: { prefer: 'outlook.timezone="Pacific Standard Time"' },
        body: {
          schedules: [
            'alice@northwind.example',
            'ben@northwind.example',
            'chen@northwind.example',
            'dana@northwind.example',
            'nobody@northwind.example',
            'erin@northwind.example',
          ],
          ...window,
        },
      });
      expect(res.status).toBe(200);
      const [alice, ben, chen, dana, nobody, erin] = res.body.value as Json[];
      expect(alice!.availabilityView).toBe('02200100');
      expect(alice!.scheduleItems).toEqual([
        {
          isPrivate: false,
          status: 'busy',
          subject: 'Team stand-up',
          location: '',
          start: { dateTime: '2026-11-23T09:00:00.0000000', timeZone: 'Pacific Standard Time' },
          end: { dateTime: '2026-11-23T09:15:00.0000000', timeZone: 'Pacific Standard Time' },
        },
        {
          isPrivate: false,
          status: 'busy',
          subject: 'Pipeline review',
          location: 'Room 4',
          start: { dateTime: '2026-11-23T10:00:00.0000000', timeZone: 'Pacific Standard Time' },
          end: { dateTime: '2026-11-23T11:00:00.0000000', timeZone: 'Pacific Standard Time' },
        },
        {
          isPrivate: false,
          status: 'tentative',
          subject: 'Hold: offsite planning',
          location: '',
          start: { dateTime: '2026-11-23T13:00:00.0000000', timeZone: 'Pacific Standard Time' },
          end: { dateTime: '2026-11-23T13:30:00.0000000', timeZone: 'Pacific Standard Time' },
        },
      ]);
      expect(alice!.workingHours).toEqual({
        daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
        startTime: '09:00:00.0000000',
        endTime: '17:00:00.0000000',
        timeZone: { name: 'Pacific Standard Time' },
      });
      // Ben's all-day OOF covers his local (IST) day: 2026-11-23T18:30Z onwards.
      expect(ben!.availabilityView).toBe('00333333');
      expect(ben!.scheduleItems[0]).toMatchObject({ status: 'oof', start: { dateTime: '2026-11-23T10:30:00.0000000' } });
      // Chen's daily 09:00-12:00 Sydney (UTC+11 in November): 22:00Z onwards.
      expect(chen!.availabilityView).toBe('00000022');
      expect(dana).toEqual({ scheduleId: 'dana@northwind.example', error: { message: RAOP_MESSAGE, responseCode: 'ErrorAccessDenied' } });
      expect(nobody).toEqual({
        scheduleId: 'nobody@northwind.example',
        error: {
          message: 'Unable to resolve e-mail address nobody@northwind.example to an Active Directory object.',
          responseCode: '5009',
        },
      });
      expect(erin!.error.responseCode).toBe('ErrorMailRecipientNotFound');
      expect(erin!.scheduleItems).toBeUndefined();
    });

    test('items default to UTC; PascalCase parameters (as in the metadata) work like camelCase', async () => {
      const res = await graph<Json>('POST', '/users/alice@northwind.example/calendar/getSchedule', {
        body: {
          Schedules: ['alice@northwind.example'],
          StartTime: window.startTime,
          EndTime: window.endTime,
          AvailabilityViewInterval: 30,
        },
      });
      const [alice] = res.body.value as Json[];
      expect(alice!.availabilityView).toBe('0020220000100000');
      expect(alice!.scheduleItems[0].start).toEqual({ dateTime: '2026-11-23T17:00:00.0000000', timeZone: 'UTC' });
    });

    test('recurring items are expanded across the DST change with the wall clock kept', async () => {
      const res = await graph<Json>('POST', '/users/alice@northwind.example/calendar/getSchedule', {
        body: {
          schedules: ['alice@northwind.example'],
          startTime: { dateTime: '2026-10-26T00:00:00', timeZone: 'UTC' },
          endTime: { dateTime: '2026-11-05T00:00:00', timeZone: 'UTC' },
        },
      });
      const starts = (res.body.value[0].scheduleItems as Json[]).map((i) => i.start.dateTime);
      expect(starts).toEqual([
        '2026-10-26T16:00:00.0000000',
        '2026-10-28T16:00:00.0000000',
        '2026-11-02T17:00:00.0000000',
        '2026-11-04T17:00:00.0000000',
      ]);
      expect(res.body.value[0].availabilityView).toHaveLength(10 * 48);
    });

    test('invalid requests: window over 62 days, bad interval, unknown zone, no schedules, blocked organizer', async () => {
      const far = await graph<Json>('POST', '/users/alice@northwind.example/calendar/getSchedule', {
        body: {
          schedules: ['alice@northwind.example'],
          startTime: { dateTime: '2026-11-01T00:00:00', timeZone: 'UTC' },
          endTime: { dateTime: '2027-01-03T00:00:00', timeZone: 'UTC' },
        },
      });
      expect([far.status, far.body.error.code]).toEqual([400, 'ErrorTimeIntervalTooBig']);
      expect(
        (
          await graph('POST', '/users/alice@northwind.example/calendar/getSchedule', {
            body: { schedules: ['alice@northwind.example'], ...window, availabilityViewInterval: 2 },
          })
        ).status,
      ).toBe(400);
      const zone = await graph<Json>('POST', '/users/alice@northwind.example/calendar/getSchedule', {
        body: { schedules: ['alice@northwind.example'], ...window, startTime: { dateTime: '2026-11-23T16:00:00', timeZone: 'Mars' } },
      });
      expect([zone.status, zone.body.error.code]).toEqual([400, 'TimeZoneNotSupportedException']);
      expect(
        (await graph('POST', '/users/alice@northwind.example/calendar/getSchedule', { body: { schedules: [], ...window } })).status,
      ).toBe(400);
      expect(
        (
          await graph('POST', '/users/dana@northwind.example/calendar/getSchedule', {
            body: { schedules: ['alice@northwind.example'], ...window },
          })
        ).status,
      ).toBe(403);
    });
  });

  describe('events', () => {
    const invite = {
      subject: 'Interview: Jordan Candidate',
      body: { contentType: 'HTML', content: '<p>Interview loop</p>' },
      start: { dateTime: '2026-11-25T10:00:00', timeZone: 'Pacific Standard Time' },
      end: { dateTime: '2026-11-25T11:00:00', timeZone: 'Pacific Standard Time' },
      attendees: [
        { type: 'required', emailAddress: { address: 'ben@northwind.example', name: 'Ben Rao' } },
        { type: 'required', emailAddress: { address: 'chen@northwind.example', name: 'Chen Li' } },
        { type: 'required', emailAddress: { address: 'jordan@candidates.example', name: 'Jordan Candidate' } },
      ],
      isOnlineMeeting: true,
      onlineMeetingProvider: 'teamsForBusiness',
      transactionId: 'convene-interview-0001',
    };
    const benWindow = {
      schedules: ['ben@northwind.example', 'alice@northwind.example'],
      startTime: { dateTime: '2026-11-25T18:00:00', timeZone: 'UTC' },
      endTime: { dateTime: '2026-11-25T19:00:00', timeZone: 'UTC' },
      availabilityViewInterval: 60,
    };

    test('create (Teams link, organizer busy, internal attendees tentative/none), dedupe by transactionId, get, cancel', async () => {
      const created = await graph<Json>('POST', '/users/alice@northwind.example/events', { body: invite });
      expect(created.status).toBe(201);
      const event = created.body;
      expect(event).toMatchObject({
        subject: 'Interview: Jordan Candidate',
        isOrganizer: true,
        showAs: 'busy',
        transactionId: 'convene-interview-0001',
        isOnlineMeeting: true,
        onlineMeetingProvider: 'teamsForBusiness',
        start: { dateTime: '2026-11-25T10:00:00.0000000', timeZone: 'Pacific Standard Time' },
        organizer: { emailAddress: { name: 'Alice Wong', address: 'alice@northwind.example' } },
        responseStatus: { response: 'organizer' },
      });
      expect(event.onlineMeeting.joinUrl).toMatch(new RegExp(`^${sim.url}/_sim/meetup-join/`));
      expect(event.iCalUId).toMatch(/^040000008200E00074C5B7101A82E008/);
      expect(event.attendees.map((a: Json) => [a.emailAddress.address, a.status.response])).toEqual([
        ['ben@northwind.example', 'none'],
        ['chen@northwind.example', 'none'],
        ['jordan@candidates.example', 'none'],
      ]);
      expect((await client.request('GET', '/_sim/meetup-join/x')).status).toBe(200);

      const again = await graph<Json>('POST', '/users/alice@northwind.example/events', { body: { ...invite, subject: 'changed' } });
      expect([again.status, again.body.error.code]).toEqual([400, 'ErrorDuplicateTransactionId']);
      const aliceEvents = (await client.request<Json>('GET', '/_sim/users/alice@northwind.example/events')).body.value as Json[];
      expect(aliceEvents.filter((e) => e.transactionId === 'convene-interview-0001')).toHaveLength(1);

      const benCopy = ((await graph<Json>('GET', '/users/ben@northwind.example/events')).body.value as Json[]).find(
        (e) => e.iCalUId === event.iCalUId,
      );
      expect(benCopy).toMatchObject({
        showAs: 'tentative',
        isOrganizer: false,
        responseStatus: { response: 'none' },
        subject: 'Interview: Jordan Candidate',
      });
      expect(benCopy!.id).not.toBe(event.id);
      const chenCopies = ((await client.request<Json>('GET', '/_sim/users/chen@northwind.example/events')).body.value as Json[]).filter(
        (e) => e.iCalUId === event.iCalUId,
      );
      expect(chenCopies).toHaveLength(1);
      const busy = await graph<Json>('POST', '/users/alice@northwind.example/calendar/getSchedule', { body: benWindow });
      expect(busy.body.value.map((v: Json) => v.availabilityView)).toEqual(['1', '2']);

      const got = await graph<Json>('GET', `/users/alice@northwind.example/events/${encodeURIComponent(event.id)}`, {
        headers: { prefer: 'outlook.timezone="UTC"' },
      });
      expect(got.body.start).toEqual({ dateTime: '2026-11-25T18:00:00.0000000', timeZone: 'UTC' });
      const sel = await graph<Json>('GET', `/users/alice@northwind.example/events/${event.id}?$select=subject`);
      expect(Object.keys(sel.body).sort()).toEqual(['@odata.context', '@odata.etag', 'id', 'subject']);
      expect((await graph<Json>('GET', '/users/alice@northwind.example/events/AAMkADnope')).body.error.code).toBe('ErrorItemNotFound');

      const byAttendee = await graph<Json>('POST', `/users/ben@northwind.example/events/${benCopy!.id}/cancel`, { body: {} });
      expect([byAttendee.status, byAttendee.body.error.message]).toEqual([
        400,
        "Your request can't be completed. You need to be an organizer to cancel a meeting.",
      ]);
      const cancelled = await graph('POST', `/users/alice@northwind.example/events/${event.id}/cancel`, {
        body: { comment: 'Candidate withdrew' },
      });
      expect([cancelled.status, cancelled.body]).toEqual([202, undefined]);
      const free = await graph<Json>('POST', '/users/alice@northwind.example/calendar/getSchedule', { body: benWindow });
      expect(free.body.value.map((v: Json) => v.availabilityView)).toEqual(['0', '0']);
      expect(
        ((await client.request<Json>('GET', '/_sim/users/ben@northwind.example/events')).body.value as Json[]).some(
          (e) => e.iCalUId === event.iCalUId,
        ),
      ).toBe(false);
      expect((await graph('POST', `/users/alice@northwind.example/events/${event.id}/cancel`, { body: {} })).status).toBe(404);
    });

    test('single-value extended properties: stored on the organizer event, found by $filter, shown by $expand', async () => {
      const prop = 'String {ee4eaf45-76eb-4bd5-9c5f-bdfc49a586c7} Name ConveneTransactionId';
      const created = await graph<Json>('POST', '/users/alice@northwind.example/events', {
        body: { ...invite, transactionId: 'xp-1', singleValueExtendedProperties: [{ id: prop, value: 'XP-1-value' }] },
      });
      expect(created.status).toBe(201);
      expect(created.body).not.toHaveProperty('singleValueExtendedProperties');
      const find = (id: string, value: string, user = 'alice') =>
        graph<Json>(
          'GET',
          `/users/${user}@northwind.example/events?$filter=${encodeURIComponent(`singleValueExtendedProperties/Any(ep: ep/id eq '${id}' and ep/value eq '${value}')`)}&$select=id,transactionId`,
        );
      const hit = await find(prop, 'xp-1-VALUE');
      expect(hit.body.value).toEqual([expect.objectContaining({ id: created.body.id, transactionId: 'xp-1' })]);
      // The property name is case-sensitive; attendee copies do not carry the property.
      expect((await find(prop.replace('ConveneTransactionId', 'convenetransactionid'), 'xp-1-value')).body.value).toEqual([]);
      expect((await find(prop, 'xp-1-value', 'ben')).body.value).toEqual([]);
      const expanded = await graph<Json>(
        'GET',
        `/users/alice@northwind.example/events/${created.body.id}?$expand=${encodeURIComponent(`singleValueExtendedProperties($filter=id eq '${prop}')`)}`,
      );
      expect(expanded.body.singleValueExtendedProperties).toEqual([{ id: prop, value: 'XP-1-value' }]);
      const unsupported = await graph<Json>('GET', `/users/alice@northwind.example/events?$filter=${encodeURIComponent("subject eq 'x'")}`);
      expect(unsupported.status).toBe(400);
      const malformed = await graph<Json>('POST', '/users/alice@northwind.example/events', {
        body: { ...invite, transactionId: 'xp-2', singleValueExtendedProperties: [{ id: 'ConveneTransactionId', value: 'x' }] },
      });
      expect(malformed.status).toBe(400);
      await graph('POST', `/users/alice@northwind.example/events/${created.body.id}/cancel`, { body: {} });
    });

    test('a lost response: the create takes effect, the client sees the injected 504', async () => {
      sim.faults.add({ method: 'POST', pathPattern: '/events$', status: 504, times: 1, lostResponse: true });
      try {
        const lost = await graph<Json>('POST', '/users/alice@northwind.example/events', { body: { ...invite, transactionId: 'lost-1' } });
        expect([lost.status, lost.body.error.code]).toEqual([504, 'GatewayTimeout']);
        const calendar = (await client.request<Json>('GET', '/_sim/users/alice@northwind.example/events')).body.value as Json[];
        const made = calendar.filter((e) => e.transactionId === 'lost-1');
        expect(made).toHaveLength(1);
        const retry = await graph<Json>('POST', '/users/alice@northwind.example/events', { body: { ...invite, transactionId: 'lost-1' } });
        expect([retry.status, retry.body.error.code]).toEqual([400, 'ErrorDuplicateTransactionId']);
        await graph('POST', `/users/alice@northwind.example/events/${made[0]!.id}/cancel`, { body: {} });
      } finally {
        sim.faults.clear();
      }
      expect(() => sim.faults.add({ pathPattern: '/events$', times: 1, hangMs: 1, lostResponse: true })).toThrow(/lostResponse/);
    });

    test('invalid events are refused: no start, unknown zone; blocked organizer', async () => {
      const noStart = await graph<Json>('POST', '/users/alice@northwind.example/events', { body: { subject: 'x', end: invite.end } });
      expect(noStart.status).toBe(400);
      const zone = await graph<Json>('POST', '/users/alice@northwind.example/events', {
        body: { ...invite, transactionId: 'tz', start: { dateTime: '2026-11-25T09:00:00', timeZone: 'Nowhere' } },
      });
      expect([zone.status, zone.body.error.code]).toEqual([400, 'TimeZoneNotSupportedException']);
      expect((await graph('POST', '/users/dana@northwind.example/events', { body: { ...invite, transactionId: 'blocked' } })).status).toBe(
        403,
      );
      const online = await graph<Json>('POST', '/users/alice@northwind.example/events', {
        body: { ...invite, transactionId: 'plain', isOnlineMeeting: false, onlineMeetingProvider: undefined, attendees: [] },
      });
      expect(online.body.onlineMeeting).toBeNull();
      await graph('POST', `/users/alice@northwind.example/events/${online.body.id}/cancel`, { body: {} });
    });
  });

  describe('$batch and faults', () => {
    afterEach(async () => {
      sim.faults.clear();
    });

    test('sub-requests run through the same handlers; a throttled one gets 429 with Retry-After inside the batch', async () => {
      sim.faults.add({ pathPattern: '/users/ben@northwind\\.example/mailboxSettings$', status: 429, times: 1, retryAfterSeconds: 7 });
      sim.resetRequestCount();
      const res = await graph<Json>('POST', '/$batch', {
        body: {
          requests: [
            { id: '1', method: 'GET', url: '/users/alice@northwind.example/mailboxSettings' },
            { id: '2', method: 'GET', url: '/users/ben@northwind.example/mailboxSettings' },
            { id: '3', method: 'GET', url: 'users/dana@northwind.example/mailboxSettings' },
            { id: '4', method: 'GET', url: '/users/11111111-1111-4111-8111-111111111111?$select=displayName' },
            {
              id: '5',
              method: 'POST',
              url: '/users/alice@northwind.example/calendar/getSchedule',
              headers: { 'Content-Type': 'application/json' },
              body: {
                schedules: ['chen@northwind.example'],
                startTime: { dateTime: '2026-11-23T22:00:00', timeZone: 'UTC' },
                endTime: { dateTime: '2026-11-23T23:00:00', timeZone: 'UTC' },
              },
            },
          ],
        },
      });
      expect(res.status).toBe(200);
      const byId = new Map((res.body.responses as Json[]).map((r) => [r.id, r]));
      expect(byId.get('1')).toMatchObject({ status: 200, body: { timeZone: 'Pacific Standard Time' } });
      expect(byId.get('2')).toMatchObject({ status: 429, headers: { 'Retry-After': '7' }, body: { error: { code: 'TooManyRequests' } } });
      expect(byId.get('3')).toMatchObject({ status: 403, body: { error: { code: 'ErrorAccessDenied', message: RAOP_MESSAGE } } });
      expect(byId.get('4')!.body.displayName).toBe('Alice Wong');
      expect(byId.get('5')!.body.value[0].availabilityView).toBe('22');
      expect(sim.requestCount()).toBe(1);
      expect((await client.request<Json>('GET', '/_sim/requests')).body).toMatchObject({ graph: 1, batchSubRequests: 5 });
      // The rule was used up: the retry succeeds.
      const retry = await graph<Json>('POST', '/$batch', {
        body: { requests: [{ id: '2', method: 'GET', url: '/users/ben@northwind.example/mailboxSettings' }] },
      });
      expect(retry.body.responses[0].status).toBe(200);
    });

    test('batch limits and dependsOn', async () => {
      const many = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/users/alice@northwind.example' }));
      const tooMany = await graph<Json>('POST', '/$batch', { body: { requests: many } });
      expect([tooMany.status, tooMany.body.error.code]).toEqual([400, 'BadRequest']);
      const dependent = await graph<Json>('POST', '/$batch', {
        body: {
          requests: [
            { id: 'a', method: 'GET', url: '/users/ghost@northwind.example' },
            { id: 'b', method: 'GET', url: '/users/alice@northwind.example', dependsOn: ['a'] },
          ],
        },
      });
      expect((dependent.body.responses as Json[]).map((r) => r.status)).toEqual([404, 424]);
      const noType = await graph<Json>('POST', '/$batch', {
        body: {
          requests: [
            {
              id: '1',
              method: 'POST',
              url: '/users/alice@northwind.example/calendar/getSchedule',
              body: { schedules: ['alice@northwind.example'] },
            },
          ],
        },
      });
      expect(noType.body.responses[0]).toMatchObject({ status: 400, body: { error: { code: 'BadRequest' } } });
      expect(
        (await client.request('POST', '/v1.0/$batch', { body: { requests: [{ id: '1', method: 'GET', url: '/users' }] } })).status,
      ).toBe(401);
    });

    test('fault rules: status n times with Retry-After, method filter, hangs, latency; control endpoints', async () => {
      const id = sim.faults.add({ method: 'GET', pathPattern: '^/v1\\.0/users$', status: 503, times: 2, retryAfterSeconds: 3 });
      expect(sim.faults.rules()).toEqual([
        { id, method: 'GET', pathPattern: '^/v1\\.0/users$', status: 503, retryAfterSeconds: 3, remaining: 2 },
      ]);
      const first = await graph<Json>('GET', '/users');
      expect([first.status, first.headers.get('retry-after'), first.body.error.code]).toEqual([503, '3', 'serviceNotAvailable']);
      expect((await graph('GET', '/users')).status).toBe(503);
      expect((await graph('GET', '/users')).status).toBe(200);
      expect(sim.faults.rules()).toEqual([]);

      const posted = await client.request<Json>('POST', '/_sim/faults', {
        body: { rules: [{ method: 'POST', pathPattern: 'getSchedule', status: 504, times: 1 }] },
      });
      expect(posted.body.rules).toHaveLength(1);
      expect((await graph('GET', '/users/alice@northwind.example/mailboxSettings')).status).toBe(200);
      const timedOut = await graph<Json>('POST', '/users/alice@northwind.example/calendar/getSchedule', {
        body: {
          schedules: ['alice@northwind.example'],
          startTime: { dateTime: '2026-11-23T00:00:00', timeZone: 'UTC' },
          endTime: { dateTime: '2026-11-24T00:00:00', timeZone: 'UTC' },
        },
      });
      expect(timedOut.status).toBe(504);
      expect((await client.request<Json>('POST', '/_sim/faults', { body: { pathPattern: '(', status: 429, times: 1 } })).status).toBe(400);
      expect((await client.request<Json>('POST', '/_sim/faults', { body: { pathPattern: 'x', status: 418, times: 1 } })).status).toBe(400);

      sim.faults.add({ pathPattern: '/users/chen', hangMs: 250, times: 1 });
      let t = performance.now();
      expect((await graph('GET', '/users/chen@northwind.example')).status).toBe(200);
      expect(performance.now() - t).toBeGreaterThanOrEqual(240);

      await client.request('POST', '/_sim/faults', { body: { latencyMs: 120 } });
      t = performance.now();
      await client.requestAppToken(NORTHWIND);
      await graph('GET', '/users/alice@northwind.example');
      expect(performance.now() - t).toBeGreaterThanOrEqual(230);
      expect((await client.request<Json>('GET', '/_sim/faults')).body).toEqual({ latencyMs: 120, rules: [] });
      expect((await client.request('DELETE', '/_sim/faults')).status).toBe(204);
      expect(sim.faults.latency()).toBe(0);
    });
  });
});

describe('simulator over the demo tenants', () => {
  let sim: Simulator;
  let client: SimClient;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, now: () => NOW });
    client = createSimClient(sim);
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  test('Contoso is consented, Fabrikam is not; hannah is blocked; ivan has no mailbox; adele is admin', async () => {
    expect(sim.tenants.map((t) => t.domain)).toEqual(['contoso.example', 'fabrikam.example']);
    expect((await client.requestAppToken('fabrikam.example')).body.error_codes).toEqual([700016]);
    const token = await client.appToken('contoso.example');
    const schedule = await client.request<Json>('POST', '/v1.0/users/adele@contoso.example/calendar/getSchedule', {
      token,
      body: {
        schedules: ['bob@contoso.example', 'hannah@contoso.example', 'ivan@contoso.example'],
        startTime: { dateTime: '2026-11-23T00:00:00', timeZone: 'UTC' },
        endTime: { dateTime: '2026-11-28T00:00:00', timeZone: 'UTC' },
      },
    });
    const [bob, hannah, ivan] = schedule.body.value as Json[];
    expect(bob!.scheduleItems.length).toBeGreaterThan(5);
    expect(hannah!.error.responseCode).toBe('ErrorAccessDenied');
    expect(ivan!.error).toBeDefined();
    expect(decodeJwt(await sim.mintUserToken('adele@contoso.example')).roles).toEqual(['Convene.Admin']);
    expect(sim.users.find((u) => u.upn === 'hannah@contoso.example')).toMatchObject({
      tenantId: CONTOSO_TENANT_ID,
      reachable: false,
      timeZone: 'W. Europe Standard Time',
    });
  });

  test('the admin consent page redirects back like Microsoft’s and turns consent on', async () => {
    const q = new URLSearchParams({
      client_id: sim.clientId,
      redirect_uri: 'https://127.0.0.1:3000/admin/consent/callback',
      state: 'st-1',
      scope: `${sim.url}/.default`,
    });
    const page = await client.request<string>('GET', `/${FABRIKAM_TENANT_ID}/v2.0/adminconsent?${q}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Fabrikam');
    const declined = await client.request('POST', `/${FABRIKAM_TENANT_ID}/v2.0/adminconsent`, {
      form: { ...Object.fromEntries(q), action: 'cancel' },
    });
    expect(declined.status).toBe(302);
    expect(new URL(declined.headers.get('location')!).searchParams.get('error')).toBe('access_denied');
    const accepted = await client.request('POST', '/organizations/v2.0/adminconsent', {
      form: { ...Object.fromEntries(q), login_hint: 'nina@fabrikam.example', action: 'accept' },
    });
    const back = new URL(accepted.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe('https://127.0.0.1:3000/admin/consent/callback');
    expect(Object.fromEntries(back.searchParams)).toEqual({
      admin_consent: 'True',
      tenant: FABRIKAM_TENANT_ID,
      scope: `${sim.url}/.default`,
      state: 'st-1',
    });
    expect((await client.requestAppToken('fabrikam.example')).status).toBe(200);
  });

  test('at most 4 requests in flight per mailbox (Exchange’s limit); more get 429 ApplicationThrottled', async () => {
    const token = await client.appToken('contoso.example');
    sim.faults.setLatency(150);
    try {
      const same = await Promise.all(
        Array.from({ length: 6 }, () => client.request<Json>('GET', '/v1.0/users/bob@contoso.example/mailboxSettings', { token })),
      );
      const statuses = same.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      expect(same.find((r) => r.status === 429)!.body.error.code).toBe('ApplicationThrottled');
      const spread = await Promise.all(
        ['bob', 'grace', 'priya', 'olivia', 'lukas', 'emma'].map((k) =>
          client.request('GET', `/v1.0/users/${k}@contoso.example/mailboxSettings`, { token }),
        ),
      );
      expect(spread.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    } finally {
      sim.faults.clear();
    }
  });

  test('a user who left the tenant: no tokens, 404 from Graph, gone from lists and schedules', async () => {
    const token = await client.appToken('contoso.example');
    expect((await client.request('DELETE', '/_sim/users/carlos@contoso.example')).status).toBe(204);
    await expect(sim.mintUserToken('carlos@contoso.example')).rejects.toThrow(/AADSTS50034/);
    expect((await client.request<Json>('GET', '/v1.0/users/carlos@contoso.example', { token })).body.error.code).toBe(
      'Request_ResourceNotFound',
    );
    expect((await client.request<Json>('GET', '/v1.0/users/carlos@contoso.example/mailboxSettings', { token })).body.error.code).toBe(
      'ErrorInvalidUser',
    );
    const list = await client.request<Json>('GET', `/v1.0/users?$filter=${encodeURIComponent("startswith(displayName,'Carlos')")}`, {
      token,
    });
    expect(list.body.value).toEqual([]);
    const schedule = await client.request<Json>('POST', '/v1.0/users/adele@contoso.example/calendar/getSchedule', {
      token,
      body: {
        schedules: ['carlos@contoso.example'],
        startTime: { dateTime: '2026-11-23T00:00:00', timeZone: 'UTC' },
        endTime: { dateTime: '2026-11-24T00:00:00', timeZone: 'UTC' },
      },
    });
    expect(schedule.body.value[0].error.responseCode).toBe('5009');
    expect(sim.users.some((u) => u.upn === 'carlos@contoso.example')).toBe(false);
    expect((await client.request('DELETE', '/_sim/users/carlos@contoso.example')).status).toBe(404);
  });
});

async function send<T>(
  client: SimClient,
  method: 'GET' | 'POST',
  url: string,
  options?: NetworkRequestOptions,
): Promise<NetworkResponse<T>> {
  const res = await client.fetch(url, {
    method,
    headers: options?.headers ?? {},
    ...(options?.body === undefined ? {} : { body: options.body }),
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k] = v));
  const text = await res.text();
  return { status: res.status, headers, body: (text ? JSON.parse(text) : {}) as T };
}
