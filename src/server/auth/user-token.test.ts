import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { ConveneError } from '../../shared/errors';
import type { FetchLike } from '../net';
import { createUserTokenVerifier } from './user-token';

const LOGIN = 'https://login.test';
const CLIENT_ID = '0b0e1a2c-0000-4000-8000-00000000c0de';
const TID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OTHER_TID = '11111111-86f1-41af-91ab-2d7cd011db47';
const OID = '9a3f1c2d-0000-4000-8000-000000000001';
const NOW = Date.parse('2026-11-23T12:00:00Z');

type Keys = Awaited<ReturnType<typeof generateKeyPair>>;
let good: Keys;
let rogue: Keys;
let jwks: { keys: JWK[] };
const fetched: string[] = [];

const fakeFetch: FetchLike = async (input) => {
  const url = String(input);
  fetched.push(url);
  if (url === `${LOGIN}/${TID}/discovery/v2.0/keys` || url === `${LOGIN}/${OTHER_TID}/discovery/v2.0/keys`)
    return new Response(JSON.stringify(jwks), { status: 200, headers: { 'content-type': 'application/json' } });
  return new Response('not found', { status: 404 });
};

beforeAll(async () => {
  good = await generateKeyPair('RS256', { extractable: true });
  rogue = await generateKeyPair('RS256', { extractable: true });
  jwks = { keys: [{ ...(await exportJWK(good.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
});

interface TokenSpec {
  claims?: Record<string, unknown>;
  omit?: string[];
  key?: Keys;
  kid?: string;
  iat?: number;
  exp?: number;
}

async function token(spec: TokenSpec = {}): Promise<string> {
  const nowS = Math.floor(NOW / 1000);
  const claims: Record<string, unknown> = {
    aud: CLIENT_ID,
    iss: `${LOGIN}/${TID}/v2.0`,
    tid: TID,
    oid: OID,
    scp: 'access_as_user',
    preferred_username: 'bob@contoso.example',
    name: 'Bob Kim',
    ver: '2.0',
    iat: spec.iat ?? nowS - 60,
    nbf: nowS - 60,
    exp: spec.exp ?? nowS + 3600,
    ...spec.claims,
  };
  for (const k of spec.omit ?? []) delete claims[k];
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: spec.kid ?? 'k1', typ: 'JWT' }).sign((spec.key ?? good).privateKey);
}

const verifier = () => createUserTokenVerifier({ loginEndpoint: LOGIN, clientId: CLIENT_ID, fetch: fakeFetch, now: () => NOW });

async function refusal(authorization: string | undefined, v = verifier()): Promise<ConveneError> {
  const e = await v.verify(authorization).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ConveneError);
  expect((e as ConveneError).code).toBe('unauthenticated');
  expect((e as ConveneError).status).toBe(401);
  return e as ConveneError;
}

describe('user token verification', () => {
  it('accepts a Microsoft-issued token for Convene and returns the verified identity', async () => {
    const auth = await verifier().verify(`Bearer ${await token({ claims: { roles: ['Convene.Admin'] } })}`);
    expect(auth).toMatchObject({ tid: TID, oid: OID, username: 'bob@contoso.example', roles: ['Convene.Admin'] });
    expect(fetched).toContain(`${LOGIN}/${TID}/discovery/v2.0/keys`);
  });

  it('accepts the api://<client id> audience form too', async () => {
    await expect(verifier().verify(`Bearer ${await token({ claims: { aud: `api://${CLIENT_ID}` } })}`)).resolves.toMatchObject({
      oid: OID,
    });
  });

  it('refuses a missing or malformed Authorization header', async () => {
    expect((await refusal(undefined)).message).toMatch(/bearer token is required/);
    await refusal('Basic dXNlcjpwYXNz');
    await refusal('Bearer not-a-jwt');
  });

  it('refuses an expired token', async () => {
    const nowS = Math.floor(NOW / 1000);
    expect((await refusal(`Bearer ${await token({ iat: nowS - 7200, exp: nowS - 120 })}`)).message).toMatch(/expired/);
  });

  it('allows 60 s of clock skew, not more', async () => {
    const nowS = Math.floor(NOW / 1000);
    await expect(verifier().verify(`Bearer ${await token({ iat: nowS - 3600, exp: nowS - 30 })}`)).resolves.toMatchObject({ oid: OID });
    await refusal(`Bearer ${await token({ iat: nowS - 3600, exp: nowS - 90 })}`);
  });

  it('refuses a token that is not valid yet', async () => {
    expect((await refusal(`Bearer ${await token({ claims: { nbf: Math.floor(NOW / 1000) + 600 } })}`)).message).toMatch(/not valid yet/);
  });

  it('refuses a token for another audience', async () => {
    expect((await refusal(`Bearer ${await token({ claims: { aud: 'https://graph.microsoft.com' } })}`)).message).toMatch(
      /another audience/,
    );
  });

  it("refuses a token whose issuer is not its own tenant's", async () => {
    await refusal(`Bearer ${await token({ claims: { iss: `${LOGIN}/${OTHER_TID}/v2.0` } })}`);
    await refusal(`Bearer ${await token({ claims: { iss: `https://evil.example/${TID}/v2.0` } })}`);
  });

  it('refuses a token without a tenant or with a non-GUID tenant', async () => {
    await refusal(`Bearer ${await token({ omit: ['tid'] })}`);
    await refusal(`Bearer ${await token({ claims: { tid: 'contoso.example' } })}`);
  });

  it('refuses a token without a user object id', async () => {
    await refusal(`Bearer ${await token({ omit: ['oid'] })}`);
  });

  it('refuses an app-only token (no access_as_user scope)', async () => {
    expect((await refusal(`Bearer ${await token({ omit: ['scp'], claims: { roles: ['Convene.Admin'] } })}`)).message).toMatch(
      /access_as_user/,
    );
  });

  it('refuses an unsigned token (alg none)', async () => {
    const signed = await token();
    const [, payload] = signed.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await refusal(`Bearer ${header}.${payload}.`);
  });

  it('refuses a token signed by an unknown key, with a known or an unknown kid', async () => {
    expect((await refusal(`Bearer ${await token({ key: rogue, kid: 'k1' })}`)).message).toMatch(/signature/);
    expect((await refusal(`Bearer ${await token({ key: rogue, kid: 'rogue' })}`)).message).toMatch(/not one of the tenant's signing keys/);
  });

  it('refuses a tampered payload', async () => {
    const [h, , s] = (await token()).split('.');
    const forged = Buffer.from(
      JSON.stringify({ aud: CLIENT_ID, iss: `${LOGIN}/${TID}/v2.0`, tid: TID, oid: OID, scp: 'access_as_user', exp: 9e9, iat: 1 }),
    ).toString('base64url');
    await refusal(`Bearer ${h}.${forged}.${s}`);
  });

  it('picks up a rolled-over signing key: an unknown kid refetches the key set, at most every 30 s', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      const v = verifier();
      await v.verify(`Bearer ${await token()}`);
      const next = await generateKeyPair('RS256', { extractable: true });
      jwks = { keys: [...jwks.keys, { ...(await exportJWK(next.publicKey)), kid: 'k2', alg: 'RS256', use: 'sig' }] };
      const before = fetched.length;
      // Within the cooldown the cached set is used (a flood of forged kids cannot hammer Entra).
      await refusal(`Bearer ${await token({ key: next, kid: 'k2' })}`, v);
      expect(fetched.length).toBe(before);
      jest.setSystemTime(Date.now() + 31_000);
      await expect(v.verify(`Bearer ${await token({ key: next, kid: 'k2' })}`)).resolves.toMatchObject({ oid: OID });
      expect(fetched.length).toBe(before + 1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('answers 503 graph_unavailable, not 401, when the signing keys cannot be fetched', async () => {
    const down: FetchLike = async () => {
      throw new TypeError('fetch failed');
    };
    const v = createUserTokenVerifier({ loginEndpoint: LOGIN, clientId: CLIENT_ID, fetch: down, now: () => NOW });
    await expect(v.verify(`Bearer ${await token()}`)).rejects.toMatchObject({ code: 'graph_unavailable', status: 503 });
  });
});

describe('verified token cache', () => {
  const DAY_MS = 24 * 60 * 60 * 1000;
  let clock: number;
  const at = (cacheSize?: number) =>
    createUserTokenVerifier({
      loginEndpoint: LOGIN,
      clientId: CLIENT_ID,
      fetch: fakeFetch,
      now: () => clock,
      ...(cacheSize === undefined ? {} : { cacheSize }),
    });
  let savedJwks: { keys: JWK[] };

  beforeEach(() => {
    clock = NOW;
    savedJwks = jwks;
    jest.useFakeTimers({ advanceTimers: true });
  });
  afterEach(() => {
    jwks = savedJwks;
    jest.useRealTimers();
  });

  /**
   * The lever that tells a remembered token from a verified one: Entra drops key k1 from the
   * tenant's set and the key set cache (24 h) runs out, so verifying a k1 token again fails.
   */
  async function dropKeyK1(): Promise<void> {
    const next = await generateKeyPair('RS256', { extractable: true });
    jwks = { keys: [{ ...(await exportJWK(next.publicKey)), kid: 'k2', alg: 'RS256', use: 'sig' }] };
    jest.setSystemTime(Date.now() + DAY_MS + 60_000);
  }

  it('does not verify a token again while it is valid; without the cache it would', async () => {
    const t = `Bearer ${await token()}`;
    const cached = at();
    const uncached = at(0);
    await cached.verify(t);
    await uncached.verify(t);
    await dropKeyK1();
    await expect(cached.verify(t)).resolves.toMatchObject({ oid: OID, tid: TID });
    expect((await refusal(t, uncached)).message).toMatch(/not one of the tenant's signing keys/);
  });

  it('uses a remembered token only until its exp (not the skew after it), then verifies it again', async () => {
    const nowS = Math.floor(NOW / 1000);
    const t = `Bearer ${await token({ exp: nowS + 100 })}`;
    const v = at();
    await v.verify(t);
    await dropKeyK1();
    clock = (nowS + 99) * 1000;
    await expect(v.verify(t)).resolves.toMatchObject({ oid: OID });
    clock = (nowS + 100) * 1000;
    await refusal(t, v);
  });

  it('does not remember a token accepted only thanks to the clock skew', async () => {
    const nowS = Math.floor(NOW / 1000);
    const t = `Bearer ${await token({ iat: nowS - 3600, exp: nowS - 30 })}`;
    const v = at();
    await expect(v.verify(t)).resolves.toMatchObject({ oid: OID });
    await dropKeyK1();
    await refusal(t, v);
  });

  it('never remembers a refusal: a token not valid yet is accepted once it is', async () => {
    const t = `Bearer ${await token({ claims: { nbf: Math.floor(NOW / 1000) + 600 } })}`;
    const v = at();
    expect((await refusal(t, v)).message).toMatch(/not valid yet/);
    clock = NOW + 600_000;
    await expect(v.verify(t)).resolves.toMatchObject({ oid: OID });
  });

  it('never remembers an outage: the same token verifies once the keys can be fetched', async () => {
    let up = false;
    const flaky: FetchLike = async (input, init) => {
      if (!up) throw new TypeError('fetch failed');
      return fakeFetch(input, init);
    };
    const v = createUserTokenVerifier({ loginEndpoint: LOGIN, clientId: CLIENT_ID, fetch: flaky, now: () => clock });
    const t = `Bearer ${await token()}`;
    await expect(v.verify(t)).rejects.toMatchObject({ code: 'graph_unavailable' });
    up = true;
    await expect(v.verify(t)).resolves.toMatchObject({ oid: OID });
  });

  it('keys entries by the whole token: the same claims with another signature are verified on their own', async () => {
    const genuine = await token();
    const v = at();
    await v.verify(`Bearer ${genuine}`);
    const [h, p] = genuine.split('.');
    const [, , otherSignature] = (await token({ key: rogue })).split('.');
    expect((await refusal(`Bearer ${h}.${p}.${otherSignature}`, v)).message).toMatch(/signature/);
  });

  it('holds at most cacheSize tokens, dropping the least recently used', async () => {
    const nowS = Math.floor(NOW / 1000);
    const [t1, t2, t3] = await Promise.all([1, 2, 3].map(async (i) => `Bearer ${await token({ exp: nowS + 3600 + i })}`));
    const v = at(2);
    await v.verify(t1);
    await v.verify(t2);
    await v.verify(t1); // t1 is now the most recently used
    await v.verify(t3); // evicts t2
    await dropKeyK1();
    await expect(v.verify(t1)).resolves.toMatchObject({ oid: OID });
    await expect(v.verify(t3)).resolves.toMatchObject({ oid: OID });
    await refusal(t2, v);
  });

  it('hands out copies: a caller changing its identity does not change the remembered one', async () => {
    const t = `Bearer ${await token({ claims: { roles: ['Convene.Admin'] } })}`;
    const v = at();
    const first = await v.verify(t);
    first.roles.push('Convene.Owner');
    first.oid = 'someone-else';
    await expect(v.verify(t)).resolves.toMatchObject({ oid: OID, roles: ['Convene.Admin'] });
  });
});
