import { appTokenRefreshMarginMs, createAppTokenSource } from './app-tokens';
import type { FetchLike } from '../net';

const LOGIN = 'https://login.test';
const GRAPH = 'https://graph.test';
const CLIENT_ID = '0b0e1a2c-0000-4000-8000-00000000c0de';
const TID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const HOUR_MS = 3_600_000;

/** An unsigned JWT-shaped app token (MSAL does not verify access tokens; Convene reads `roles`). */
function appToken(serial: number): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ tid: TID, roles: ['Calendars.Read'], serial })}.sig`;
}

type TokenAnswer = { status: number; body: Record<string, unknown> };

/**
 * A fake Entra login host for MSAL: tenant metadata and the token endpoint. Token requests are
 * counted; `answer` decides each one (default: a fresh token for an hour).
 */
class FakeEntra {
  tokenRequests = 0;
  answer: (n: number) => TokenAnswer | Promise<TokenAnswer> = (n) => ({
    status: 200,
    body: { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: appToken(n) },
  });

  fetch: FetchLike = async (input) => {
    const url = String(input);
    if (url.startsWith(`${LOGIN}/${TID}/v2.0/.well-known/openid-configuration`))
      return json(200, {
        token_endpoint: `${LOGIN}/${TID}/oauth2/v2.0/token`,
        jwks_uri: `${LOGIN}/${TID}/discovery/v2.0/keys`,
        issuer: `${LOGIN}/${TID}/v2.0`,
        authorization_endpoint: `${LOGIN}/${TID}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${LOGIN}/${TID}/oauth2/v2.0/logout`,
      });
    if (url.startsWith(`${LOGIN}/${TID}/oauth2/v2.0/token`)) {
      const a = await this.answer(++this.tokenRequests);
      return json(a.status, a.body);
    }
    return json(404, { error: 'not_found' });
  };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function serialOf(token: string): number {
  return (JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as { serial: number }).serial;
}

describe('app token source', () => {
  let entra: FakeEntra;
  const source = () =>
    createAppTokenSource({
      clientId: CLIENT_ID,
      credential: { kind: 'secret', secret: 'not-a-secret' },
      loginEndpoint: LOGIN,
      graphEndpoint: GRAPH,
      fetch: entra.fetch,
    });

  beforeEach(() => {
    entra = new FakeEntra();
    jest.useFakeTimers({ advanceTimers: true, now: Date.parse('2026-11-23T12:00:00Z') });
  });
  afterEach(() => jest.useRealTimers());

  it('asks Entra once, then hands out the kept token', async () => {
    const tokens = source();
    const first = await tokens.acquire(TID.toUpperCase());
    expect(first.roles).toEqual(['Calendars.Read']);
    expect(first.expiresOnMs).toBeGreaterThan(Date.now() + HOUR_MS - 60_000);
    for (let i = 0; i < 5; i++) expect(await tokens.getAppToken(TID)).toBe(first.accessToken);
    expect(entra.tokenRequests).toBe(1);
  });

  it('shares one Entra request among concurrent first callers', async () => {
    const tokens = source();
    const all = await Promise.all(Array.from({ length: 10 }, () => tokens.getAppToken(TID)));
    expect(new Set(all).size).toBe(1);
    expect(entra.tokenRequests).toBe(1);
  });

  it('keeps a token until 5 minutes before it expires, then gets a new one', async () => {
    const tokens = source();
    const first = await tokens.getAppToken(TID);
    jest.setSystemTime(Date.now() + HOUR_MS - appTokenRefreshMarginMs - 2_000);
    expect(await tokens.getAppToken(TID)).toBe(first);
    expect(entra.tokenRequests).toBe(1);
    jest.setSystemTime(Date.now() + 3_000);
    const second = await tokens.getAppToken(TID);
    expect(serialOf(second)).toBe(2);
    expect(entra.tokenRequests).toBe(2);
  });

  it('does not keep a token that is already within the margin', async () => {
    entra.answer = (n) => ({ status: 200, body: { token_type: 'Bearer', expires_in: 200, access_token: appToken(n) } });
    const tokens = source();
    await tokens.getAppToken(TID);
    await tokens.getAppToken(TID);
    expect(entra.tokenRequests).toBe(2);
  });

  it('never keeps a failure: a refused tenant is asked again and can succeed', async () => {
    entra.answer = (n) =>
      n === 1
        ? {
            status: 400,
            body: {
              error: 'unauthorized_client',
              error_description: 'AADSTS700016: Application not found in the directory.',
              error_codes: [700016],
            },
          }
        : { status: 200, body: { token_type: 'Bearer', expires_in: 3600, access_token: appToken(n) } };
    const tokens = source();
    await expect(tokens.getAppToken(TID)).rejects.toMatchObject({ code: 'tenant_not_consented' });
    expect(serialOf(await tokens.getAppToken(TID))).toBe(2);
    expect(entra.tokenRequests).toBe(2);
  });

  it('invalidate drops the kept token; forceRefresh skips it', async () => {
    const tokens = source();
    await tokens.getAppToken(TID);
    tokens.invalidate(TID.toUpperCase());
    expect(serialOf(await tokens.getAppToken(TID))).toBe(2);
    expect(serialOf((await tokens.acquire(TID, true)).accessToken)).toBe(3);
    // The forced token is the one kept from then on.
    expect(serialOf(await tokens.getAppToken(TID))).toBe(3);
    expect(entra.tokenRequests).toBe(3);
  });

  it('does not keep a token asked for before an invalidate that came while it was on its way', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const plain = entra.answer;
    entra.answer = async (n) => {
      if (n === 1) await gate;
      return plain(n);
    };
    const tokens = source();
    const early = tokens.getAppToken(TID);
    await new Promise((r) => setTimeout(r, 20)); // MSAL reaches the token endpoint
    tokens.invalidate(TID);
    release();
    expect(serialOf(await early)).toBe(1);
    expect(serialOf(await tokens.getAppToken(TID))).toBe(2);
  });

  it('hands out copies of the roles', async () => {
    const tokens = source();
    (await tokens.acquire(TID)).roles.push('User.Read.All');
    expect((await tokens.acquire(TID)).roles).toEqual(['Calendars.Read']);
  });
});
