/**
 * Tenant-provided app registration (issue 3, item 3) against the simulator: a tenant that never
 * consented to Convene's multi-tenant app registers its own app; Convene proves the credential,
 * stores it sealed, uses it for that tenant's Graph calls, never returns or logs it, and goes
 * back to the multi-tenant app on DELETE.
 */
import { Writable } from 'node:stream';
import { DateTime } from 'luxon';
import { type Simulator, type SeedTenant, startSimulator } from '../../sim';
import { createAppOnSimulator } from '../../sim/wiring';
import { loadConfig } from '../../src/server/config';
import { createLogger } from '../../src/server/log';
import type { App } from '../../src/server/main';
import { openStore } from '../../src/server/store';

const FAB_TID = 'f0000000-0000-4000-8000-00000000000f';
const OTHER_TID = 'e0000000-0000-4000-8000-00000000000e';
const FAB_APP = 'fab00000-0000-4000-8000-000000000001';
const FAB_SECRET = 'Fab~S3cret.value_0123456789abcdef';
const DOMAIN = 'fabrikam.example';
const wh = {
  daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as ('monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday')[],
  startTime: '09:00:00.0000000',
  endTime: '17:00:00.0000000',
  timeZone: { name: 'UTC' },
};
const user = (n: string, id: string, extra: object = {}) => ({
  id,
  userPrincipalName: `${n}@${DOMAIN}`,
  mail: `${n}@${DOMAIN}`,
  displayName: n,
  mailboxSettings: { timeZone: 'UTC', workingHours: wh },
  events: [],
  ...extra,
});

const seeds: SeedTenant[] = [
  {
    tenant: { id: FAB_TID, domain: DOMAIN, displayName: 'Fabrikam' },
    consent: { granted: false, roles: ['Calendars.ReadWrite', 'MailboxSettings.Read', 'User.ReadBasic.All'] },
    appRegistrations: [{ clientId: FAB_APP, clientSecret: FAB_SECRET }],
    users: [
      user('it', 'f1000000-0000-4000-8000-000000000001', { appRoles: ['Convene.Admin'] }),
      user('alice', 'f1000000-0000-4000-8000-000000000002'),
      user('bob', 'f1000000-0000-4000-8000-000000000003'),
    ],
  },
  {
    tenant: { id: OTHER_TID, domain: 'other.example', displayName: 'Other' },
    consent: { granted: true },
    users: [
      {
        id: 'e1000000-0000-4000-8000-000000000001',
        userPrincipalName: 'it@other.example',
        mail: 'it@other.example',
        displayName: 'Other IT',
        appRoles: ['Convene.Admin'],
      },
    ],
  },
];

let sim: Simulator;
let app: App;
let url: string;
let logs = '';

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seeds });
  const store = await openStore({ dataDir: 'memory://' });
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs += chunk.toString('utf8');
      cb();
    },
  });
  app = await createAppOnSimulator(sim, loadConfig({ LOG_LEVEL: 'trace', CONVENE_DATA_DIR: 'memory://' }), {
    store,
    logger: createLogger('trace', sink),
  });
  url = await app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  await sim?.close();
});

async function call(method: string, path: string, upn: string | undefined, body?: unknown) {
  const token = upn ? await sim.mintUserToken(upn) : undefined;
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? (JSON.parse(text) as Record<string, any>) : undefined }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const path = `/api/admin/tenants/${FAB_TID}/app-registration`;
const admin = `it@${DOMAIN}`;

function availability() {
  const monday = DateTime.utc().startOf('week').plus({ weeks: 1 });
  return call('POST', '/api/availability', `alice@${DOMAIN}`, {
    panel: [`bob@${DOMAIN}`],
    durationMinutes: 60,
    window: { start: monday.toISO(), end: monday.plus({ days: 1 }).toISO() },
    maxSlots: 3,
  });
}

describe('tenant-provided app registration', () => {
  it('is refused to non-admins, other tenants admins and anonymous callers', async () => {
    expect((await call('PUT', path, `alice@${DOMAIN}`, { clientId: FAB_APP, clientSecret: FAB_SECRET })).status).toBe(403);
    const other = await call('PUT', path, 'it@other.example', { clientId: FAB_APP, clientSecret: FAB_SECRET });
    expect(other.status).toBe(403);
    expect(other.body?.error.code).toBe('forbidden');
    expect((await call('GET', path, 'it@other.example')).status).toBe(403);
    expect((await call('PUT', path, undefined, { clientId: FAB_APP, clientSecret: FAB_SECRET })).status).toBe(401);
  });

  it('before: the tenant has not consented to the multi-tenant app, so Convene refuses', async () => {
    const r = await availability();
    expect(r.status).toBe(403);
    expect(r.body?.error.code).toBe('tenant_not_consented');
  });

  it('refuses bad input and a credential Entra rejects, storing nothing', async () => {
    const bad = await call('PUT', path, admin, { clientId: 'not-a-guid', clientSecret: 'x' });
    expect(bad.status).toBe(400);
    const mixed = await call('PUT', path, admin, { clientId: FAB_APP, clientSecret: 'x', certificatePem: 'y' });
    expect(mixed.status).toBe(400);
    const wrong = await call('PUT', path, admin, { clientId: FAB_APP, clientSecret: 'wrong-secret-value' });
    expect(wrong.status).toBe(400);
    expect(wrong.body?.error.message).toMatch(/rejected the client secret or certificate .*AADSTS7000215/);
    const unknownApp = await call('PUT', path, admin, { clientId: 'fab00000-0000-4000-8000-0000000000ff', clientSecret: FAB_SECRET });
    expect(unknownApp.status).toBe(400);
    expect(unknownApp.body?.error.message).toMatch(/AADSTS700016/);
    const cert = await call('PUT', path, admin, {
      clientId: FAB_APP,
      certificatePem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
      privateKeyPem: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
    });
    expect(cert.status).toBe(400);
    expect((await call('GET', path, admin)).body).toEqual({ mode: 'multitenant' });
  });

  it('proves, seals and uses the credential; never returns it', async () => {
    const put = await call('PUT', path, admin, { clientId: FAB_APP, clientSecret: FAB_SECRET });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      mode: 'tenant',
      clientId: FAB_APP,
      credentialType: 'secret',
      keyId: expect.stringMatching(/^[0-9a-f]{16}$/),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(put.text).not.toContain(FAB_SECRET);
    const get = await call('GET', path, admin);
    expect(get.body).toEqual(put.body);
    expect(get.text).not.toContain(FAB_SECRET);

    // Stored sealed: neither the secret nor its base64 is in the row.
    const row = await app.store.tenants.get(FAB_TID);
    expect(row?.credentialMode).toBe('tenant');
    expect(row?.encryptedCredential).toBeTruthy();
    expect(row?.encryptedCredential).not.toContain(FAB_SECRET);
    expect(row?.encryptedCredential).not.toContain(Buffer.from(FAB_SECRET).toString('base64').slice(0, 16));

    // Graph calls for this tenant now use the tenant's own app.
    const r = await availability();
    expect(r.status).toBe(200);
    expect(r.body?.attendees).toEqual([expect.objectContaining({ email: `bob@${DOMAIN}`, status: 'ok' })]);
    expect(r.body?.slots.length).toBeGreaterThan(0);
  });

  it('DELETE goes back to the multi-tenant app (not consented here: refused again)', async () => {
    const del = await call('DELETE', path, admin);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ mode: 'multitenant' });
    const row = await app.store.tenants.get(FAB_TID);
    expect(row?.encryptedCredential).toBeNull();
    const r = await availability();
    expect(r.status).toBe(403);
    expect(r.body?.error.code).toBe('tenant_not_consented');
  });

  it('logged nothing secret during the whole flow', () => {
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(FAB_SECRET);
    expect(logs).not.toContain(Buffer.from(FAB_SECRET).toString('base64'));
    expect(logs).not.toMatch(/wrong-secret-value/);
  });
});
