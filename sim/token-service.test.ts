import { SignJWT, type JWTPayload } from 'jose';
import { parseSeeds } from './seed';
import { SimWorld } from './state';
import { checkGraphToken, createSigningKeys, issuerFor, type SigningKeys, type TokenServiceDeps } from './token-service';

const URL_ = 'https://127.0.0.1:3001';
const TID = '0b9e8d7c-6a5b-4c3d-9e2f-1a0b9c8d7e6f';
const NOW = Date.parse('2026-11-20T12:00:00Z');

describe('checkGraphToken', () => {
  let keys: SigningKeys;
  let other: SigningKeys;
  let clock: number;
  let deps: TokenServiceDeps;

  beforeAll(async () => {
    [keys, other] = await Promise.all([createSigningKeys(), createSigningKeys()]);
  });

  beforeEach(() => {
    clock = NOW;
    const world = new SimWorld(
      parseSeeds({
        tenant: { id: TID, domain: 'northwind.example', displayName: 'Northwind' },
        consent: { granted: true },
        users: [{ id: '11111111-1111-4111-8111-111111111111', userPrincipalName: 'ann@northwind.example', displayName: 'Ann' }],
      }),
      NOW,
    );
    deps = { world, keys, clientId: 'c', clientSecret: 's', url: () => URL_, now: () => clock };
  });

  function appToken(signWith: SigningKeys, claims: JWTPayload = {}): Promise<string> {
    const nowS = Math.floor(NOW / 1000);
    return new SignJWT({
      aud: URL_,
      iss: issuerFor(URL_, TID),
      tid: TID,
      idtyp: 'app',
      roles: ['Calendars.Read'],
      iat: nowS,
      nbf: nowS,
      exp: nowS + 3600,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: signWith.kid })
      .sign(signWith.privateKey);
  }

  it('checks lifetime and consent on every call, also for a token whose signature it checked before', async () => {
    const token = await appToken(keys);
    await expect(checkGraphToken(deps, `Bearer ${token}`)).resolves.toMatchObject({
      ok: true,
      appOnly: true,
      permissions: ['Calendars.Read'],
    });
    clock = NOW + 3600_000 + 301_000;
    await expect(checkGraphToken(deps, `Bearer ${token}`)).resolves.toEqual({ ok: false, message: expect.stringMatching(/expired/) });
    clock = NOW;
    deps.world.findTenant(TID)!.consentGranted = false;
    await expect(checkGraphToken(deps, `Bearer ${token}`)).resolves.toEqual({ ok: false, message: expect.stringMatching(/consent/) });
  });

  it('refuses the same claims under another signature after accepting the genuine token', async () => {
    const genuine = await appToken(keys);
    await expect(checkGraphToken(deps, `Bearer ${genuine}`)).resolves.toMatchObject({ ok: true });
    const [h, p] = genuine.split('.');
    const forgedSignature = (await appToken(other)).split('.')[2];
    await expect(checkGraphToken(deps, `Bearer ${h}.${p}.${forgedSignature}`)).resolves.toEqual({
      ok: false,
      message: expect.stringMatching(/Invalid signature/),
    });
  });

  it('trusts a token only for the key it was checked with', async () => {
    const token = await appToken(keys);
    await expect(checkGraphToken(deps, `Bearer ${token}`)).resolves.toMatchObject({ ok: true });
    await expect(checkGraphToken({ ...deps, keys: other }, `Bearer ${token}`)).resolves.toMatchObject({ ok: false });
  });

  it('gives every call its own claims', async () => {
    const token = await appToken(keys);
    const first = await checkGraphToken(deps, `Bearer ${token}`);
    if (!first.ok) throw new Error(first.message);
    (first.claims.roles as string[]).push('Calendars.ReadWrite');
    const second = await checkGraphToken(deps, `Bearer ${token}`);
    expect(second.ok && second.permissions).toEqual(['Calendars.Read']);
  });
});
