/**
 * Scale-out on PostgreSQL (issue 6 item 4): TWO server instances, each its own Node process, on
 * one PostgreSQL database (its own per run on 127.0.0.1:5432), behind a loopback round-robin
 * proxy; the Microsoft 365 simulator runs in this process. Two processes share no memory, so
 * every guarantee shown here comes from PostgreSQL: the booking lock (advisory locks), the
 * Idempotency-Key (unique constraint), and the scheduled jobs (one claim per job and period).
 *
 * Skipped with a printed reason when no PostgreSQL answers; under CI=true it fails instead.
 */
import { DateTime } from 'luxon';
import { Client } from 'pg';
import { type Simulator, startSimulator } from '../../sim';
import { createFetch } from '../../src/server/net';
import { nextMonday, NORTHWIND_TID, testTenants, users } from '../fixtures/northwind';
import { bundleInstance, type Instance, type InstanceBundle, startInstance } from '../support/instances';
import { createTestDatabase, describeWithPostgres } from '../support/postgres';
import { type RoundRobinProxy, startRoundRobinProxy } from '../support/round-robin-proxy';

jest.setTimeout(90_000);

describeWithPostgres('scale-out: two instances on one PostgreSQL', (adminUrl) => {
  let database: { url: string; drop: () => Promise<void> };
  let sim: Simulator;
  let bundle: InstanceBundle;
  let instances: Instance[] = [];
  let proxy: RoundRobinProxy;
  let pg: Client;
  let olivia: string;
  let mateo: string;
  const monday = nextMonday(Date.now());
  const panel = [users.priya.upn, users.lukas.upn];
  /** Wednesday and Thursday, 13:00-15:30 UTC: free for the panel (see the fixture). */
  const slot = (day: number, halfHour: number) => ({
    start: monday.plus({ days: day, hours: 13, minutes: 30 * halfHour }).toISO() as string,
    end: monday.plus({ days: day, hours: 13, minutes: 30 * halfHour + 30 }).toISO() as string,
  });
  const booking = (s: { start: string; end: string }, who = panel) => ({
    candidate: { name: 'Jane Doe', email: 'jane@candidates.example' },
    panel: who,
    ...s,
  });

  beforeAll(async () => {
    [database, sim, bundle] = await Promise.all([
      createTestDatabase(adminUrl()),
      startSimulator({ port: 0, seeds: testTenants(Date.now()) }),
      bundleInstance(),
    ]);
    // Both start at once: the migrations run once (advisory lock), the other waits and skips.
    instances = await Promise.all(['instance-a', 'instance-b'].map((id) => startInstance(bundle, sim, id, { DATABASE_URL: database.url })));
    proxy = await startRoundRobinProxy(instances.map((i) => i.url));
    pg = new Client({ connectionString: database.url });
    await pg.connect();
    [olivia, mateo] = await Promise.all([sim.mintUserToken(users.olivia.upn), sim.mintUserToken(users.mateo.upn)]);
  });

  afterAll(async () => {
    await Promise.allSettled(instances.map((i) => i.stop()));
    await proxy?.close();
    await pg?.end();
    await sim?.close();
    await bundle?.cleanup();
    await database?.drop();
  });

  async function book(token: string, body: unknown, key: string) {
    const res = await fetch(`${proxy.url}/api/interviews`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
    });
    return { status: res.status, backend: res.headers.get('x-convene-backend'), body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }

  interface SimEvent {
    id: string;
    subject: string;
    start: { dateTime: string };
    transactionId: string | null;
  }
  async function organizerEvents(upn: string): Promise<SimEvent[]> {
    const res = await createFetch({ caPem: sim.caPem })(`${sim.url}/_sim/users/${upn}/events`);
    const body = (await res.json()) as { value?: SimEvent[] } | SimEvent[];
    return Array.isArray(body) ? body : (body.value ?? []);
  }
  /** The organizer's events starting at `startIso` (the simulator answers in UTC). */
  const eventsAt = (events: SimEvent[], startIso: string) =>
    events.filter((e) => DateTime.fromISO(e.start.dateTime, { zone: 'utc' }).toMillis() === Date.parse(startIso));

  it('starts both instances, migrated once, and the proxy reaches both', async () => {
    const health = await Promise.all([0, 1, 2, 3].map(() => fetch(`${proxy.url}/healthz`)));
    expect(health.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(health.map((r) => r.headers.get('x-convene-backend')))).toEqual(new Set(['0', '1']));
    const { rows } = await pg.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toContain(4);
  });

  it('the same Idempotency-Key sent many times at once through both instances: one interview, one invite', async () => {
    const keys = ['scale-same-1', 'scale-same-2', 'scale-same-3'];
    const slots = [slot(2, 0), slot(2, 1), slot(2, 2)];
    const responses = await Promise.all(keys.flatMap((key, k) => Array.from({ length: 6 }, () => book(olivia, booking(slots[k]!), key))));
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 201));
    expect(new Set(responses.map((r) => r.backend))).toEqual(new Set(['0', '1']));
    const events = await organizerEvents(users.olivia.upn);
    keys.forEach((key, k) => {
      const mine = responses.slice(k * 6, k * 6 + 6);
      expect(new Set(mine.map((r) => r.body.id)).size).toBe(1);
      expect(new Set(mine.map((r) => r.body.graphEventId)).size).toBe(1);
      expect(eventsAt(events, slots[k]!.start)).toHaveLength(1);
      // Graph transactionId = the interview id: one event carries it.
      expect(events.filter((e) => e.transactionId === mine[0]!.body.id)).toHaveLength(1);
    });
    const { rows } = await pg.query<{ key: string; n: number }>(
      `SELECT idempotency_key AS key, count(*)::int AS n FROM interviews WHERE idempotency_key = ANY($1) AND status = 'scheduled' GROUP BY 1`,
      [keys],
    );
    expect(rows.map((r) => [r.key, r.n]).sort()).toEqual(keys.map((k) => [k, 1]));
  });

  it('different keys for the same slot at once: exactly one wins, the others get 409 slot_taken', async () => {
    const s = slot(3, 0);
    const responses = await Promise.all(Array.from({ length: 6 }, (_, i) => book(olivia, booking(s), `scale-race-${i}`)));
    const won = responses.filter((r) => r.status === 201);
    const lost = responses.filter((r) => r.status === 409);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(5);
    for (const r of lost) expect(r.body.error.code).toBe('slot_taken');
    expect(new Set(responses.map((r) => r.backend))).toEqual(new Set(['0', '1']));
    expect(eventsAt(await organizerEvents(users.olivia.upn), s.start)).toHaveLength(1);
    const { rows } = await pg.query<{ status: string }>(`SELECT status FROM interviews WHERE idempotency_key LIKE 'scale-race-%'`);
    expect(rows.map((r) => r.status)).toEqual(['scheduled']);
  });

  it('different slots at once: every booking succeeds and no interview is lost', async () => {
    const slots = [slot(3, 1), slot(3, 2), slot(3, 3), slot(3, 4), slot(2, 3), slot(2, 4)];
    const responses = await Promise.all(slots.map((s, i) => book(olivia, booking(s), `scale-slot-${i}`)));
    expect(responses.map((r) => r.status)).toEqual(slots.map(() => 201));
    const events = await organizerEvents(users.olivia.upn);
    for (const s of slots) expect(eventsAt(events, s.start)).toHaveLength(1);
    const { rows } = await pg.query<{ n: number; events: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT graph_event_id)::int AS events FROM interviews
       WHERE idempotency_key LIKE 'scale-slot-%' AND status = 'scheduled'`,
    );
    expect(rows[0]).toEqual({ n: slots.length, events: slots.length });
  });

  it('the audit purge triggered on both instances at once runs once; the audit log stays append-only', async () => {
    const old = new Date(Date.now() - 100 * 86_400_000).toISOString();
    const recent = new Date(Date.now() - 10 * 86_400_000).toISOString();
    await pg.query(
      `INSERT INTO audit_log (tid, actor_oid, operation, target_mailbox, status, at)
       SELECT $1, 'oid-old', 'calendar.getSchedule', 'x@northwind.example', 200, $2::timestamptz FROM generate_series(1, 25)`,
      [NORTHWIND_TID, old],
    );
    await pg.query(
      `INSERT INTO audit_log (tid, actor_oid, operation, target_mailbox, status, at) VALUES ($1, 'oid-recent', 'users.get', NULL, 200, $2)`,
      [NORTHWIND_TID, recent],
    );
    // An ordinary DELETE, UPDATE or TRUNCATE is refused by the database.
    await expect(pg.query(`DELETE FROM audit_log WHERE actor_oid = 'oid-old'`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(pg.query(`UPDATE audit_log SET status = 1 WHERE actor_oid = 'oid-old'`)).rejects.toThrow(/UPDATE refused/);
    await expect(pg.query('TRUNCATE audit_log')).rejects.toThrow(/TRUNCATE refused/);

    const outcomes = await Promise.all(instances.map((i) => i.trigger('audit-purge')));
    const ran = outcomes.filter((o) => o.ran);
    expect(ran).toHaveLength(1);
    expect(ran[0]).toMatchObject({ status: 'succeeded', result: { deleted: 25, retentionDays: 90 } });
    expect(outcomes.filter((o) => !o.ran)).toHaveLength(1);

    const runs = await pg.query<{ period: string; status: string; attempts: number; result: { deleted: number } }>(
      `SELECT period, status, attempts, result FROM job_runs WHERE job = 'audit-purge'`,
    );
    expect(runs.rows).toEqual([
      { period: ran[0]!.period, status: 'succeeded', attempts: 1, result: expect.objectContaining({ deleted: 25 }) },
    ]);
    const left = await pg.query<{ actor: string; n: number }>(
      `SELECT actor_oid AS actor, count(*)::int AS n FROM audit_log WHERE actor_oid IN ('oid-old', 'oid-recent') GROUP BY 1`,
    );
    expect(left.rows).toEqual([{ actor: 'oid-recent', n: 1 }]);
    // Triggered again in the same period: nobody runs it twice.
    const again = await Promise.all(instances.map((i) => i.trigger('audit-purge')));
    expect(again.map((o) => o.ran)).toEqual([false, false]);
  });

  it('the user archive triggered on both instances at once runs once: one Graph lookup per organizer, audited', async () => {
    // Thursday 15:30 UTC: no other booking of this file uses it.
    const booked = await book(mateo, booking(slot(3, 5)), 'scale-mateo-1');
    expect(booked.status).toBe(201);
    const simFetch = createFetch({ caPem: sim.caPem });
    expect((await simFetch(`${sim.url}/_sim/users/${users.mateo.upn}`, { method: 'DELETE' })).status).toBeLessThan(300);

    const outcomes = await Promise.all(instances.map((i) => i.trigger('user-archive')));
    const ran = outcomes.filter((o) => o.ran);
    expect(ran).toHaveLength(1);
    // Organizers with interviews ahead: Olivia (still here) and Mateo (gone).
    expect(ran[0]).toMatchObject({ status: 'succeeded', result: { checked: 2, left: 1, archived: 1, unknown: 0 } });

    const statuses = await pg.query<{ oid: string; status: string; n: number }>(
      `SELECT organizer_oid AS oid, status, count(*)::int AS n FROM interviews GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(statuses.rows.filter((r) => r.oid === users.mateo.id)).toEqual([{ oid: users.mateo.id, status: 'archived', n: 1 }]);
    expect(statuses.rows.filter((r) => r.oid === users.olivia.id).map((r) => r.status)).toEqual(['scheduled']);
    const lookups = await pg.query<{ target: string; status: number }>(
      `SELECT target_mailbox AS target, status FROM audit_log WHERE actor_oid = 'app' AND operation = 'users.get' ORDER BY target_mailbox`,
    );
    expect(lookups.rows).toEqual(
      [
        { target: users.olivia.id, status: 200 },
        { target: users.mateo.id, status: 404 },
      ].sort((a, b) => a.target.localeCompare(b.target)),
    );
    const runs = await pg.query(`SELECT instance_id FROM job_runs WHERE job = 'user-archive'`);
    expect(runs.rows).toHaveLength(1);
  });

  it('a disconnect through one instance is refused at once by the other (no stale consent cache), without calling Graph', async () => {
    const people = (url: string) => fetch(`${url}/api/people?q=pr`, { headers: { authorization: `Bearer ${olivia}` } });
    // Both instances have just seen the tenant consented (each keeps its own verdict).
    expect((await Promise.all(instances.map((i) => people(i.url)))).map((r) => r.status)).toEqual([200, 200]);
    const admin = await sim.mintUserToken(users.admin.upn);
    const disconnected = await fetch(`${instances[0]!.url}/api/admin/tenants/${NORTHWIND_TID}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(disconnected.status).toBe(200);
    const graphBefore = sim.requestCount();
    const refused = await people(instances[1]!.url);
    const body = (await refused.json()) as { error?: { code?: string } };
    expect([refused.status, body.error?.code]).toEqual([403, 'tenant_not_consented']);
    expect(sim.requestCount()).toBe(graphBefore);
  });

  it('an admin consent state is single use across instances: of simultaneous callbacks with it, one connects', async () => {
    // The tenant was disconnected above: only a start signed in as its Convene admin may connect it again.
    const start = await fetch(`${instances[0]!.url}/api/admin/consent/start`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await sim.mintUserToken(users.admin.upn)}` },
    });
    expect(start.status).toBe(200);
    const state = new URL(((await start.json()) as { url: string }).url).searchParams.get('state') ?? '';
    const cookie = (start.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const query = `admin_consent=True&tenant=${NORTHWIND_TID}&state=${encodeURIComponent(state)}`;
    const answers = await Promise.all(
      [...instances, ...instances, ...instances].map((i) =>
        fetch(`${i.url}/admin/consent/callback?${query}`, { redirect: 'manual', headers: { cookie } }),
      ),
    );
    const results = answers.map((r) => new URL(r.headers.get('location') ?? '', 'http://x').searchParams.get('result'));
    expect(results.sort()).toEqual(['connected', ...Array.from({ length: 5 }, () => 'state_invalid')]);
  });

  it('both instances stop on SIGTERM after serving load, with exit code 0', async () => {
    const codes = await Promise.all(instances.map((i) => i.stop(15_000)));
    expect(codes).toEqual([0, 0]);
  });
});

describe('graceful shutdown on embedded PGlite', () => {
  it('finishes the request in flight, then exits 0 after serving load', async () => {
    const [sim, bundle] = await Promise.all([startSimulator({ port: 0, seeds: testTenants(Date.now()) }), bundleInstance()]);
    let instance: Instance | undefined;
    try {
      instance = await startInstance(bundle, sim, 'pglite', { CONVENE_DATA_DIR: 'memory://' });
      const token = await sim.mintUserToken(users.olivia.upn);
      const monday = nextMonday(Date.now());
      const availability = () =>
        fetch(`${instance!.url}/api/availability`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            panel: [users.priya.upn, users.lukas.upn],
            durationMinutes: 30,
            window: { start: monday.toISO(), end: monday.plus({ days: 5 }).toISO() },
          }),
        });
      // Load on keep-alive connections (fetch pools them), then one slow request in flight.
      const load = await Promise.all(Array.from({ length: 12 }, availability));
      expect(load.map((r) => r.status)).toEqual(load.map(() => 200));
      sim.faults.setLatency(400);
      const before = sim.requestCount();
      const slow = availability();
      // SIGTERM once the request is inside the server (its Graph call reached the simulator).
      for (let i = 0; i < 200 && sim.requestCount() === before; i++) await new Promise((r) => setTimeout(r, 25));
      expect(sim.requestCount()).toBeGreaterThan(before);
      const started = Date.now();
      const code = instance.stop(15_000);
      const answered = await slow;
      expect(answered.status).toBe(200);
      await expect(code).resolves.toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await instance?.stop();
      await sim.close();
      await bundle.cleanup();
    }
  });
});
