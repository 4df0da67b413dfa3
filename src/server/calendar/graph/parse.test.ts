import fc from 'fast-check';
import { z } from 'zod';
import type { BusyItem } from '../../scheduling/types';
import { checkAvailabilityView, graphDateTimeToMs, parseGetScheduleResponse, readScheduleInformation } from './parse';

/** The UTC reading of graphDateTimeToMs as it was before its fast path: the oracle. */
function referenceUtc(dateTime: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/.exec(dateTime.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac] = m;
  const day = Number(d);
  const month = Number(mo);
  const ms = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s ?? '0'), Number((frac ?? '').padEnd(3, '0').slice(0, 3)));
  const check = new Date(ms);
  return check.getUTCDate() === day && check.getUTCMonth() === month - 1 ? ms : null;
}

/** The zod schema readScheduleInformation replaced: the oracle. */
const dateTimeTimeZone = z.object({ dateTime: z.string(), timeZone: z.string().nullish() });
const scheduleInformation = z.object({
  scheduleId: z.string(),
  scheduleItems: z.array(z.object({ status: z.string().nullish(), start: dateTimeTimeZone, end: dateTimeTimeZone })).nullish(),
  error: z.object({ message: z.string().nullish(), responseCode: z.string().nullish() }).nullish(),
});

const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('graphDateTimeToMs', () => {
  it('reads Graph UTC wall times, with 0 to 7 fraction digits', () => {
    expect(graphDateTimeToMs('2026-11-23T17:00:00.0000000', 'UTC')).toBe(Date.parse('2026-11-23T17:00:00Z'));
    expect(graphDateTimeToMs('2026-11-23T17:00:00', 'UTC')).toBe(Date.parse('2026-11-23T17:00:00Z'));
    expect(graphDateTimeToMs('2026-11-23T17:00', 'UTC')).toBe(Date.parse('2026-11-23T17:00:00Z'));
    expect(graphDateTimeToMs('2026-11-23T17:00:00.5', 'UTC')).toBe(Date.parse('2026-11-23T17:00:00.500Z'));
    expect(graphDateTimeToMs('2026-11-23T17:00:00.05', 'UTC')).toBe(Date.parse('2026-11-23T17:00:00.050Z'));
    expect(graphDateTimeToMs('2026-11-23T17:00:00.1239999', 'UTC')).toBe(Date.parse('2026-11-23T17:00:00.123Z'));
    expect(graphDateTimeToMs(' 2026-11-23T17:00:00 ', ' utc ')).toBe(Date.parse('2026-11-23T17:00:00Z'));
  });

  it('refuses dates that do not exist and text that is not a wall time', () => {
    expect(graphDateTimeToMs('2024-02-29T00:00:00', 'UTC')).toBe(Date.parse('2024-02-29T00:00:00Z'));
    expect(graphDateTimeToMs('2026-02-29T00:00:00', 'UTC')).toBeNull();
    expect(graphDateTimeToMs('2100-02-29T00:00:00', 'UTC')).toBeNull();
    expect(graphDateTimeToMs('2000-02-29T23:59:59.999', 'UTC')).toBe(Date.parse('2000-02-29T23:59:59.999Z'));
    expect(graphDateTimeToMs('2400-02-29T00:00:00', 'UTC')).toBe(Date.UTC(2400, 1, 29));
    expect(graphDateTimeToMs('1900-02-29T00:00:00', 'UTC')).toBeNull();
    expect(graphDateTimeToMs('1969-12-31T23:59:59', 'UTC')).toBe(-1000);
    expect(graphDateTimeToMs('0100-03-01T00:00:00', 'UTC')).toBe(Date.UTC(100, 2, 1));
    expect(graphDateTimeToMs('2026-11-23T17:00:00.', 'UTC')).toBeNull();
    expect(graphDateTimeToMs('2026-11-23T17:00:00Z', 'UTC')).toBeNull();
    expect(graphDateTimeToMs('2026-11-23 17:00:00', 'UTC')).toBeNull();
    expect(graphDateTimeToMs('2026-11-23T17:00:00', null)).toBeNull();
  });

  it('converts other zones properly', () => {
    expect(graphDateTimeToMs('2026-07-01T09:00:00.0000000', 'Pacific Standard Time')).toBe(Date.parse('2026-07-01T16:00:00Z'));
    expect(graphDateTimeToMs('2026-07-01T09:00:00', 'Europe/Paris')).toBe(Date.parse('2026-07-01T07:00:00Z'));
    expect(graphDateTimeToMs('2026-07-01T09:00:00', 'Mars/Olympus')).toBeNull();
  });

  it('agrees with the regex reading on UTC wall times, valid or not', () => {
    const nearlyValid = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.option(fc.integer({ min: 0, max: 61 })),
        fc.option(fc.stringMatching(/^[0-9]{0,8}$/)),
      )
      .map(
        ([y, mo, d, h, mi, s, frac]) =>
          `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}${s === null ? '' : `:${pad(s, 2)}${frac === null ? '' : `.${frac}`}`}`,
      );
    const mangled = fc
      .tuple(nearlyValid, fc.nat(30), fc.constantFrom('', ' ', 'x', '-', '.', '１', 'Z'))
      .map(([s, at, c]) => s.slice(0, at) + c + s.slice(at + (c === '' ? 1 : 0)));
    fc.assert(
      fc.property(fc.oneof(nearlyValid, mangled, fc.string({ maxLength: 30 })), (s) => {
        expect(graphDateTimeToMs(s, 'UTC')).toBe(referenceUtc(s));
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('readScheduleInformation', () => {
  it('accepts exactly what the zod schema it replaced accepts', () => {
    // Mostly well-formed values, so that both answers come up often.
    const nullishString = fc.oneof(
      { arbitrary: fc.string({ maxLength: 3 }), weight: 6 },
      fc.constant(null),
      fc.constant(undefined),
      fc.integer(),
      fc.boolean(),
    );
    const dtz = fc.oneof(
      {
        arbitrary: fc.record({ dateTime: fc.string({ maxLength: 3 }), timeZone: nullishString }, { requiredKeys: ['dateTime'] }),
        weight: 8,
      },
      fc.record({ dateTime: nullishString, timeZone: nullishString }, { requiredKeys: [] }),
      fc.constant(null),
      fc.constant([]),
      fc.string({ maxLength: 2 }),
    );
    const item = fc.oneof(
      { arbitrary: fc.record({ status: nullishString, start: dtz, end: dtz }, { requiredKeys: ['start', 'end'] }), weight: 8 },
      fc.record({ status: nullishString, start: dtz, end: dtz }, { requiredKeys: [] }),
      fc.constant(null),
      fc.integer(),
    );
    const info = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record(
          {
            scheduleId: nullishString,
            scheduleItems: fc.oneof(
              { arbitrary: fc.array(item, { maxLength: 3 }), weight: 6 },
              fc.constant(null),
              fc.constant({}),
              fc.string({ maxLength: 2 }),
            ),
            error: fc.oneof(
              { arbitrary: fc.constant(undefined), weight: 4 },
              fc.record({ message: nullishString, responseCode: nullishString }, { requiredKeys: [] }),
              fc.constant(null),
              fc.constant([]),
              fc.string({ maxLength: 2 }),
            ),
            extra: fc.anything(),
          },
          { requiredKeys: [] },
        ),
      },
      fc.anything(),
    );
    const numRuns = 5_000;
    let accepted = 0;
    fc.assert(
      fc.property(info, (raw) => {
        const ours = readScheduleInformation(raw) !== null;
        expect(ours).toBe(scheduleInformation.safeParse(raw).success);
        if (ours) accepted++;
      }),
      { numRuns },
    );
    // The generator reaches both answers often enough to mean something.
    expect(accepted).toBeGreaterThan(numRuns / 20);
    expect(accepted).toBeLessThan(numRuns * 0.9);
  });

  it('makes a schedule with an unreadable item an error, never free', () => {
    const parsed = parseGetScheduleResponse({
      value: [
        {
          scheduleId: 'a@contoso.example',
          scheduleItems: [
            { status: 'busy', start: { dateTime: '2026-11-23T10:00:00', timeZone: 'UTC' }, end: { dateTime: 12, timeZone: 'UTC' } },
          ],
        },
        {
          scheduleId: 'B@contoso.example',
          scheduleItems: [
            {
              status: 'Busy',
              start: { dateTime: '2026-11-23T10:00:00.0000000', timeZone: 'UTC' },
              end: { dateTime: '2026-11-23T10:30:00.0000000', timeZone: 'UTC' },
            },
          ],
        },
      ],
    });
    expect(parsed?.get('a@contoso.example')).toMatchObject({ status: 'error' });
    expect(parsed?.get('b@contoso.example')).toEqual({
      status: 'ok',
      items: [{ startMs: Date.parse('2026-11-23T10:00:00Z'), endMs: Date.parse('2026-11-23T10:30:00Z'), status: 'busy' }],
    });
  });
});

describe('availabilityView cross-check (a truncated getSchedule answer is never free)', () => {
  const grid = { startMs: Date.parse('2026-11-23T09:00:00Z'), intervalMinutes: 30 };
  const at = (hhmm: string) => Date.parse(`2026-11-23T${hhmm}:00Z`);
  const item = (from: string, to: string, status: BusyItem['status'] = 'busy'): BusyItem => ({ startMs: at(from), endMs: at(to), status });

  it('accepts a view every marked slot of which an item explains (partial overlaps included)', () => {
    expect(checkAvailabilityView('0220', [item('09:30', '10:30')], grid)).toBeNull();
    expect(checkAvailabilityView('0110', [item('09:45', '10:15', 'tentative')], grid)).toBeNull();
    expect(checkAvailabilityView('3', [item('08:00', '18:00', 'oof')], grid)).toBeNull();
    // A stronger item explains a weaker mark; workingElsewhere needs some item.
    expect(checkAvailabilityView('1', [item('09:00', '09:30', 'busy')], grid)).toBeNull();
    expect(checkAvailabilityView('40', [item('09:00', '09:30', 'workingElsewhere')], grid)).toBeNull();
    // Nothing to compare: no view, or an empty one.
    expect(checkAvailabilityView(undefined, [], grid)).toBeNull();
    expect(checkAvailabilityView('', [], grid)).toBeNull();
  });

  it('fails a schedule whose view shows busy time no item covers, naming the slot', () => {
    expect(checkAvailabilityView('0002', [], grid)).toEqual({
      status: 'error',
      reason: expect.stringMatching(/incomplete: it shows the calendar busy at 2026-11-23T10:30:00.000Z but lists no item there/),
    });
    // An item ending exactly where the slot starts does not explain it.
    expect(checkAvailabilityView('02', [item('09:00', '09:30')], grid)).toMatchObject({ status: 'error' });
    // A tentative item does not explain a busy or out-of-office mark.
    expect(checkAvailabilityView('3', [item('09:00', '09:30', 'tentative')], grid)?.reason).toMatch(/out of office/);
    expect(checkAvailabilityView('4', [], grid)?.reason).toMatch(/working elsewhere/);
    expect(checkAvailabilityView('02x', [], grid)?.reason).toMatch(/cannot read/);
  });

  it('parseGetScheduleResponse applies it per schedule when given the grid', () => {
    const body = {
      value: [
        {
          scheduleId: 'whole@contoso.example',
          availabilityView: '200',
          scheduleItems: [
            {
              status: 'busy',
              start: { dateTime: '2026-11-23T09:00:00', timeZone: 'UTC' },
              end: { dateTime: '2026-11-23T09:30:00', timeZone: 'UTC' },
            },
          ],
        },
        {
          scheduleId: 'cut@contoso.example',
          availabilityView: '202',
          scheduleItems: [
            {
              status: 'busy',
              start: { dateTime: '2026-11-23T09:00:00', timeZone: 'UTC' },
              end: { dateTime: '2026-11-23T09:30:00', timeZone: 'UTC' },
            },
          ],
        },
      ],
    };
    const checked = parseGetScheduleResponse(body, grid);
    expect(checked?.get('whole@contoso.example')).toMatchObject({ status: 'ok' });
    expect(checked?.get('cut@contoso.example')).toMatchObject({ status: 'error', reason: expect.stringMatching(/incomplete/) });
    expect(parseGetScheduleResponse(body)?.get('cut@contoso.example')).toMatchObject({ status: 'ok' });
  });
});
