/**
 * "No slots, and here is why" through the API: `POST /api/availability` answers an empty search
 * with `noSlotsReason` computed from the panel's working hours (mailboxSettings) and free/busy
 * (getSchedule), naming people and hours, never what anyone is busy with. Real HTTP on
 * 127.0.0.1, the server on PGlite, the simulator behind it (Northwind: see test/fixtures).
 */
import Ajv2020 from 'ajv/dist/2020';
import { nextMonday, testTenants, users } from '../fixtures/northwind';
import { type Stack, startStack } from '../support/stack';

let stack: Stack;
let olivia: string;
const monday = nextMonday(Date.now());
const day = (n: number) => ({ start: monday.plus({ days: n }).toISO(), end: monday.plus({ days: n + 1 }).toISO() });
let validateResponse: (body: unknown) => boolean;

beforeAll(async () => {
  stack = await startStack(testTenants(Date.now()));
  olivia = await stack.token(users.olivia.upn);
  const doc = (await stack.call('GET', '/api/openapi.json')).body;
  validateResponse = new Ajv2020({ strict: false }).compile(doc.components.schemas.AvailabilityResponse);
});

afterAll(async () => {
  await stack?.close();
});

async function availability(body: Record<string, unknown>) {
  const res = await stack.call('POST', '/api/availability', { token: olivia, body: { durationMinutes: 60, ...body } });
  expect(res.status).toBe(200);
  expect(validateResponse(res.body)).toBe(true); // the served OpenAPI document describes the answer
  return res.body;
}

it('answers slots without a reason', async () => {
  const body = await availability({ panel: [users.priya.upn, users.mateo.upn], window: day(1) });
  expect(body.slots.length).toBeGreaterThan(0);
  expect(body.noSlotsReason).toBeUndefined();
});

it('names the attendee whose working days miss the window (a Saturday), with their hours in their zone', async () => {
  const body = await availability({ panel: [users.lukas.upn, users.priya.upn], window: day(5) });
  expect(body.slots).toEqual([]);
  expect(body.noSlotsReason).toMatchObject({ code: 'outside_working_days', attendees: [users.lukas.upn] });
  expect(body.noSlotsReason.message).toContain('Mon–Fri 08:00–17:00 Europe/Berlin');
});

it("names two panelists whose working hours never share the interview's length", async () => {
  // Priya 06:30-15:30 UTC and Mateo 13:00-22:00 UTC share 2.5 hours: not 3.
  const body = await availability({ panel: [users.priya.upn, users.mateo.upn], window: day(1), durationMinutes: 180 });
  expect(body.noSlotsReason).toMatchObject({ code: 'no_working_hours_overlap', attendees: [users.priya.upn, users.mateo.upn] });
  expect(body.noSlotsReason.message).toMatch(/12:00–21:00 .*07:00–16:00 America\/Chicago/);
});

it('names a panelist and the candidate whose acceptable hours never meet theirs', async () => {
  const body = await availability({
    panel: [users.mateo.upn],
    window: { start: day(1).start, end: day(4).end },
    candidate: { timeZone: 'Asia/Tokyo', acceptableHours: { start: '10:00', end: '18:00' } },
  });
  expect(body.noSlotsReason).toMatchObject({ code: 'no_working_hours_overlap', attendees: [users.mateo.upn, 'candidate'] });
  expect(body.noSlotsReason.message).toContain("the candidate's acceptable hours (10:00–18:00 Asia/Tokyo)");
});

it('says who is busy through the shared hours, never with what', async () => {
  // Monday: Lukas and Mateo share 13:00-16:00 UTC; Lukas's 14:00-14:30 design review leaves no 2 hours.
  const body = await availability({ panel: [users.mateo.upn, users.lukas.upn], window: day(0), durationMinutes: 120 });
  expect(body.noSlotsReason).toMatchObject({ code: 'busy', attendees: [users.lukas.upn] });
  expect(JSON.stringify(body)).not.toMatch(/design review/i);
});

it('says the window is over', async () => {
  const body = await availability({ panel: [users.priya.upn], window: { start: '2020-01-06T00:00:00Z', end: '2020-01-07T00:00:00Z' } });
  expect(body.noSlotsReason).toEqual({ code: 'window', message: expect.stringMatching(/already over/), attendees: [] });
});
