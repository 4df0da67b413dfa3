/**
 * The HTTP API end to end: real HTTP on 127.0.0.1, the server on PGlite, the local Microsoft 365
 * simulator behind it. Covers the promises: the dual lock, unreadable never free, audit, no
 * duplicate invites, slot re-check, the user who leaves the tenant.
 */
import { DateTime } from 'luxon';
import { nextMonday, NORTHWIND_TID, testTenants, users } from '../fixtures/northwind';
import { createFetch } from '../../src/server/net';
import { type Stack, startStack } from '../support/stack';

let stack: Stack;
let olivia: string;
const monday = nextMonday(Date.now());
const window = { start: monday.toISO(), end: monday.plus({ days: 5 }).toISO() };
const panel = [users.priya.upn, users.lukas.upn, users.mateo.upn];

beforeAll(async () => {
  stack = await startStack(testTenants(Date.now()));
  olivia = await stack.token(users.olivia.upn);
});

afterAll(async () => {
  await stack?.close();
});

afterEach(() => stack.sim.faults.clear());

/** Graph requests the simulator served while `fn` ran. */
async function graphCallsDuring(fn: () => Promise<unknown>): Promise<number> {
  const before = stack.sim.requestCount();
  await fn();
  return stack.sim.requestCount() - before;
}

const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' });

describe('POST /api/availability', () => {
  it("finds the panel's common free times, in everyone's own zone", async () => {
    const res = await stack.call('POST', '/api/availability', {
      token: olivia,
      body: { panel, durationMinutes: 60, window, stepMinutes: 30 },
    });
    expect(res.status).toBe(200);
    expect(res.body.organizer).toEqual({ email: users.olivia.upn, timeZone: expect.stringMatching(/America\/New_York/) });
    expect(res.body.complete).toBe(true);
    expect(res.body.attendees.map((a: { status: string }) => a.status)).toEqual(['ok', 'ok', 'ok']);

    const starts = res.body.slots.map((s: { start: string }) => utc(s.start));
    // Overlap 13:00-15:30 UTC; Monday loses 13:30-14:00 starts to Lukas' 14:00-14:30 meeting;
    // Tuesday's tentative hold at 13:00-14:00 blocks by default; Friday Mateo is out of office.
    const byDay = (d: number) =>
      starts.filter((s: DateTime) => s.hasSame(monday.plus({ days: d }), 'day')).map((s: DateTime) => s.toFormat('HH:mm'));
    expect(byDay(0)).toEqual(['13:00', '14:30']);
    expect(byDay(1)).toEqual(['14:00', '14:30']);
    expect(byDay(2)).toEqual(['13:00', '13:30', '14:00', '14:30']);
    expect(byDay(3)).toEqual(['13:00', '13:30', '14:00', '14:30']);
    expect(byDay(4)).toEqual([]);

    const first = res.body.slots[0];
    expect(first.local[users.priya.upn]).toMatch(/T18:30:00\+05:30$/);
    expect(first.local[users.lukas.upn]).toMatch(/T14:00:00\+01:00$/);
    expect(first.local[users.mateo.upn]).toMatch(/T07:00:00-06:00$/);
  });

  it('lets tentative holds through when asked, and shows the candidate local time', async () => {
    const res = await stack.call('POST', '/api/availability', {
      token: olivia,
      body: { panel, durationMinutes: 60, window, stepMinutes: 30, tentativeBlocks: false, candidate: { timeZone: 'Asia/Tokyo' } },
    });
    expect(res.status).toBe(200);
    const tuesday = res.body.slots.filter((s: { start: string }) => utc(s.start).hasSame(monday.plus({ days: 1 }), 'day'));
    expect(tuesday.map((s: { start: string }) => utc(s.start).toFormat('HH:mm'))).toEqual(['13:00', '13:30', '14:00', '14:30']);
    expect(tuesday[0].local.candidate).toMatch(/T22:00:00\+09:00$/);
  });

  it('costs one $batch (getSchedule inside it, next to the mailboxSettings reads): one Graph request', async () => {
    const calls = await graphCallsDuring(() =>
      stack.call('POST', '/api/availability', { token: olivia, body: { panel, durationMinutes: 60, window } }),
    );
    expect(calls).toBe(1);
  });

  it('reports a mailbox the access policy denies as blocked, never as free', async () => {
    const res = await stack.call('POST', '/api/availability', {
      token: olivia,
      body: { panel: [...panel, users.gwen.upn], durationMinutes: 60, window, stepMinutes: 30 },
    });
    expect(res.status).toBe(200);
    expect(res.body.complete).toBe(false);
    const gwen = res.body.attendees.find((a: { email: string }) => a.email === users.gwen.upn);
    expect(gwen.status).toBe('blocked');
    expect(gwen.reason).toMatch(/access policy|RBAC/i);
    expect(res.body.slots.every((s: { local: Record<string, string> }) => !(users.gwen.upn in s.local))).toBe(true);
  });

  it('reports an unknown mailbox as notFound', async () => {
    const res = await stack.call('POST', '/api/availability', {
      token: olivia,
      body: { panel: [users.priya.upn, 'nobody@northwind.example'], durationMinutes: 30, window },
    });
    expect(res.status).toBe(200);
    expect(res.body.attendees[1]).toMatchObject({ email: 'nobody@northwind.example', status: 'notFound' });
    expect(res.body.complete).toBe(false);
  });

  it('rides out Graph throttling (429 with Retry-After) and answers', async () => {
    stack.sim.faults.add({ method: 'POST', pathPattern: 'getSchedule', status: 429, times: 1, retryAfterSeconds: 1 });
    const res = await stack.call('POST', '/api/availability', { token: olivia, body: { panel, durationMinutes: 60, window } });
    expect(res.status).toBe(200);
    expect(res.body.complete).toBe(true);
  });

  it('answers 503 with Retry-After when Graph stays unavailable, and never reports slots', async () => {
    stack.sim.faults.add({ method: 'POST', pathPattern: 'getSchedule', status: 503, times: 50, retryAfterSeconds: 120 });
    const res = await stack.call('POST', '/api/availability', { token: olivia, body: { panel, durationMinutes: 60, window } });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('graph_unavailable');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('the dual lock: refused, and Graph never called', () => {
  const good = () => ({ panel, durationMinutes: 60, window });

  it.each([
    ['no token', undefined],
    ['a malformed token', 'abc.def'],
  ])('without a verified token (%s): 401', async (_label, token) => {
    let res: Awaited<ReturnType<Stack['call']>> | undefined;
    const calls = await graphCallsDuring(async () => (res = await stack.call('POST', '/api/availability', { token, body: good() })));
    expect(res?.status).toBe(401);
    expect(res?.body.error.code).toBe('unauthenticated');
    expect(calls).toBe(0);
  });

  it.each([
    ['expired', { expiresInSeconds: -3600 }],
    ['for another audience', { audience: '00000003-0000-0000-c000-000000000000' }],
    ['not yet valid', { notBeforeSecondsFromNow: 3600 }],
    ['without access_as_user', { scp: 'User.Read' }],
  ])('with a token that is %s: 401', async (_label, overrides) => {
    const token = await stack.sim.mintUserToken(users.olivia.upn, overrides);
    let res: Awaited<ReturnType<Stack['call']>> | undefined;
    const calls = await graphCallsDuring(async () => (res = await stack.call('POST', '/api/availability', { token, body: good() })));
    expect(res?.status).toBe(401);
    expect(calls).toBe(0);
  });

  it('for a tenant without admin consent: 403 tenant_not_consented', async () => {
    const token = await stack.token('sam@tailspin.example');
    let res: Awaited<ReturnType<Stack['call']>> | undefined;
    const calls = await graphCallsDuring(
      async () => (res = await stack.call('POST', '/api/availability', { token, body: { ...good(), panel: ['sam@tailspin.example'] } })),
    );
    expect(res?.status).toBe(403);
    expect(res?.body.error.code).toBe('tenant_not_consented');
    expect(res?.body.error.message).toMatch(/AADSTS/);
    expect(calls).toBe(0);
  });

  it.each([
    ['unknown fields', { ...{ panel, durationMinutes: 60, window }, organizer: 'ceo@northwind.example' }, 'organizer'],
    ['an empty panel', { panel: [], durationMinutes: 60, window }, 'panel'],
    ['a panel over 40', { panel: Array.from({ length: 41 }, (_, i) => `p${i}@northwind.example`), durationMinutes: 60, window }, 'panel'],
    ['a zero duration', { panel, durationMinutes: 0, window }, 'durationMinutes'],
    ['a duration over 8 h', { panel, durationMinutes: 481, window }, 'durationMinutes'],
    ['a window ending before it starts', { panel, durationMinutes: 60, window: { start: window.end, end: window.start } }, 'window.end'],
    [
      'a window over 180 days',
      { panel, durationMinutes: 60, window: { start: window.start, end: monday.plus({ days: 181 }).toISO() } },
      'window.end',
    ],
    [
      'an instant without offset',
      { panel, durationMinutes: 60, window: { start: '2026-11-23T09:00:00', end: window.end } },
      'window.start',
    ],
    [
      'an unknown candidate zone',
      { panel, durationMinutes: 60, window, candidate: { timeZone: 'Mars/Olympus_Mons' } },
      'candidate.timeZone',
    ],
    ['an email that is not an email', { panel: ['bob'], durationMinutes: 60, window }, 'panel.0'],
  ])('with a body that fails its schema (%s): 400 naming the field', async (_label, body, path) => {
    let res: Awaited<ReturnType<Stack['call']>> | undefined;
    const calls = await graphCallsDuring(async () => (res = await stack.call('POST', '/api/availability', { token: olivia, body })));
    expect(res?.status).toBe(400);
    expect(res?.body.error.code).toBe('invalid_request');
    expect(res?.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(calls).toBe(0);
  });

  it('with malformed JSON: 400, nothing called', async () => {
    let res: Awaited<ReturnType<Stack['call']>> | undefined;
    const calls = await graphCallsDuring(
      async () => (res = await stack.call('POST', '/api/availability', { token: olivia, rawBody: '{"panel":' })),
    );
    expect(res?.status).toBe(400);
    expect(calls).toBe(0);
  });
});

describe('POST /api/interviews', () => {
  const slot = () => ({
    start: monday.plus({ days: 2, hours: 13 }).toISO() as string,
    end: monday.plus({ days: 2, hours: 14 }).toISO() as string,
  });
  const booking = () => ({ candidate: { name: 'Jane Doe', email: 'jane@candidates.example' }, panel, ...slot() });

  it('books in the organizer’s own calendar, with the panel, the candidate and a Teams link; a retry books nothing new', async () => {
    const res = await stack.call('POST', '/api/interviews', { token: olivia, body: booking(), headers: { 'idempotency-key': 'book-1' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'scheduled', organizer: { email: users.olivia.upn }, channel: 'api' });
    expect(Date.parse(res.body.start)).toBe(Date.parse(slot().start));
    expect(Date.parse(res.body.end)).toBe(Date.parse(slot().end));
    expect(res.body.joinUrl).toMatch(/^https:\/\//);
    expect(res.body.graphEventId).toEqual(expect.any(String));

    const events = await simEvents(users.olivia.upn);
    const created = events.filter((e) => e.id === res.body.graphEventId);
    expect(created).toHaveLength(1);
    expect(created[0]?.isOrganizer).toBe(true);
    expect(created[0]?.attendees.map((a) => a.emailAddress.address).sort()).toEqual([...panel, 'jane@candidates.example'].sort());
    expect(created[0]?.onlineMeeting?.joinUrl).toBe(res.body.joinUrl);

    const again = await stack.call('POST', '/api/interviews', { token: olivia, body: booking(), headers: { 'idempotency-key': 'book-1' } });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(res.body.id);
    expect((await simEvents(users.olivia.upn)).filter((e) => e.subject === res.body.subject)).toHaveLength(1);

    // The attendees now show the slot as tentative: a second booking of it is refused.
    const other = await stack.call('POST', '/api/interviews', { token: olivia, body: booking(), headers: { 'idempotency-key': 'book-2' } });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('slot_taken');

    const reused = await stack.call('POST', '/api/interviews', {
      token: olivia,
      body: { ...booking(), subject: 'Another' },
      headers: { 'idempotency-key': 'book-1' },
    });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    const otherCandidate = await stack.call('POST', '/api/interviews', {
      token: olivia,
      body: { ...booking(), candidate: { name: 'John Roe', email: 'john@candidates.example' } },
      headers: { 'idempotency-key': 'book-1' },
    });
    expect(otherCandidate.status).toBe(409);
    expect(otherCandidate.body.error.code).toBe('idempotency_key_reused');
    // Case and duplicates in emails do not make a different request.
    const same = await stack.call('POST', '/api/interviews', {
      token: olivia,
      body: {
        ...booking(),
        panel: [...panel.map((p) => p.toUpperCase()), panel[0]],
        candidate: { name: 'Jane Doe', email: 'JANE@candidates.example' },
      },
      headers: { 'idempotency-key': 'book-1' },
    });
    expect(same.status).toBe(201);
    expect(same.body.id).toBe(res.body.id);

    // Cancel: attendees are told, the event leaves the calendar, the record says cancelled.
    const cancelled = await stack.call('POST', `/api/interviews/${res.body.id}/cancel`, {
      token: olivia,
      body: { comment: 'Position filled' },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await simEvents(users.olivia.upn)).filter((e) => e.id === res.body.graphEventId)).toHaveLength(0);
  });

  it('books with a panelist whose calendar cannot be read, and says so (never assumed free)', async () => {
    const at = { start: monday.plus({ days: 3, hours: 15 }).toISO(), end: monday.plus({ days: 3, hours: 15, minutes: 30 }).toISO() };
    const res = await stack.call('POST', '/api/interviews', {
      token: olivia,
      body: { candidate: { name: 'Max Mustermann', email: 'max@candidates.example' }, panel: [users.priya.upn, users.gwen.upn], ...at },
      headers: { 'idempotency-key': 'warn-1' },
    });
    expect(res.status).toBe(201);
    expect(res.body.warnings).toEqual([{ email: users.gwen.upn, status: 'blocked', reason: expect.stringMatching(/access policy/) }]);
  });

  it('two coordinators booking the same slot at once: one invite, the other gets slot_taken', async () => {
    const at = {
      start: monday.plus({ days: 2, hours: 14, minutes: 30 }).toISO(),
      end: monday.plus({ days: 2, hours: 15, minutes: 30 }).toISO(),
    };
    const body = (name: string) => ({ candidate: { name, email: `${name.toLowerCase()}@candidates.example` }, panel, ...at });
    const [a, b] = await Promise.all([
      stack.call('POST', '/api/interviews', { token: olivia, body: body('Ana'), headers: { 'idempotency-key': 'race-a' } }),
      stack.call('POST', '/api/interviews', { token: olivia, body: body('Ben'), headers: { 'idempotency-key': 'race-b' } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect([a, b].find((r) => r.status === 409)?.body.error.code).toBe('slot_taken');
    const created = (await simEvents(users.olivia.upn)).filter((e) => e.subject === 'Interview: Ana' || e.subject === 'Interview: Ben');
    expect(created).toHaveLength(1);
  });

  it('requires an Idempotency-Key', async () => {
    const res = await stack.call('POST', '/api/interviews', { token: olivia, body: booking() });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('Idempotency-Key');
  });

  it('refuses a slot where a panelist is busy (re-checked at booking time)', async () => {
    const busy = { start: monday.plus({ hours: 14 }).toISO(), end: monday.plus({ hours: 15 }).toISO() };
    const res = await stack.call('POST', '/api/interviews', {
      token: olivia,
      body: { ...booking(), ...busy },
      headers: { 'idempotency-key': 'busy-1' },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('slot_taken');
    expect(res.body.error.message).toContain(users.lukas.upn);
  });

  it('a Graph failure while creating the event, then a retry with the same key: exactly one event', async () => {
    const at = { start: monday.plus({ days: 3, hours: 13 }).toISO(), end: monday.plus({ days: 3, hours: 14 }).toISO() };
    const body = { ...booking(), ...at, subject: 'Retry interview' };
    stack.sim.faults.add({ method: 'POST', pathPattern: '/events$', status: 503, times: 20, retryAfterSeconds: 60 });
    const first = await stack.call('POST', '/api/interviews', { token: olivia, body, headers: { 'idempotency-key': 'retry-1' } });
    expect(first.status).toBe(503);
    stack.sim.faults.clear();
    const second = await stack.call('POST', '/api/interviews', { token: olivia, body, headers: { 'idempotency-key': 'retry-1' } });
    expect(second.status).toBe(201);
    expect(second.body.status).toBe('scheduled');
    expect((await simEvents(users.olivia.upn)).filter((e) => e.subject === 'Retry interview')).toHaveLength(1);
  });

  it('lists and reads only the caller’s interviews', async () => {
    const mine = await stack.call('GET', '/api/interviews', { token: olivia });
    expect(mine.status).toBe(200);
    expect(mine.body.length).toBeGreaterThan(0);
    const lukas = await stack.token(users.lukas.upn);
    expect((await stack.call('GET', '/api/interviews', { token: lukas })).body).toEqual([]);
    expect((await stack.call('GET', `/api/interviews/${mine.body[0].id}`, { token: lukas })).status).toBe(404);
    expect((await stack.call('GET', `/api/interviews/${mine.body[0].id}`, { token: olivia })).body.id).toBe(mine.body[0].id);
  });
});

describe('least privilege', () => {
  it("records the tenant's consent with exactly the three application permissions it granted", async () => {
    const tenant = await stack.app.store.tenants.get(NORTHWIND_TID);
    expect(tenant?.consentStatus).toBe('granted');
    expect([...(tenant?.grantedRoles ?? [])].sort()).toEqual(['Calendars.ReadWrite', 'MailboxSettings.Read', 'User.ReadBasic.All']);
  });

  it('without MailboxSettings.Read, working hours cannot be read: attendees are not ok, never free', async () => {
    await simControlJson('POST', `/_sim/tenants/${NORTHWIND_TID}/consent`, {
      granted: true,
      roles: ['Calendars.ReadWrite', 'User.ReadBasic.All'],
    });
    stack.app.tokens.invalidate(NORTHWIND_TID);
    try {
      const res = await stack.call('POST', '/api/availability', { token: olivia, body: { panel, durationMinutes: 60, window } });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/may lack an application permission/);
    } finally {
      await simControlJson('POST', `/_sim/tenants/${NORTHWIND_TID}/consent`, {
        granted: true,
        roles: ['Calendars.ReadWrite', 'MailboxSettings.Read', 'User.ReadBasic.All'],
      });
      stack.app.tokens.invalidate(NORTHWIND_TID);
    }
    expect((await stack.call('POST', '/api/availability', { token: olivia, body: { panel, durationMinutes: 60, window } })).status).toBe(
      200,
    );
  });
});

describe('audit and storage', () => {
  it('audits every Graph call with tenant, actor, operation, target, status and Graph request-id; never bodies', async () => {
    await stack.call('POST', '/api/availability', {
      token: olivia,
      body: { panel: [users.priya.upn, users.gwen.upn], durationMinutes: 60, window },
    });
    const entries = await stack.app.store.audit.list({ tid: NORTHWIND_TID, limit: 1000 });
    const schedule = entries.filter((e) => e.operation === 'calendar.getSchedule' && e.actorOid === users.olivia.id);
    expect(schedule.map((e) => e.targetMailbox)).toEqual(expect.arrayContaining([users.priya.upn, users.gwen.upn]));
    const settings = entries.filter((e) => e.operation === 'mailboxSettings.get' && e.targetMailbox === users.gwen.upn);
    expect(settings[0]?.status).toBe(403);
    for (const e of entries) {
      expect(e.graphRequestId).toMatch(/\S/);
      expect(Object.keys(e).sort()).toEqual([
        'actorOid',
        'at',
        'graphRequestId',
        'operation',
        'requestId',
        'status',
        'targetMailbox',
        'tid',
      ]);
    }
    expect(JSON.stringify(entries)).not.toMatch(/Design review|Vacation|Bearer|eyJ/);
  });

  it('stores nothing of the calendars it reads', async () => {
    const db = (stack.app.store as unknown as { db?: { query: (sql: string) => Promise<{ rows: Array<{ table_name: string }> }> } }).db;
    if (db) {
      const tables = (await db.query("select table_name from information_schema.tables where table_schema = 'public' order by 1")).rows.map(
        (r) => r.table_name,
      );
      expect(tables).toEqual(['audit_log', 'interviews', 'schema_migrations', 'tenants']);
    }
    const dump = JSON.stringify(await stack.app.store.interviews.listForOrganizer(NORTHWIND_TID, users.olivia.id));
    expect(dump).not.toMatch(/Design review|Vacation|Hold/);
  });
});

describe('GET /api/people', () => {
  it('finds people of the caller’s tenant only', async () => {
    const res = await stack.call('GET', '/api/people?q=pri', { token: olivia });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([{ email: users.priya.upn, displayName: 'Priya Nair' }]);
    expect((await stack.call('GET', '/api/people?q=sam', { token: olivia })).body).toEqual([]);
    expect((await stack.call('GET', '/api/people', { token: olivia })).status).toBe(400);
  });
});

describe('a user who leaves the tenant', () => {
  it('is refused even with a token that has not expired yet', async () => {
    const token = await stack.token(users.mateo.upn);
    expect(
      (await stack.call('POST', '/api/availability', { token, body: { panel: [users.priya.upn], durationMinutes: 30, window } })).status,
    ).toBe(200);
    await simControl('DELETE', `/_sim/users/${users.mateo.upn}`);
    const res = await stack.call('POST', '/api/availability', { token, body: { panel: [users.priya.upn], durationMinutes: 30, window } });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/no longer in this organization/);
    await expect(stack.token(users.mateo.upn)).rejects.toThrow();
  });
});

interface SimEvent {
  id: string;
  subject: string;
  isOrganizer?: boolean;
  attendees: Array<{ emailAddress: { address: string } }>;
  onlineMeeting?: { joinUrl: string } | null;
}

async function simControl(method: string, path: string): Promise<unknown> {
  const res = await createFetch({ caPem: stack.sim.caPem })(`${stack.sim.url}${path}`, { method });
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

async function simControlJson(method: string, path: string, body: unknown): Promise<void> {
  const res = await createFetch({ caPem: stack.sim.caPem })(`${stack.sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
}

async function simEvents(upn: string): Promise<SimEvent[]> {
  const body = (await simControl('GET', `/_sim/users/${upn}/events`)) as { value?: SimEvent[] } | SimEvent[];
  return Array.isArray(body) ? body : (body.value ?? []);
}
