/**
 * Benchmark of the pure scheduling engine (findSlots) on deterministic synthetic panels.
 *
 * Scenarios (targets from the engine brief, one core):
 * - 5 attendees x 10 working days x 8 events/day: median < 2 ms;
 * - 20 attendees x 60 days x 10 events/day: median < 50 ms;
 * - and the output-heavy worst case: 20 attendees free for 60 days, 2000 slots with 21 local
 *   times each (target 50 ms as well).
 *
 * Inputs are built once, outside the timed region; each scenario is warmed up first, so the
 * numbers are steady-state (zone transition tables are memoized per process, as in the server).
 * The bench runner (bench/run.ts) calls {@link benchEngine} and compares `medianMs` to `targetMs`.
 */
import { findSlots } from '../src/server/scheduling';
import type { BusyItem, DayOfWeek, FindSlotsInput, FreeBusyStatus, ReadableAttendee } from '../src/server/scheduling';

/** One scenario's timing: milliseconds per findSlots call. */
export interface EngineBenchResult {
  name: string;
  medianMs: number;
  p95Ms: number;
  targetMs: number;
  runs: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const WEEKDAYS: DayOfWeek[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
const ALL_DAYS: DayOfWeek[] = ['sunday', ...WEEKDAYS, 'saturday'];

/** mulberry32: a tiny seeded PRNG, so every run benchmarks the same data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const STATUSES: FreeBusyStatus[] = ['busy', 'busy', 'busy', 'tentative', 'oof', 'free', 'workingElsewhere'];

interface PanelSpec {
  attendees: number;
  days: number;
  eventsPerDay: number;
  /** Mailbox zones, used round-robin (Windows names, as Graph returns them). */
  zones: string[];
  /** Only Monday–Friday get events (the working-days scenario). */
  weekdaysOnly: boolean;
  windowStartIso: string;
  seed: number;
}

/** Rough UTC offset (hours) per zone, only to place synthetic events near local office hours. */
const APPROX_OFFSET_H: Record<string, number> = {
  'Pacific Standard Time': -8,
  'Mountain Standard Time': -7,
  'Central Standard Time': -6,
  'Eastern Standard Time': -5,
  'GMT Standard Time': 0,
  'W. Europe Standard Time': 1,
  'India Standard Time': 5.5,
};

function buildInput(spec: PanelSpec): FindSlotsInput {
  const random = prng(spec.seed);
  const windowStartMs = Date.parse(spec.windowStartIso);
  const windowEndMs = windowStartMs + spec.days * DAY;
  const attendees: ReadableAttendee[] = [];
  for (let a = 0; a < spec.attendees; a++) {
    const zone = spec.zones[a % spec.zones.length]!;
    const offsetMs = (APPROX_OFFSET_H[zone] ?? 0) * 3_600_000;
    const busy: BusyItem[] = [];
    for (let d = 0; d < spec.days; d++) {
      const dayStart = windowStartMs + d * DAY;
      const weekday = new Date(dayStart).getUTCDay();
      if (spec.weekdaysOnly && (weekday === 0 || weekday === 6)) continue;
      for (let e = 0; e < spec.eventsPerDay; e++) {
        // Between 07:00 and 19:00 local, on a 5-minute grid, 15-90 minutes long.
        const startLocalMin = 7 * 60 + Math.floor(random() * 144) * 5;
        const lengthMin = 15 + Math.floor(random() * 16) * 5;
        const startMs = dayStart + startLocalMin * MINUTE - offsetMs;
        busy.push({
          startMs,
          endMs: startMs + lengthMin * MINUTE,
          status: STATUSES[Math.floor(random() * STATUSES.length)]!,
        });
      }
    }
    busy.sort((x, y) => x.startMs - y.startMs);
    attendees.push({
      email: `panelist${a}@contoso.example`,
      status: 'ok',
      mailboxSettings: {
        timeZone: zone,
        workingHours:
          a % 4 === 3
            ? null // Graph's default hours
            : {
                daysOfWeek: WEEKDAYS,
                startTime: a % 2 === 0 ? '08:00:00.0000000' : '09:00:00.0000000',
                endTime: a % 2 === 0 ? '17:00:00.0000000' : '18:00:00.0000000',
                timeZone: { name: zone },
              },
      },
      busy,
    });
  }
  return {
    organizer: { email: 'panelist0@contoso.example', mailboxSettings: { timeZone: spec.zones[0]! } },
    attendees,
    windowStartMs,
    windowEndMs,
    durationMinutes: 30,
    stepMinutes: 15,
    bufferMinutes: 5,
    maxSlots: 500,
    tentativeBlocks: true,
    candidate: { timeZone: 'Asia/Tokyo' },
    nowMs: windowStartMs - DAY,
  };
}

const LARGE: PanelSpec = {
  attendees: 20,
  days: 60, // crosses the EU and US fall-back changes
  eventsPerDay: 10,
  weekdaysOnly: false,
  zones: [
    'Pacific Standard Time',
    'Eastern Standard Time',
    'GMT Standard Time',
    'W. Europe Standard Time',
    'India Standard Time',
    'Central Standard Time',
  ],
  windowStartIso: '2026-10-05T00:00:00Z',
  seed: 20,
};

let sink = 0;

function measure(name: string, input: FindSlotsInput, targetMs: number, warmup: number, runs: number): EngineBenchResult {
  for (let i = 0; i < warmup; i++) sink += findSlots(input).slots.length;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const result = findSlots(input);
    const t1 = process.hrtime.bigint();
    sink += result.slots.length;
    times.push(Number(t1 - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (q: number): number => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!;
  return { name, medianMs: at(0.5), p95Ms: at(0.95), targetMs, runs };
}

/**
 * Runs both engine scenarios and returns their timings (ms per call; median and 95th
 * percentile over `runs` timed calls after warm-up).
 */
export async function benchEngine(): Promise<EngineBenchResult[]> {
  const small = buildInput({
    attendees: 5,
    days: 14, // two weeks: 10 working days
    eventsPerDay: 8,
    weekdaysOnly: true,
    zones: ['Pacific Standard Time', 'Mountain Standard Time', 'Central Standard Time', 'Eastern Standard Time'],
    windowStartIso: '2026-11-02T00:00:00Z',
    seed: 5,
  });
  const large = buildInput(LARGE);
  // Worst case for output: nobody busy, 24-hour working days, 2000 slots x 21 local times each.
  const wideOpen = buildInput({ ...LARGE, eventsPerDay: 0 });
  for (const a of wideOpen.attendees) {
    a.mailboxSettings!.workingHours = { daysOfWeek: ALL_DAYS, startTime: '00:00:00', endTime: '00:00:00', timeZone: null };
  }
  wideOpen.maxSlots = 2000;
  const results = [
    measure('engine: 5 attendees x 10 working days x 8 events/day', small, 2, 50, 300),
    measure('engine: 20 attendees x 60 days x 10 events/day', large, 50, 10, 60),
    measure('engine: 20 attendees x 60 days, 2000 slots x 21 local times', wideOpen, 50, 10, 60),
  ];
  if (sink < 0) console.log(sink); // keeps the results observable
  return results;
}
