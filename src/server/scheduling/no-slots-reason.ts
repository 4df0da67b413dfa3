/**
 * "No slots, and here is why": when the engine finds no slot, a small deterministic explanation
 * built from the same interval lists the engine swept (working hours, per-day interview limits,
 * free/busy). Pure; computed only when there is no slot, so the engine's fast path is unchanged.
 *
 * It names people by email and their hours in their own zones, and who is busy, never with what
 * (getSchedule gives free/busy only and Convene keeps it that way).
 *
 * @see https://learn.microsoft.com/graph/api/resources/workinghours
 */
import type { NoSlotsReason } from '../../shared/api';
import { intersectIntervals, mergeIntervals, subtractIntervals } from './intervals';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Key naming the candidate in {@link NoSlotsReason.attendees} (as in each slot's `local`). */
export const CANDIDATE_PARTICIPANT = 'candidate';

/** One person whose time constrains the search, as the engine saw them. Intervals: flat `[s0, e0, ...]` epoch ms. */
export interface ReasonParticipant {
  /** The attendee's email as given, or {@link CANDIDATE_PARTICIPANT}. */
  key: string;
  /** Their hours in words, e.g. `Mon–Fri 09:00–17:00 Europe/Berlin`. */
  hoursText: string;
  /** Length of one working day (or the candidate's acceptable span), ms. */
  dayLengthMs: number;
  /** Working-hour pieces inside the search range (a piece list); null when no hours apply (unreadable zone). */
  working: number[] | null;
  /** Local days that already hold the per-day interview limit (merged); empty when none. */
  fullDays: number[];
  /** Blocking free/busy intervals widened by the buffer (merged); empty for the candidate. */
  blocked: number[];
}

/** What the engine knows about a search that found nothing. */
export interface NoSlotsInput {
  /** In panel order, the candidate last. */
  participants: ReasonParticipant[];
  /** The requested window and the clock, epoch ms. */
  windowStartMs: number;
  windowEndMs: number;
  nowMs: number;
  durationMinutes: number;
  stepMinutes: number;
  bufferMinutes: number;
  maxInterviewsPerDay?: number | undefined;
  /** True when a piece list holds at least one start on the organizer's step grid with the whole duration inside one piece. */
  hasStart: (pieces: readonly number[]) => boolean;
}

function total(pieces: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < pieces.length; i += 2) sum += pieces[i + 1]! - pieces[i]!;
  return sum;
}

function who(p: ReasonParticipant): string {
  return p.key === CANDIDATE_PARTICIPANT ? 'the candidate' : p.key;
}

function hoursOf(p: ReasonParticipant): string {
  return p.key === CANDIDATE_PARTICIPANT
    ? `the candidate's acceptable hours (${p.hoursText})`
    : `${p.key}'s working hours (${p.hoursText})`;
}

/** `a`, `a and b`, `a, b and c`. */
function list(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]!}`;
}

function minutesText(minutes: number): string {
  return `${minutes}-minute`;
}

/**
 * Why no slot exists: the first of these that holds (each later check assumes the earlier ones
 * passed), so the organizer learns the most basic cause first:
 * 1. `window`: the window, from now on, is shorter than the interview (or already over);
 * 2. `outside_working_days`: someone's working hours never fall inside the window for the
 *    duration (the window is on their days off), or `no_working_hours_overlap` when their working
 *    day itself is shorter than the interview;
 * 3. `no_working_hours_overlap`: the first pair (panel order, the candidate last) whose hours
 *    never share the duration on one day, else the whole panel's hours never do at once;
 * 4. `daily_limit`: the per-day interview limits fill every day the hours are shared;
 * 5. `busy`: the panel's free/busy fills all of the shared working time; names the attendee whose
 *    busy time covers most of it.
 * "Share the duration" means: a start on the organizer's step grid with the whole interview inside
 * one working day of each (the engine's own rule, through {@link NoSlotsInput.hasStart}).
 */
export function explainNoSlots(input: NoSlotsInput): NoSlotsReason {
  const durationMs = input.durationMinutes * MINUTE_MS;
  const duration = minutesText(input.durationMinutes);
  const lo = Math.max(input.windowStartMs, input.nowMs);
  const hi = input.windowEndMs;

  if (hi - lo < durationMs) {
    let message: string;
    if (hi <= input.nowMs) message = 'This date range is already over. Pick dates from today on.';
    else if (input.windowEndMs - input.windowStartMs < durationMs)
      message = `This date range is shorter than the ${duration} interview. Pick a longer range.`;
    else message = `What is left of this date range from now on is shorter than the ${duration} interview. Pick a later or longer range.`;
    return { code: 'window', message, attendees: [] };
  }

  const constrained = input.participants.filter((p): p is ReasonParticipant & { working: number[] } => p.working !== null);
  for (const p of constrained) {
    if (input.hasStart(p.working)) continue;
    if (p.dayLengthMs < durationMs) {
      return {
        code: 'no_working_hours_overlap',
        message: `${capital(hoursOf(p))} are shorter than the ${duration} interview. Shorten the interview.`,
        attendees: [p.key],
      };
    }
    const message =
      p.key === CANDIDATE_PARTICIPANT
        ? `The candidate's acceptable hours (${p.hoursText}) do not hold a ${duration} interview in this date range. Pick a longer range.`
        : `${p.key} does not work in this date range for ${input.durationMinutes} minutes (working hours ${p.hoursText}). Pick other dates or leave them out of the panel.`;
    return { code: 'outside_working_days', message, attendees: [p.key] };
  }

  for (let i = 0; i < constrained.length; i++) {
    for (let j = i + 1; j < constrained.length; j++) {
      const a = constrained[i]!;
      const b = constrained[j]!;
      if (input.hasStart(intersectIntervals(a.working, b.working, durationMs))) continue;
      const message =
        b.key === CANDIDATE_PARTICIPANT
          ? `${capital(hoursOf(a))} do not overlap the candidate's acceptable hours (${b.hoursText}) by ${input.durationMinutes} minutes on any day of this date range. Widen the candidate's hours or shorten the interview.`
          : `${capital(hoursOf(a))} and ${b.key}'s (${b.hoursText}) do not overlap by ${input.durationMinutes} minutes on any day of this date range. Split the panel or shorten the interview.`;
      return { code: 'no_working_hours_overlap', message, attendees: [a.key, b.key] };
    }
  }

  let shared: number[] = [lo, hi];
  for (const p of constrained) shared = intersectIntervals(shared, p.working, durationMs);
  if (!input.hasStart(shared)) {
    return {
      code: 'no_working_hours_overlap',
      message: `The working hours of ${list(constrained.map(who))} never overlap all at once by ${input.durationMinutes} minutes in this date range. Split the panel or shorten the interview.`,
      attendees: constrained.map((p) => p.key),
    };
  }

  const full = mergeIntervals(input.participants.flatMap((p) => p.fullDays));
  if (full.length > 0) {
    const open = intersectIntervals(subtractIntervals(shared, full), [lo, hi], durationMs);
    if (!input.hasStart(open)) {
      const limited = input.participants.filter((p) => intersectIntervals(shared, p.fullDays).length > 0);
      const limit = input.maxInterviewsPerDay ?? 0;
      return {
        code: 'daily_limit',
        message: `${capital(list(limited.map(who)))} already ${limited.length === 1 ? 'has' : 'have'} ${limit} interview${limit === 1 ? '' : 's'} (the daily limit) on every day the panel's working hours overlap in this date range. Pick other dates or raise the limit.`,
        attendees: limited.map((p) => p.key),
      };
    }
    shared = open;
  }

  // The hours are shared and not limited: free/busy fills them. Name whoever is busy for most of it.
  let busiest: ReasonParticipant | null = null;
  let busiestMs = 0;
  for (const p of input.participants) {
    const ms = total(intersectIntervals(shared, p.blocked));
    if (ms > busiestMs) {
      busiest = p;
      busiestMs = ms;
    }
  }
  const buffers = input.bufferMinutes > 0 ? `, ${input.bufferMinutes}-minute buffers included` : '';
  const advice = `Try a later or longer date range${input.bufferMinutes > 0 ? ', smaller buffers' : ''} or a shorter interview.`;
  if (!busiest) {
    return {
      code: 'busy',
      message: `The panel has no free ${duration} time on the ${input.stepMinutes}-minute grid in this date range. ${advice}`,
      attendees: [],
    };
  }
  const sharedHours = Math.round(total(shared) / (DAY_MS / 24 / 10)) / 10;
  return {
    code: 'busy',
    message: `The panel is busy whenever their working hours overlap in this date range${buffers}; ${who(busiest)} is busy for most of that time (${Math.round((100 * busiestMs) / total(shared))}% of ${sharedHours} h). ${advice}`,
    attendees: [busiest.key],
  };
}

/** Starts a sentence: `the candidate` becomes `The candidate`; an email stays as written. */
function capital(text: string): string {
  return text.startsWith('the ') ? `T${text.slice(1)}` : text;
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * Working days in words, Monday first, runs of 3+ joined with an en dash, wrapping over the week
 * end: `Mon–Fri`, `Sun–Thu`, `Mon, Wed, Fri`, `every day`.
 * @param days - indexed 0 (Sunday) .. 6.
 */
export function daysText(days: readonly boolean[]): string {
  const on = (i: number): boolean => days[((i % 7) + 7) % 7] === true;
  let count = 0;
  for (let i = 0; i < 7; i++) if (on(i)) count++;
  if (count === 7) return 'every day';
  if (count === 0) return 'no days';
  // Start on Monday, or earlier when Monday's run began before it, so a run over the week end stays whole.
  let start = 8; // Monday, one week on, so start - 1 stays positive
  while (on(start) && on(start - 1)) start--;
  const runs: string[] = [];
  for (let k = 0; k < 7;) {
    if (!on(start + k)) {
      k++;
      continue;
    }
    let n = 0;
    while (k + n < 7 && on(start + k + n)) n++;
    const first = DAY_NAMES[(start + k) % 7]!;
    const last = DAY_NAMES[(start + k + n - 1) % 7]!;
    if (n === 1) runs.push(first);
    else if (n === 2) runs.push(first, last);
    else runs.push(`${first}–${last}`);
    k += n;
  }
  return runs.join(', ');
}

/** `HH:mm` of a time of day in ms (seconds dropped); `24:00` for a full day. */
export function clockText(ms: number): string {
  const minutes = Math.floor(ms / MINUTE_MS);
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** `09:00–17:00`, or `all day` for a 24-hour span (start == end). */
export function spanText(startMs: number, endMs: number): string {
  return startMs === endMs ? 'all day' : `${clockText(startMs)}–${clockText(endMs)}`;
}
