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
    expect(await states.take('s1', 'b1', iso(t0 + 1000))).toEqual({ outcome: 'ok', tenantHint: 'contoso.example' });
    expect(await states.take('s1', 'b1', iso(t0 + 1000))).toEqual({ outcome: 'unknown' });
    expect(await states.take('s2', 'b2', iso(t0 + 600_000))).toEqual({ outcome: 'expired' });
    expect(await states.take('nope', 'b2', iso(t0))).toEqual({ outcome: 'unknown' });
  });
});
