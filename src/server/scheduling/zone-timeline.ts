/**
 * Fast UTC-offset arithmetic for the engine's hot loops.
 *
 * Asking Intl (or luxon, which uses Intl) for an offset costs microseconds per call, too slow to
 * do per candidate slot. A {@link ZoneTimeline} finds a zone's offset transitions once per UTC
 * year and caches them, so `offsetAt`, `localToUtc` and `localDay` are array look-ups.
 *
 * IANA zones: offsets come from `Intl.DateTimeFormat` (`timeZoneName: 'longOffset'`), sampled
 * weekly and bisected to the second at each change. This assumes a zone never changes offset
 * twice within 7 days and back again, true of every tzdb zone in the years Convene schedules.
 * Custom zones ({@link CustomTimeZone}) give their transitions exactly.
 *
 * Wall times ("local ms") are epoch-style milliseconds of the local clock read as if it were UTC:
 * local midnight of day `d` (days since 1970-01-01) is `d * 86_400_000`.
 */
import type { Zone } from 'luxon';
import { CustomTimeZone } from './custom-time-zone';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const SAMPLE_MS = 7 * DAY_MS;
/** UTC offsets lie within [-12 h, +14 h]; this margin brackets every instant a wall time can denote. */
const BEFORE_MS = 15 * 3_600_000;
const AFTER_MS = 13 * 3_600_000;

interface YearTable {
  startMs: number;
  endMs: number;
  /** Offset (minutes) at `startMs`. */
  offset0: number;
  /** Flat `[atMs, offsetAfter, atMs, offsetAfter, ...]`, ascending, all within (startMs, endMs). */
  transitions: number[];
}

const longOffsetFormats = new Map<string, Intl.DateTimeFormat>();

/** Offset in minutes of an IANA zone at `ts` via Intl's `longOffset` ("GMT-08:00"), else luxon. */
function intlOffsetFn(zone: Zone): (ts: number) => number {
  let dtf = longOffsetFormats.get(zone.name);
  if (!dtf) {
    dtf = new Intl.DateTimeFormat('en-US', { timeZone: zone.name, timeZoneName: 'longOffset', year: 'numeric' });
    longOffsetFormats.set(zone.name, dtf);
  }
  const format = dtf;
  return (ts: number): number => {
    const text = format.format(ts);
    const m = /GMT(?:([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?)?\s*$/.exec(text);
    if (!m) return zone.offset(ts);
    if (m[1] === undefined) return 0;
    const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0) + Number(m[4] ?? 0) / 60;
    return m[1] === '-' ? -minutes : minutes;
  };
}

/**
 * A zone's offsets and transitions, cached per UTC year. Get instances with
 * {@link ZoneTimeline.of}; they are shared and immutable from the outside.
 */
export class ZoneTimeline {
  private static readonly cache = new Map<string, ZoneTimeline>();
  private static readonly maxCached = 512;

  private readonly years = new Map<number, YearTable>();
  private last: YearTable | undefined;
  private readonly offsetFn: (ts: number) => number;

  private constructor(private readonly zone: Zone) {
    this.offsetFn = zone.type === 'iana' ? intlOffsetFn(zone) : (ts: number) => zone.offset(ts);
  }

  /** The shared timeline of `zone` (keyed by IANA name, or by a custom zone's rules). */
  static of(zone: Zone): ZoneTimeline {
    const key = zone instanceof CustomTimeZone ? `custom:${zone.key}` : `${zone.type}:${zone.name}`;
    let timeline = ZoneTimeline.cache.get(key);
    if (!timeline) {
      // A bounded memo: dropping it only costs recomputation, never changes an answer.
      if (ZoneTimeline.cache.size >= ZoneTimeline.maxCached) ZoneTimeline.cache.clear();
      timeline = new ZoneTimeline(zone);
      ZoneTimeline.cache.set(key, timeline);
    }
    return timeline;
  }

  private table(ts: number): YearTable {
    const last = this.last;
    if (last && ts >= last.startMs && ts < last.endMs) return last;
    const year = new Date(ts).getUTCFullYear();
    let t = this.years.get(year);
    if (!t) {
      t = this.computeYear(year);
      this.years.set(year, t);
    }
    this.last = t;
    return t;
  }

  private computeYear(year: number): YearTable {
    const startMs = Date.UTC(year, 0, 1);
    const endMs = Date.UTC(year + 1, 0, 1);
    if (this.zone instanceof CustomTimeZone) {
      return { startMs, endMs, offset0: this.zone.offset(startMs), transitions: this.zone.transitionsIn(startMs, endMs) };
    }
    const f = this.offsetFn;
    const offset0 = f(startMs);
    const transitions: number[] = [];
    let a = startMs;
    let oa = offset0;
    while (a < endMs) {
      const b = Math.min(a + SAMPLE_MS, endMs);
      const ob = f(b);
      let from = a;
      while (ob !== oa) {
        // First whole second in (from, b] whose offset differs from `oa`.
        let lo = from;
        let hi = b;
        while (hi - lo > 1000) {
          const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
          if (f(mid) === oa) lo = mid;
          else hi = mid;
        }
        const oh = f(hi);
        if (hi < endMs) transitions.push(hi, oh);
        from = hi;
        oa = oh;
      }
      a = b;
      oa = ob;
    }
    return { startMs, endMs, offset0, transitions };
  }

  /** UTC offset in minutes (east positive) at epoch ms `ts`. */
  offsetAt(ts: number): number {
    const t = this.table(ts);
    let o = t.offset0;
    const tr = t.transitions;
    for (let i = 0; i < tr.length && tr[i]! <= ts; i += 2) o = tr[i + 1]!;
    return o;
  }

  /** Transitions in `(fromMs, toMs]` as a flat `[atMs, offsetAfter, ...]` list, ascending. */
  transitionsIn(fromMs: number, toMs: number): number[] {
    const out: number[] = [];
    if (!(toMs > fromMs)) return out;
    let t = this.table(fromMs);
    for (;;) {
      const tr = t.transitions;
      for (let i = 0; i < tr.length; i += 2) {
        const at = tr[i]!;
        if (at > fromMs && at <= toMs) out.push(at, tr[i + 1]!);
      }
      // A transition exactly at a year boundary shows up as a change of offset0.
      if (t.endMs > toMs) break;
      const next = this.table(t.endMs);
      const before = tr.length ? tr[tr.length - 1]! : t.offset0;
      if (next.offset0 !== before && next.startMs > fromMs) out.push(next.startMs, next.offset0);
      t = next;
    }
    return out;
  }

  /** Epoch ms of the first transition after `ts` (exclusive) and up to `limitMs`, or Infinity. */
  nextTransitionAfter(ts: number, limitMs: number): number {
    const tr = this.transitionsIn(ts, limitMs);
    return tr.length ? tr[0]! : Infinity;
  }

  /** Local day number (days since 1970-01-01 of the local calendar) at `ts`. */
  localDay(ts: number): number {
    return Math.floor((ts + this.offsetAt(ts) * MINUTE_MS) / DAY_MS);
  }

  /**
   * The first instant at which the local clock shows `localMs` or later. So an ambiguous wall
   * time (fall-back) maps to its earlier instant, and a wall time that does not exist
   * (spring-forward gap: 02:30 on a 02:00 -> 03:00 day) maps to the end of the gap (03:00).
   */
  localToUtc(localMs: number): number {
    const from = localMs - BEFORE_MS;
    let offset = this.offsetAt(from);
    const tr = this.transitionsIn(from, localMs + AFTER_MS);
    let segStart = from;
    for (let i = 0; ; i += 2) {
      const segEnd = i < tr.length ? tr[i]! : Infinity;
      const t = localMs - offset * MINUTE_MS;
      if (t < segStart) return segStart; // the clock jumped over localMs at segStart
      if (t < segEnd) return t;
      if (i >= tr.length) return t;
      segStart = segEnd;
      offset = tr[i + 1]!;
    }
  }
}
