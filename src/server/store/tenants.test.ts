import { randomUUID } from 'node:crypto';
import { openSqlClient, type SqlClient } from './db';
import { migrate } from './migrate';
import { createConsentStateStore, createTenantStore, TENANT_SCOPED_TABLES, TENANT_TABLES_KEPT } from './tenants';

let db: SqlClient;

beforeAll(async () => {
  db = await openSqlClient({ dataDir: 'memory://' });
  await migrate(db);
});

afterAll(async () => {
  await db?.close();
});

describe('tenant-scoped tables', () => {
  it('lists every table with a tid column, so offboarding misses none', async () => {
    const { rows } = await db.query<{ name: string }>(
      `SELECT DISTINCT table_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'tid'`,
    );
    const declared = new Set([...TENANT_SCOPED_TABLES.map((t) => t.table), ...TENANT_TABLES_KEPT]);
    expect(rows.map((r) => r.name).filter((t) => !declared.has(t))).toEqual([]);
  });

  it("disconnect deletes one tenant's rows and keeps the audit log; deleteUserData only the user's", async () => {
    const tenants = createTenantStore(db);
    const [a, b] = [randomUUID(), randomUUID()];
    await tenants.recordConsent({
      tid: a,
      displayName: 'A',
      cloud: 'global',
      grantedRoles: ['x'],
      credentialMode: 'multitenant',
      encryptedCredential: 'sealed',
    });
    for (const [tid, oid] of [
      [a, 'u1'],
      [a, 'u2'],
      [b, 'u1'],
    ])
      await db.query(`INSERT INTO conversation_references (tid, user_oid, reference) VALUES ($1, $2, '{}'::jsonb)`, [tid, oid]);
    await db.query(
      `INSERT INTO audit_log (tid, actor_oid, operation, target_mailbox, status, at) VALUES ($1, 'u1', 'users.get', NULL, 200, now())`,
      [a],
    );

    expect(await tenants.deleteUserData(a, 'u1')).toMatchObject({ interviews: 0, conversation_references: 1 });
    expect(await tenants.disconnect(a)).toMatchObject({ conversation_references: 1 });
    const left = await db.query<{ tid: string }>(`SELECT tid FROM conversation_references`);
    expect(left.rows.map((r) => r.tid)).toEqual([b]);
    expect((await db.query(`SELECT 1 FROM audit_log WHERE tid = $1`, [a])).rows).toHaveLength(1);
    expect(await tenants.get(a)).toMatchObject({ consentStatus: 'disconnected', encryptedCredential: null, grantedRoles: [] });
    // A disconnected tenant is not flipped to revoked.
    expect(await tenants.markRevoked(a, 'token')).toBe(false);
  });
});

describe('consent states', () => {
  it('are single use, bound to the browser, and expire', async () => {
    const states = createConsentStateStore(db);
    const t0 = Date.parse('2030-01-01T00:00:00Z');
    const iso = (ms: number) => new Date(ms).toISOString();
    await states.create({
      stateHash: 's1',
      bindingHash: 'b1',
      tenantHint: 'contoso.example',
      createdAt: iso(t0),
      expiresAt: iso(t0 + 600_000),
    });
    await states.create({ stateHash: 's2', bindingHash: 'b2', tenantHint: null, createdAt: iso(t0), expiresAt: iso(t0 + 600_000) });

    expect(await states.take('s1', 'other', iso(t0 + 1000))).toEqual({ outcome: 'otherBrowser' });
    expect(await states.take('s1', 'b1', iso(t0 + 1000))).toEqual({ outcome: 'ok', tenantHint: 'contoso.example', admin: null });
    expect(await states.take('s1', 'b1', iso(t0 + 1000))).toEqual({ outcome: 'unknown' });
    expect(await states.take('s2', 'b2', iso(t0 + 600_000))).toEqual({ outcome: 'expired' });
    expect(await states.take('nope', 'b2', iso(t0))).toEqual({ outcome: 'unknown' });
  });

  it('remember the signed-in admin who started one', async () => {
    const states = createConsentStateStore(db);
    const t0 = Date.parse('2030-01-01T00:00:00Z');
    const iso = (ms: number) => new Date(ms).toISOString();
    const tid = randomUUID();
    await states.create({
      stateHash: 'a1',
      bindingHash: 'b',
      tenantHint: tid,
      createdAt: iso(t0),
      expiresAt: iso(t0 + 600_000),
      admin: { oid: 'oid-1', name: 'Ada Admin' },
      clientKey: 'oid:oid-1',
    });
    expect(await states.take('a1', 'b', iso(t0))).toEqual({ outcome: 'ok', tenantHint: tid, admin: { oid: 'oid-1', name: 'Ada Admin' } });
  });

  it('are bounded per client and in all, dropping expired ones first, then the oldest', async () => {
    await db.query('DELETE FROM consent_states');
    const states = createConsentStateStore(db);
    const t0 = Date.parse('2030-02-01T00:00:00Z');
    const iso = (ms: number) => new Date(ms).toISOString();
    const bounds = { perClient: 3, total: 5 };
    const make = (hash: string, clientKey: string, createdMs: number, ttlMs = 600_000) =>
      states.create(
        { stateHash: hash, bindingHash: 'b', tenantHint: null, createdAt: iso(createdMs), expiresAt: iso(createdMs + ttlMs), clientKey },
        bounds,
      );
    const left = async () =>
      (await db.query<{ state_hash: string }>('SELECT state_hash FROM consent_states ORDER BY seq')).rows.map((r) => r.state_hash);

    // One client: only its newest 3 stay.
    for (let i = 1; i <= 5; i++) await make(`ip1-${i}`, 'ip:10.0.0.1', t0 + i);
    expect(await left()).toEqual(['ip1-3', 'ip1-4', 'ip1-5']);
    // Another client is not affected by the first one's bound.
    await make('ip2-1', 'ip:10.0.0.2', t0 + 10);
    await make('ip2-2', 'ip:10.0.0.2', t0 + 11);
    expect(await left()).toEqual(['ip1-3', 'ip1-4', 'ip1-5', 'ip2-1', 'ip2-2']);
    // In all at most 5: the oldest goes, whoever made it.
    await make('ip3-1', 'ip:10.0.0.3', t0 + 12);
    expect(await left()).toEqual(['ip1-4', 'ip1-5', 'ip2-1', 'ip2-2', 'ip3-1']);
    // Expired states go before any pending one is dropped.
    await db.query(`UPDATE consent_states SET expires_at = $1 WHERE state_hash = 'ip2-1'`, [iso(t0 + 13)]);
    await make('ip4-1', 'ip:10.0.0.4', t0 + 20);
    expect(await left()).toEqual(['ip1-4', 'ip1-5', 'ip2-2', 'ip3-1', 'ip4-1']);
    // The dropped ones are gone for good: their callback finds nothing.
    expect(await states.take('ip1-1', 'b', iso(t0 + 30))).toEqual({ outcome: 'unknown' });
    expect((await states.take('ip4-1', 'b', iso(t0 + 30))).outcome).toBe('ok');
  });
});

describe('tenant records', () => {
  const input = (tid: string) => ({
    tid,
    displayName: 'T',
    cloud: 'global',
    grantedRoles: ['Calendars.ReadWrite'],
    credentialMode: 'multitenant' as const,
    encryptedCredential: null,
  });

  it('keep a stored tenant credential, its mode and roles on a consent with keepTenantApp', async () => {
    const tenants = createTenantStore(db);
    const tid = randomUUID();
    await tenants.recordConsent({
      ...input(tid),
      credentialMode: 'tenant',
      encryptedCredential: '{"sealed":1}',
      grantedRoles: ['Own.Role'],
    });
    const after = await tenants.recordConsent({
      ...input(tid),
      grantedRoles: ['Calendars.ReadWrite', 'MailboxSettings.Read'],
      keepTenantApp: true,
      consentedBy: { oid: 'oid-9', name: 'Ada' },
    });
    expect(after).toMatchObject({
      consentStatus: 'granted',
      credentialMode: 'tenant',
      encryptedCredential: '{"sealed":1}',
      grantedRoles: ['Own.Role'],
      consentedBy: { oid: 'oid-9', name: 'Ada' },
    });
    // Without a tenant credential the consent's own values apply.
    const other = randomUUID();
    expect(await tenants.recordConsent({ ...input(other), keepTenantApp: true })).toMatchObject({
      credentialMode: 'multitenant',
      encryptedCredential: null,
      grantedRoles: ['Calendars.ReadWrite'],
    });
    expect((await tenants.get(other))?.consentedBy).toBeUndefined();
    // Without keepTenantApp the credential is replaced as before.
    expect(await tenants.recordConsent(input(tid))).toMatchObject({ credentialMode: 'multitenant', encryptedCredential: null });
  });

  it('record and clear the access warning of granted tenants only; disconnect clears it', async () => {
    const tenants = createTenantStore(db);
    const tid = randomUUID();
    expect(await tenants.recordAccessWarning(tid, 'x')).toBe(false); // unknown tenant
    await tenants.recordConsent(input(tid));
    expect(await tenants.recordAccessWarning(tid, 'refused')).toBe(true);
    const warned = await tenants.get(tid);
    expect(warned).toMatchObject({ consentStatus: 'granted', accessWarning: { reason: 'refused' } });
    expect(Date.parse(warned?.accessWarning?.at ?? '')).not.toBeNaN();
    expect(await tenants.clearAccessWarning(tid)).toBe(true);
    expect(await tenants.clearAccessWarning(tid)).toBe(false);
    expect((await tenants.get(tid))?.accessWarning).toBeUndefined();
    await tenants.recordAccessWarning(tid, 'refused');
    await tenants.disconnect(tid);
    expect((await tenants.get(tid))?.accessWarning).toBeUndefined();
    expect(await tenants.recordAccessWarning(tid, 'refused')).toBe(false);
  });
});
