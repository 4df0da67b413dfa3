/**
 * Retries never duplicate invites, also when Graph's answer to the create is lost: the simulator
 * creates the event and then answers 504 (`lostResponse`), as a gateway timeout after the write.
 * Graph then refuses the repeated transactionId (400 ErrorDuplicateTransactionId), and Convene
 * finds the first event through the extended property it stamped on it. Real HTTP on 127.0.0.1,
 * the server on PGlite, the simulator behind it.
 */
import { nextMonday, NORTHWIND_TID, testTenants, users } from '../fixtures/northwind';
import { createFetch } from '../../src/server/net';
import { type Stack, startStack } from '../support/stack';

let stack: Stack;
let olivia: string;
const monday = nextMonday(Date.now());
const panel = [users.priya.upn, users.lukas.upn, users.mateo.upn];

beforeAll(async () => {
  stack = await startStack(testTenants(Date.now()));
  olivia = await stack.token(users.olivia.upn);
});

afterAll(async () => {
  await stack?.close();
});

afterEach(() => stack.sim.faults.clear());

interface SimEvent {
  id: string;
  subject: string;
  transactionId: string | null;
}

async function organizerEvents(subject: string): Promise<SimEvent[]> {
  const res = await createFetch({ caPem: stack.sim.caPem })(`${stack.sim.url}/_sim/users/${users.olivia.upn}/events`);
  const body = (await res.json()) as { value: SimEvent[] };
  return body.value.filter((e) => e.subject === subject);
}

function booking(subject: string, day: number, hourUtc: number) {
  return {
    candidate: { name: 'Rosa Lost', email: 'rosa@candidates.example' },
    panel,
    start: monday.plus({ days: day, hours: hourUtc }).toISO(),
    end: monday.plus({ days: day, hours: hourUtc + 1 }).toISO(),
    subject,
  };
}

async function createAudit(requestAfter: string): Promise<Array<[string, number]>> {
  const entries = await stack.app.store.audit.list({ tid: NORTHWIND_TID, limit: 1000 });
  return entries
    .filter((e) => e.at >= requestAfter && e.operation.startsWith('events.'))
    .sort((a, b) => a.at.localeCompare(b.at))
    .map((e) => [e.operation, e.status]);
}

describe('a create whose answer is lost', () => {
  it('within one request: the retried create is refused as a duplicate, the first event is found, one invite', async () => {
    const body = booking('Lost answer once', 2, 13);
    stack.sim.faults.add({ method: 'POST', pathPattern: '/events$', status: 504, times: 1, retryAfterSeconds: 0, lostResponse: true });
    const since = new Date().toISOString();
    const res = await stack.call('POST', '/api/interviews', { token: olivia, body, headers: { 'idempotency-key': 'lost-once' } });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('scheduled');

    const events = await organizerEvents(body.subject);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ id: res.body.graphEventId, transactionId: res.body.id });
    // One audit entry per provider call with its final status after retries (the 504 was retried).
    expect(await createAudit(since)).toEqual([
      ['events.create', 400],
      ['events.list', 200],
    ]);
  });

  it('across requests: the booking stays pending, the retry with the same Idempotency-Key finds the invite and schedules it', async () => {
    const body = booking('Lost answer always', 3, 14);
    // Every attempt of the first request loses its answer (the first one after creating the event).
    stack.sim.faults.add({ method: 'POST', pathPattern: '/events$', status: 504, times: 4, retryAfterSeconds: 0, lostResponse: true });
    const first = await stack.call('POST', '/api/interviews', { token: olivia, body, headers: { 'idempotency-key': 'lost-always' } });
    expect(first.status).toBe(503);
    expect(first.body.error.code).toBe('graph_unavailable');
    const pending = await stack.app.store.interviews.findByIdempotencyKey(NORTHWIND_TID, users.olivia.id, 'lost-always');
    expect(pending).toMatchObject({ status: 'pending', graphEventId: null });
    const made = await organizerEvents(body.subject);
    expect(made).toHaveLength(1);
    stack.sim.faults.clear();

    const retry = await stack.call('POST', '/api/interviews', { token: olivia, body, headers: { 'idempotency-key': 'lost-always' } });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toMatchObject({ id: pending!.id, status: 'scheduled', graphEventId: made[0]!.id });
    expect(retry.body.joinUrl).toMatch(/^https:\/\//);

    const again = await stack.call('POST', '/api/interviews', { token: olivia, body, headers: { 'idempotency-key': 'lost-always' } });
    expect(again.body).toMatchObject({ id: pending!.id, graphEventId: made[0]!.id });
    expect(await organizerEvents(body.subject)).toHaveLength(1);
    const mine = await stack.call('GET', '/api/interviews', { token: olivia });
    expect(mine.body.filter((i: { subject: string }) => i.subject === body.subject)).toHaveLength(1);
  });
});
