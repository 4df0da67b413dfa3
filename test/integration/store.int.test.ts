/**
 * The store against both engines: the same cases on PGlite (in memory, one instance for the
 * file: it takes ~3.5 s to start) and on the PostgreSQL server at 127.0.0.1:5432, in a database
 * of its own (`convene_test_<random>`) created through the `postgres` database and dropped after.
 *
 * When no PostgreSQL answers, its cases are skipped with a printed reason, except under
 * `CI=true`, where they fail. `CONVENE_TEST_PG_URL` (a URL to an admin database) overrides the
 * default candidates.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { openStore, type NewInterview, type Store } from '../../src/server/store';
import { createAuditStore } from '../../src/server/store/audit';
import { openPglite, openPostgres, type SqlClient, type SqlResult } from '../../src/server/store/db';
import { migrate } from '../../src/server/store/migrate';
import { migrations } from '../../src/server/store/migrations';
import { createSqlStore } from '../../src/server/store/sql-store';
import type { AuditEntry } from '../../src/server/store/types';
import { createTestDatabase, probePostgres } from '../support/postgres';

// ---------------------------------------------------------------------------------------------
// Builders and helpers.

function newInterview(over: Partial<NewInterview> & Pick<NewInterview, 'tid'>): NewInterview {
  const id = over.id ?? randomUUID();
  return {
    id,
    organizerOid: 'oid-organizer-1',
    organizerEmail: 'alex@contoso.com',
    candidateName: 'Casey Candidate',
    candidateEmail: 'casey@example.com',
    candidateTimeZone: 'Europe/Paris',
    panel: ['megan@contoso.com', 'lee@contoso.com'],
    subject: 'Interview: Casey Candidate',
    start: '2026-11-23T17:00:00.000Z',
    end: '2026-11-23T18:00:00.000Z',
    timeZone: 'America/Los_Angeles',
    status: 'pending',
    channel: 'addin',
    transactionId: `convene-${id}`,
    idempotencyKey: null,
    requestHash: null,
    ...over,
  };
}

function auditEntry(tid: string, at: string, over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    tid,
    actorOid: 'oid-organizer-1',
    operation: 'calendar.getSchedule',
    targetMailbox: 'megan@contoso.com',
    status: 200,
    graphRequestId: randomUUID(),
    requestId: randomUUID(),
    at,
    ...over,
  };
}

/** A {@link SqlClient} that records the statements it runs (a fake over the real port). */
function recording(db: SqlClient): { client: SqlClient; statements: string[] } {
  const statements: string[] = [];
  const client: SqlClient = {
    kind: db.kind,
    query<T extends object>(sql: string, params?: readonly unknown[]): Promise<SqlResult<T>> {
      statements.push(sql);
      return db.query<T>(sql, params);
    },
    transaction: (fn) => db.transaction(fn),
    close: () => db.close(),
  };
  return { client, statements };
}

const isoMs = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// ---------------------------------------------------------------------------------------------
// The cases every engine must pass.

interface Engine {
  /** A fresh, empty database (not yet migrated). */
  open(): Promise<SqlClient>;
  /** Called after the client is closed. */
  cleanup?(): Promise<void>;
}

function storeCases(engine: Engine): void {
  let db: SqlClient;
  let store: Store;

  beforeAll(async () => {
    db = await engine.open();
    const first = await migrate(db);
    expect(first.applied).toEqual(migrations.map((m) => m.version));
    store = createSqlStore(db);
  });

  afterAll(async () => {
    await store?.close();
    await engine.cleanup?.();
  });

  const freshTid = () => randomUUID();

  describe('migrations', () => {
    it('are idempotent: a second run applies nothing and records nothing new', async () => {
      const again = await migrate(db);
      expect(again).toEqual({ applied: [], current: migrations.length });
      const { rows } = await db.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => [Number(r.version), r.name])).toEqual(migrations.map((m) => [m.version, m.name]));
    });

    it('refuse a recorded migration whose name changed (edited history)', async () => {
      const edited = migrations.map((m, i) => (i === 0 ? { ...m, name: 'renamed' } : m));
      await expect(migrate(db, edited)).rejects.toMatchObject({
        code: 'internal',
        message: expect.stringMatching(/recorded as "initial"/),
      });
    });

    it('roll back entirely when a statement fails', async () => {
      const broken = [
        ...migrations,
        {
          version: migrations.length + 1,
          name: 'broken',
          statements: ['CREATE TABLE half_done (x int)', 'SELECT no_such_column FROM tenants'],
        },
      ];
      await expect(migrate(db, broken)).rejects.toThrow(/no_such_column/);
      const { rows } = await db.query<{ t: string | null }>(`SELECT to_regclass('half_done')::text AS t`);
      expect(rows[0]!.t).toBeNull();
      const recorded = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      expect(recorded.rows[0]!.n).toBe(migrations.length);
    });
  });

  it('answers ping and says which engine it is', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
    expect(store.kind).toBe(db.kind);
  });

  describe('tenants', () => {
    it('return null for an unknown tenant', async () => {
      await expect(store.tenants.get(freshTid())).resolves.toBeNull();
    });

    it('record consent, then update it in place (upsert)', async () => {
      const tid = freshTid();
      const first = await store.tenants.recordConsent({
        tid,
        displayName: 'Contoso',
        cloud: 'global',
        grantedRoles: ['Calendars.ReadWrite', 'MailboxSettings.Read'],
        credentialMode: 'multitenant',
        encryptedCredential: null,
      });
      expect(first).toEqual({
        tid,
        displayName: 'Contoso',
        cloud: 'global',
        consentStatus: 'granted',
        grantedRoles: ['Calendars.ReadWrite', 'MailboxSettings.Read'],
        consentedAt: expect.stringMatching(isoMs),
        credentialMode: 'multitenant',
        encryptedCredential: null,
        offboardedAt: null,
        revokedReason: null,
        updatedAt: expect.stringMatching(isoMs),
      });

      const second = await store.tenants.recordConsent({
        tid,
        displayName: null,
        cloud: 'usgov',
        grantedRoles: ['Calendars.ReadWrite'],
        credentialMode: 'tenant',
        encryptedCredential: '{"v":1}',
      });
      expect(second).toMatchObject({
        displayName: 'Contoso', // a null name keeps the known one
        cloud: 'usgov',
        grantedRoles: ['Calendars.ReadWrite'],
        credentialMode: 'tenant',
        encryptedCredential: '{"v":1}',
      });
      expect(Date.parse(second.consentedAt)).toBeGreaterThanOrEqual(Date.parse(first.consentedAt));
      await expect(store.tenants.get(tid)).resolves.toEqual(second);
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tenants WHERE tid = $1', [tid]);
      expect(rows[0]!.n).toBe(1);
    });

    it('mark a tenant disconnected (offboarded), and a new consent clears it', async () => {
      const tid = freshTid();
      const input = {
        tid,
        displayName: 'Fabrikam',
        cloud: 'global',
        grantedRoles: [],
        credentialMode: 'multitenant' as const,
        encryptedCredential: null,
      };
      await store.tenants.recordConsent(input);

      await store.tenants.setStatus(tid, 'disconnected');
      const off = await store.tenants.get(tid);
      expect(off).toMatchObject({ consentStatus: 'disconnected', offboardedAt: expect.stringMatching(isoMs), grantedRoles: [] });

      await store.tenants.setStatus(tid, 'disconnected');
      expect((await store.tenants.get(tid))!.offboardedAt).toBe(off!.offboardedAt); // the first time stays

      await store.tenants.setStatus(tid, 'revoked');
      expect(await store.tenants.get(tid)).toMatchObject({ consentStatus: 'revoked', offboardedAt: off!.offboardedAt });

      await store.tenants.recordConsent(input);
      expect(await store.tenants.get(tid)).toMatchObject({ consentStatus: 'granted', offboardedAt: null });
    });

    it('refuse setStatus on an unknown tenant', async () => {
      await expect(store.tenants.setStatus(freshTid(), 'revoked')).rejects.toMatchObject({ code: 'not_found' });
    });
  });

  describe('interviews', () => {
    it('create a row and read it back with ISO 8601 UTC instants', async () => {
      const input = newInterview({ tid: freshTid(), idempotencyKey: 'key-1', requestHash: 'a'.repeat(64) });
      const { created, interview } = await store.interviews.create(input);
      expect(created).toBe(true);
      expect(interview).toEqual({
        ...input,
        graphEventId: null,
        iCalUId: null,
        joinUrl: null,
        createdAt: expect.stringMatching(isoMs),
        updatedAt: expect.stringMatching(isoMs),
      });
      expect(interview.start).toBe('2026-11-23T17:00:00.000Z');
      await expect(store.interviews.get(input.tid, input.id)).resolves.toEqual(interview);
      await expect(store.interviews.findByIdempotencyKey(input.tid, input.organizerOid, 'key-1')).resolves.toEqual(interview);
    });

    it('normalize instants given with an offset to UTC', async () => {
      const input = newInterview({ tid: freshTid(), start: '2026-11-23T09:00:00-08:00', end: '2026-11-23T10:00:00-08:00' });
      const { interview } = await store.interviews.create(input);
      expect([interview.start, interview.end]).toEqual(['2026-11-23T17:00:00.000Z', '2026-11-23T18:00:00.000Z']);
    });

    it('return the existing row, unchanged, for a reused idempotency key', async () => {
      const tid = freshTid();
      const first = await store.interviews.create(newInterview({ tid, idempotencyKey: 'same' }));
      const again = await store.interviews.create(newInterview({ tid, idempotencyKey: 'same', subject: 'something else' }));
      expect(again).toEqual({ created: false, interview: first.interview });
    });

    it('let exactly one of 10 concurrent creates with one key through', async () => {
      const tid = freshTid();
      const inputs = Array.from({ length: 10 }, () => newInterview({ tid, idempotencyKey: 'race' }));
      const results = await Promise.all(inputs.map((i) => store.interviews.create(i)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const winner = results.find((r) => r.created)!.interview;
      expect(new Set(results.map((r) => r.interview.id))).toEqual(new Set([winner.id]));
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM interviews WHERE tid = $1', [tid]);
      expect(rows[0]!.n).toBe(1);
    });

    it('scope idempotency keys to the organizer, and never merge rows without a key', async () => {
      const tid = freshTid();
      const a = await store.interviews.create(newInterview({ tid, idempotencyKey: 'k' }));
      const b = await store.interviews.create(newInterview({ tid, idempotencyKey: 'k', organizerOid: 'oid-organizer-2' }));
      const c = await store.interviews.create(newInterview({ tid }));
      const d = await store.interviews.create(newInterview({ tid }));
      expect([a, b, c, d].map((r) => r.created)).toEqual([true, true, true, true]);
    });

    it('refuse a duplicate transactionId instead of hiding it', async () => {
      const tid = freshTid();
      const first = newInterview({ tid });
      await store.interviews.create(first);
      await expect(store.interviews.create(newInterview({ tid, transactionId: first.transactionId }))).rejects.toThrow(/unique|duplicate/i);
    });

    it('keep tenants apart and read a malformed id as absent', async () => {
      const input = newInterview({ tid: freshTid() });
      await store.interviews.create(input);
      await expect(store.interviews.get(freshTid(), input.id)).resolves.toBeNull();
      await expect(store.interviews.get(input.tid, 'not-a-uuid')).resolves.toBeNull();
      await expect(store.interviews.setStatus(freshTid(), input.id, 'cancelled')).rejects.toMatchObject({ code: 'not_found' });
    });

    it('list an organizer’s interviews by start, overlapping [from, to)', async () => {
      const tid = freshTid();
      const at = (h: number) => `2026-11-24T${String(h).padStart(2, '0')}:00:00.000Z`;
      const late = await store.interviews.create(newInterview({ tid, start: at(14), end: at(15) }));
      const early = await store.interviews.create(newInterview({ tid, start: at(9), end: at(10) }));
      const mid = await store.interviews.create(newInterview({ tid, start: at(11), end: at(12) }));
      await store.interviews.create(newInterview({ tid, organizerOid: 'someone-else', start: at(11), end: at(12) }));
      await store.interviews.create(newInterview({ tid: freshTid(), start: at(11), end: at(12) }));

      const ids = (list: { id: string }[]) => list.map((i) => i.id);
      const list = (from?: string, to?: string) => store.interviews.listForOrganizer(tid, 'oid-organizer-1', from, to);
      expect(ids(await list())).toEqual([early, mid, late].map((r) => r.interview.id));
      // 09-10 ends at 10:00 (not after 10:30); 14-15 starts at 14:00 (not before 14:00).
      expect(ids(await list('2026-11-24T10:30:00.000Z', at(14)))).toEqual([mid.interview.id]);
      expect(ids(await list('2026-11-24T09:30:00.000Z'))).toEqual([early, mid, late].map((r) => r.interview.id));
      expect(ids(await list(undefined, at(11)))).toEqual([early.interview.id]);
      await expect(list('2026-11-25T00:00:00.000Z')).resolves.toEqual([]);
    });

    it('list the live interviews of any organizer with given panelists, starting in [from, to)', async () => {
      const tid = freshTid();
      const at = (h: number) => `2026-11-24T${String(h).padStart(2, '0')}:00:00.000Z`;
      const a = await store.interviews.create(
        newInterview({ tid, start: at(9), end: at(10), panel: ['megan@contoso.com'], status: 'scheduled' }),
      );
      const b = await store.interviews.create(
        newInterview({ tid, organizerOid: 'someone-else', start: at(11), end: at(12), panel: ['lee@contoso.com', 'kim@contoso.com'] }),
      );
      await store.interviews.create(newInterview({ tid, start: at(13), end: at(14), panel: ['megan@contoso.com'], status: 'cancelled' }));
      await store.interviews.create(newInterview({ tid, start: at(13), end: at(14), panel: ['nobody@contoso.com'], status: 'scheduled' }));
      await store.interviews.create(newInterview({ tid: freshTid(), start: at(13), end: at(14), panel: ['megan@contoso.com'] }));

      const ids = (list: { id: string }[]) => list.map((i) => i.id);
      const list = (mailboxes: string[], from = at(0), to = at(23)) => store.interviews.listForPanel(tid, mailboxes, from, to);
      expect(ids(await list(['MEGAN@contoso.com', 'kim@contoso.com']))).toEqual([a.interview.id, b.interview.id]);
      expect(ids(await list(['megan@contoso.com'], at(10)))).toEqual([]);
      expect(ids(await list(['lee@contoso.com'], at(9), at(11)))).toEqual([]);
      await expect(list([])).resolves.toEqual([]);
    });

    it('mark an interview scheduled with its Graph event', async () => {
      const { interview } = await store.interviews.create(newInterview({ tid: freshTid() }));
      const event = {
        graphEventId: 'AAMkAGI2T',
        iCalUId: '040000008200E00074C5B7101A82E008',
        joinUrl: 'https://teams.microsoft.com/l/meetup-join/x',
      };
      const scheduled = await store.interviews.markScheduled(interview.tid, interview.id, event);
      expect(scheduled).toEqual({ ...interview, ...event, status: 'scheduled', updatedAt: expect.stringMatching(isoMs) });
      expect(Date.parse(scheduled.updatedAt)).toBeGreaterThanOrEqual(Date.parse(interview.updatedAt));
      await expect(store.interviews.get(interview.tid, interview.id)).resolves.toEqual(scheduled);
      await expect(store.interviews.markScheduled(interview.tid, randomUUID(), event)).rejects.toMatchObject({ code: 'not_found' });
    });

    it('set the status', async () => {
      const { interview } = await store.interviews.create(newInterview({ tid: freshTid() }));
      await expect(store.interviews.setStatus(interview.tid, interview.id, 'cancelled')).resolves.toMatchObject({
        id: interview.id,
        status: 'cancelled',
      });
      await expect(store.interviews.get(interview.tid, interview.id)).resolves.toMatchObject({ status: 'cancelled' });
      await expect(store.interviews.setStatus(interview.tid, randomUUID(), 'cancelled')).rejects.toMatchObject({ code: 'not_found' });
    });

    it('delete a row that never reached Graph (and tolerate a repeat), but not one that did', async () => {
      const tid = freshTid();
      const { interview: pending } = await store.interviews.create(newInterview({ tid, idempotencyKey: 'retry-me' }));
      await store.interviews.delete(tid, pending.id);
      await expect(store.interviews.get(tid, pending.id)).resolves.toBeNull();
      await expect(store.interviews.delete(tid, pending.id)).resolves.toBeUndefined();
      // The key is free again: a retry creates a new row.
      await expect(store.interviews.create(newInterview({ tid, idempotencyKey: 'retry-me' }))).resolves.toMatchObject({ created: true });

      const { interview: booked } = await store.interviews.create(newInterview({ tid }));
      await store.interviews.markScheduled(tid, booked.id, { graphEventId: 'evt', iCalUId: 'uid', joinUrl: null });
      await expect(store.interviews.delete(tid, booked.id)).rejects.toMatchObject({ code: 'conflict' });
      await expect(store.interviews.get(tid, booked.id)).resolves.toMatchObject({ id: booked.id });
    });
  });

  describe('audit log', () => {
    it('append many entries in one statement and list them newest first', async () => {
      const tid = freshTid();
      const base = Date.parse('2026-11-23T17:00:00.000Z');
      const entries = Array.from({ length: 250 }, (_, i) =>
        auditEntry(tid, new Date(base + i * 1000).toISOString(), { status: 200 + (i % 3) }),
      );
      entries[7] = {
        ...entries[7]!,
        targetMailbox: null,
        graphRequestId: null,
        requestId: null,
        status: 0,
        actorOid: 'app',
        operation: 'users.list',
      };

      const { client, statements } = recording(db);
      const audit = createAuditStore(client);
      await audit.append(entries);
      expect(statements).toHaveLength(1);
      expect(statements[0]).toMatch(/^\s*INSERT INTO audit_log/);
      await audit.append([]);
      expect(statements).toHaveLength(1); // nothing to write, no round trip

      const newest = await store.audit.list({ tid, limit: 1000 });
      expect(newest).toHaveLength(250);
      expect(newest).toEqual([...entries].reverse());

      await store.audit.append([auditEntry(freshTid(), entries[0]!.at)]);
      await expect(store.audit.list({ tid })).resolves.toHaveLength(100); // the default limit
      const window = await store.audit.list({ tid, from: entries[10]!.at, to: entries[13]!.at });
      expect(window).toEqual([entries[12], entries[11], entries[10]]);
      await expect(store.audit.list({ tid, limit: 2 })).resolves.toEqual([entries[249], entries[248]]);
    });

    it('refuse UPDATE, DELETE and TRUNCATE (append-only in the database)', async () => {
      const tid = freshTid();
      await store.audit.append([auditEntry(tid, '2026-11-23T17:00:00.000Z')]);
      await expect(db.query('UPDATE audit_log SET status = 500 WHERE tid = $1', [tid])).rejects.toThrow(/append-only: UPDATE refused/);
      await expect(db.query('DELETE FROM audit_log WHERE tid = $1', [tid])).rejects.toThrow(/append-only: DELETE refused/);
      await expect(db.query('TRUNCATE audit_log')).rejects.toThrow(/append-only: TRUNCATE refused/);
      await expect(store.audit.list({ tid })).resolves.toMatchObject([{ tid, status: 200 }]);
    });

    it('allow DELETE only in a transaction that set convene.audit_purge (retention purge)', async () => {
      const tid = freshTid();
      await store.audit.append([auditEntry(tid, '2020-01-01T00:00:00.000Z'), auditEntry(tid, '2026-11-23T17:00:00.000Z')]);
      // The purge setting never allows UPDATE.
      await expect(
        db.transaction(async (tx) => {
          await tx.query(`SET LOCAL convene.audit_purge = 'on'`);
          await tx.query('UPDATE audit_log SET status = 1 WHERE tid = $1', [tid]);
        }),
      ).rejects.toThrow(/UPDATE refused/);
      await db.transaction(async (tx) => {
        await tx.query(`SET LOCAL convene.audit_purge = 'on'`);
        await tx.query('DELETE FROM audit_log WHERE tid = $1 AND at < $2', [tid, '2021-01-01T00:00:00.000Z']);
      });
      await expect(store.audit.list({ tid })).resolves.toMatchObject([{ at: '2026-11-23T17:00:00.000Z' }]);
      // SET LOCAL ended with its transaction: deleting is refused again.
      await expect(db.query('DELETE FROM audit_log WHERE tid = $1', [tid])).rejects.toThrow(/DELETE refused/);
    });
  });
}

// ---------------------------------------------------------------------------------------------

describe('store on PGlite (in memory)', () => {
  storeCases({ open: () => openPglite('memory://') });
});

describe('store on PGlite (on disk)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'convene-pglite-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates <dataDir>/pglite, persists across close and reopen', async () => {
    const dataDir = path.join(dir, 'nested', 'data');
    const tid = randomUUID();
    const first = await openStore({ dataDir });
    expect(first.kind).toBe('pglite');
    expect((await stat(path.join(dataDir, 'pglite', 'PG_VERSION'))).isFile()).toBe(true);
    await first.tenants.recordConsent({
      tid,
      displayName: 'Contoso',
      cloud: 'global',
      grantedRoles: ['Calendars.ReadWrite'],
      credentialMode: 'multitenant',
      encryptedCredential: null,
    });
    const { interview } = await first.interviews.create(newInterview({ tid, idempotencyKey: 'persist' }));
    await first.audit.append([auditEntry(tid, '2026-11-23T17:00:00.000Z')]);
    await first.close();

    const second = await openStore({ dataDir });
    try {
      await expect(second.tenants.get(tid)).resolves.toMatchObject({ displayName: 'Contoso', grantedRoles: ['Calendars.ReadWrite'] });
      await expect(second.interviews.get(tid, interview.id)).resolves.toEqual(interview);
      await expect(second.audit.list({ tid })).resolves.toHaveLength(1);
      await expect(second.interviews.create(newInterview({ tid, idempotencyKey: 'persist' }))).resolves.toMatchObject({ created: false });
    } finally {
      await second.close();
    }
  });
});

const pg = probePostgres();
const adminUrl = pg.ok ? pg.adminUrl : '';
// Without a server the cases are declared skipped (so the report counts them), or fail under CI.
const describePg = pg.ok ? describe : describe.skip;

if (!pg.ok && process.env.CI === 'true') {
  describe('store on PostgreSQL', () => {
    it('needs a PostgreSQL server under CI=true', () => {
      throw new Error(`PostgreSQL store tests cannot run: ${pg.reason}`);
    });
  });
} else if (!pg.ok) {
  console.log(`Skipping the PostgreSQL store tests: ${pg.reason}. Start PostgreSQL on 127.0.0.1:5432 or set CONVENE_TEST_PG_URL.`);
}

describePg('store on PostgreSQL', () => {
  let database: { url: string; drop: () => Promise<void> };
  storeCases({
    async open() {
      database = await createTestDatabase(adminUrl);
      return openPostgres(database.url);
    },
    cleanup: () => database?.drop(),
  });
});

describePg('PostgreSQL migrations and openStore', () => {
  it('apply once when several instances migrate at the same moment', async () => {
    const database = await createTestDatabase(adminUrl);
    const clients = await Promise.all(Array.from({ length: 4 }, () => openPostgres(database.url, { poolMax: 2 })));
    try {
      const results = await Promise.all(clients.map((c) => migrate(c)));
      const all = migrations.map((m) => m.version);
      expect(results.filter((r) => r.applied.length > 0).map((r) => r.applied)).toEqual([all]);
      expect(results.every((r) => r.current === migrations.length)).toBe(true);
      const { rows } = await clients[0]!.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      expect(rows[0]!.n).toBe(migrations.length);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await database.drop();
    }
  });

  it('openStore({ databaseUrl }) migrates and serves', async () => {
    const database = await createTestDatabase(adminUrl);
    try {
      const store = await openStore({ databaseUrl: database.url });
      try {
        expect(store.kind).toBe('postgres');
        await expect(store.ping()).resolves.toBeUndefined();
        await expect(store.tenants.get('nobody')).resolves.toBeNull();
      } finally {
        await store.close();
      }
    } finally {
      await database.drop();
    }
  });

  it('openStore fails with internal when PostgreSQL does not answer, without the URL in the message', async () => {
    // Port 1 on loopback: nothing listens there.
    await expect(openStore({ databaseUrl: 'postgres://u:secret-pw@127.0.0.1:1/x' })).rejects.toMatchObject({
      code: 'internal',
      message: expect.not.stringContaining('secret-pw'),
    });
  });
});
