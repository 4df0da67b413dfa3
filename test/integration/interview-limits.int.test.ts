/**
 * Per-day interview limits through the API: `maxInterviewsPerDay` counts the interviews Convene
 * booked with each panelist (its own store, any organizer of the tenant), per the panelist's local
 * day. Real HTTP on 127.0.0.1, the server on PGlite, the simulator behind it.
 */
import { DateTime } from 'luxon';
import { nextMonday, testTenants, users } from '../fixtures/northwind';
import { type Stack, startStack } from '../support/stack';

let stack: Stack;
let olivia: string;
const monday = nextMonday(Date.now());
const panel = [users.priya.upn, users.lukas.upn, users.mateo.upn];
// Tuesday and Wednesday: the panel overlaps 13:00-15:30 UTC.
const window = { start: monday.plus({ days: 1 }).toISO(), end: monday.plus({ days: 3 }).toISO() };

beforeAll(async () => {
  stack = await startStack(testTenants(Date.now()));
  olivia = await stack.token(users.olivia.upn);
});

afterAll(async () => {
  await stack?.close();
});

/** The UTC days that offer slots. */
async function slotDays(body: Record<string, unknown>): Promise<string[]> {
  const res = await stack.call('POST', '/api/availability', { token: olivia, body: { panel, durationMinutes: 30, window, ...body } });
  expect(res.status).toBe(200);
  return [
    ...new Set((res.body.slots as Array<{ start: string }>).map((s) => DateTime.fromISO(s.start, { zone: 'utc' }).toISODate() as string)),
  ];
}

it("a panelist who already has the day's limit of Convene interviews offers no slot that day", async () => {
  const tuesday = monday.plus({ days: 1 }).toISODate();
  const wednesday = monday.plus({ days: 2 }).toISODate();
  expect(await slotDays({ maxInterviewsPerDay: 1 })).toEqual([tuesday, wednesday]);

  // Another organizer books Priya alone on Tuesday 14:00 UTC (19:30 in Kolkata, still Tuesday there).
  const mateo = await stack.token(users.mateo.upn);
  const booked = await stack.call('POST', '/api/interviews', {
    token: mateo,
    body: {
      candidate: { name: 'Ana Limit', email: 'ana@candidates.example' },
      panel: [users.priya.upn],
      start: monday.plus({ days: 1, hours: 14 }).toISO(),
      end: monday.plus({ days: 1, hours: 14, minutes: 30 }).toISO(),
    },
    headers: { 'idempotency-key': 'limit-1' },
  });
  expect(booked.status).toBe(201);

  expect(await slotDays({ maxInterviewsPerDay: 1 })).toEqual([wednesday]);
  expect(await slotDays({ maxInterviewsPerDay: 2 })).toEqual([tuesday, wednesday]);
  expect(await slotDays({})).toEqual([tuesday, wednesday]);

  // Cancelled interviews do not count.
  await stack.call('POST', `/api/interviews/${booked.body.id}/cancel`, { token: mateo, body: {} });
  expect(await slotDays({ maxInterviewsPerDay: 1 })).toEqual([tuesday, wednesday]);
});

it('refuses a limit that is not a whole number of at least 1', async () => {
  const res = await stack.call('POST', '/api/availability', {
    token: olivia,
    body: { panel, durationMinutes: 30, window, maxInterviewsPerDay: 0 },
  });
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('invalid_request');
});
