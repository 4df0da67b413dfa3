/**
 * "The user leaves the tenant: the token stops working, and so does Convene for them", through
 * real HTTP on 127.0.0.1 against the simulator: after `DELETE /_sim/users/{upn}` every route a
 * user token drives answers 401 `unauthenticated` (reads after at most the 60 s positive verdict,
 * writes and /api/me at once), and Graph is asked nothing but the organizer lookup (the audit log
 * shows it). A lookup Graph cannot answer is 503 `graph_unavailable`, never "still here".
 */
import { DateTime } from 'luxon';
import { nextMonday, NORTHWIND_TID, testTenants, users } from '../fixtures/northwind';
import { createFetch } from '../../src/server/net';
import type { AuditEntry } from '../../src/server/store/types';
import { type Stack, startStack } from '../support/stack';

let stack: Stack;
/** Added to the server's clock (the verdict cache runs on it). */
let clockOffsetMs = 0;
const monday = nextMonday(Date.now());
const left = /no longer in this organization/;

beforeAll(async () => {
  stack = await startStack(testTenants(Date.now()), { now: () => Date.now() + clockOffsetMs });
});

afterAll(async () => {
  await stack?.close();
});

afterEach(() => stack.sim.faults.clear());

/** Graph requests the simulator served while `fn` ran (a `$batch` counts once). */
async function graphCallsDuring<T>(fn: () => Promise<T>): Promise<{ calls: number; result: T }> {
  const before = stack.sim.requestCount();
  const result = await fn();
  return { calls: stack.sim.requestCount() - before, result };
}

/** The audit entries of one API request, as `operation target status`. */
async function auditOf(requestId: string): Promise<string[]> {
  const entries: AuditEntry[] = await stack.app.store.audit.list({ tid: NORTHWIND_TID, limit: 10_000 });
  return entries
    .filter((e) => e.requestId === requestId)
    .map((e) => `${e.operation} ${e.targetMailbox ?? '-'} ${e.status}`)
    .sort();
}

async function simControl(method: string, path: string): Promise<{ status: number; body: unknown }> {
  const res = await createFetch({ caPem: stack.sim.caPem })(`${stack.sim.url}${path}`, { method });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function expectLeft(res: Awaited<ReturnType<Stack['call']>>): string {
  expect(res.status).toBe(401);
  expect(res.body.error).toMatchObject({ code: 'unauthenticated', message: expect.stringMatching(left) });
  return res.body.error.requestId as string;
}

describe('a user who leaves the tenant', () => {
  const slot = {
    start: monday.plus({ days: 2, hours: 13 }).toISO() as string,
    end: monday.plus({ days: 2, hours: 14 }).toISO() as string,
  };
  const booking = { candidate: { name: 'Jane Doe', email: 'jane@candidates.example' }, panel: [users.priya.upn, users.lukas.upn], ...slot };
  const window = { start: monday.toISO(), end: monday.plus({ days: 5 }).toISO() };

  it('is refused everywhere with the token still valid; Graph is asked only who they are', async () => {
    const token = await stack.token(users.mateo.upn);
    const booked = await stack.call('POST', '/api/interviews', { token, body: booking, headers: { 'idempotency-key': 'left-1' } });
    expect(booked.status).toBe(201);
    const id = booked.body.id as string;
    for (const path of ['/api/interviews', `/api/interviews/${id}`, '/api/people?q=pri', '/api/me'])
      expect((await stack.call('GET', path, { token })).status).toBe(200);

    expect((await simControl('DELETE', `/_sim/users/${users.mateo.upn}`)).status).toBe(204);

    // Reads ride on the positive verdict of the last 60 s: no Graph call at all.
    const cached = await graphCallsDuring(() => stack.call('GET', '/api/interviews', { token }));
    expect(cached.result.status).toBe(200);
    expect(cached.calls).toBe(0);

    // A cancel always asks Graph first: refused at once, with nothing cancelled.
    const cancel = await graphCallsDuring(() => stack.call('POST', `/api/interviews/${id}/cancel`, { token, body: {} }));
    const cancelId = expectLeft(cancel.result);
    expect(cancel.calls).toBe(1);
    expect(await auditOf(cancelId)).toEqual([`users.get ${users.mateo.id} 404`]);
    expect((await stack.app.store.interviews.get(NORTHWIND_TID, id))?.status).toBe('scheduled');
    const priyaCopy = (await simControl('GET', `/_sim/users/${users.priya.upn}/events`)).body as { value: Array<{ iCalUId: string }> };
    expect(priyaCopy.value.some((e) => e.iCalUId === booked.body.iCalUId)).toBe(true);

    // The 404 dropped the verdict: list and get ask again, and are refused.
    for (const path of ['/api/interviews', `/api/interviews/${id}`]) {
      const r = await graphCallsDuring(() => stack.call('GET', path, { token }));
      expect(r.calls).toBe(1);
      expect(await auditOf(expectLeft(r.result))).toEqual([`users.get ${users.mateo.id} 404`]);
    }

    // People search: the lookup rides in the search's $batch (one round trip); no one is returned.
    const people = await graphCallsDuring(() => stack.call('GET', '/api/people?q=pri', { token }));
    expect(people.calls).toBe(1);
    expect(JSON.stringify(people.result.body)).not.toContain(users.priya.upn);
    const peopleAudit = await auditOf(expectLeft(people.result));
    expect(peopleAudit).toContain(`users.get ${users.mateo.id} 404`);
    expect(peopleAudit.every((e) => /^users\.(get|list) /.test(e))).toBe(true);

    // /api/me: the lookup and the user's own mailbox settings in one $batch.
    const me = await graphCallsDuring(() => stack.call('GET', '/api/me', { token }));
    expect(me.calls).toBe(1);
    expect(await auditOf(expectLeft(me.result))).toEqual([`mailboxSettings.get ${users.mateo.id} 404`, `users.get ${users.mateo.id} 404`]);

    // Availability and booking (the lookup in their $batch), and the replay of the earlier booking.
    expectLeft(await stack.call('POST', '/api/availability', { token, body: { panel: booking.panel, durationMinutes: 30, window } }));
    const other = {
      ...booking,
      start: DateTime.fromISO(slot.start).plus({ hours: 1 }).toISO(),
      end: DateTime.fromISO(slot.end).plus({ hours: 1 }).toISO(),
    };
    expectLeft(await stack.call('POST', '/api/interviews', { token, body: other, headers: { 'idempotency-key': 'left-2' } }));
    const replay = await graphCallsDuring(() =>
      stack.call('POST', '/api/interviews', { token, body: booking, headers: { 'idempotency-key': 'left-1' } }),
    );
    expect(replay.calls).toBe(1);
    expect(await auditOf(expectLeft(replay.result))).toEqual([`users.get ${users.mateo.id} 404`]);
    await expect(stack.token(users.mateo.upn)).rejects.toThrow();
  });

  it('keeps a read verdict at most 60 s: after that, list and people are refused', async () => {
    const token = await stack.token(users.lukas.upn);
    // No verdict yet: the lookup and the search in one $batch, one Graph request.
    const first = await graphCallsDuring(() => stack.call('GET', '/api/people?q=pri', { token }));
    expect(first.calls).toBe(1);
    expect(first.result.body).toEqual([{ email: users.priya.upn, displayName: 'Priya Nair' }]);
    expect(await auditOf(first.result.headers.get('x-request-id') as string)).toEqual([
      `users.get ${users.lukas.id} 200`,
      'users.list - 200',
    ]);
    // Then on the verdict: no lookup.
    const list = await graphCallsDuring(() => stack.call('GET', '/api/interviews', { token }));
    expect(list.result.status).toBe(200);
    expect(list.calls).toBe(0);
    expect((await simControl('DELETE', `/_sim/users/${users.lukas.upn}`)).status).toBe(204);
    expect((await stack.call('GET', '/api/people?q=pri', { token })).status).toBe(200);
    clockOffsetMs += 60_000;
    const refused = await graphCallsDuring(() => stack.call('GET', '/api/interviews', { token }));
    expect(refused.calls).toBe(1);
    expect(await auditOf(expectLeft(refused.result))).toEqual([`users.get ${users.lukas.id} 404`]);
    expectLeft(await stack.call('GET', '/api/people?q=pri', { token }));
  });

  it('answers 503 graph_unavailable when Graph cannot say whether the user is still there, never "still here"', async () => {
    const token = await stack.token(users.olivia.upn);
    // 503 with a Retry-After beyond the retry bound: the lookup gives up at once.
    stack.sim.faults.add({ method: 'GET', pathPattern: `/users/${users.olivia.id}$`, status: 503, times: 50, retryAfterSeconds: 120 });
    for (const path of ['/api/interviews', '/api/people?q=pri']) {
      const res = await stack.call('GET', path, { token });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('graph_unavailable');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const cancel = await stack.call('POST', `/api/interviews/00000000-0000-4000-8000-000000000000/cancel`, { token, body: {} });
    expect(cancel.status).toBe(503);
    stack.sim.faults.clear();
    const ok = await graphCallsDuring(() => stack.call('GET', '/api/interviews', { token }));
    expect(ok.result.status).toBe(200);
    expect(ok.calls).toBe(1);
  });
});
