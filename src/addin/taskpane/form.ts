/**
 * The taskpane form's values, their checks (issue 4 "Bad input": each problem named on its field,
 * nothing the user typed is dropped) and the API requests built from them. Pure: no React, no DOM.
 */
import {
  type AvailabilityRequestInput,
  type CreateInterviewRequestInput,
  Email,
  isIanaZone,
  MAX_DURATION_MINUTES,
  MAX_PANEL,
  MAX_WINDOW_DAYS,
} from '../../shared/api';
import { addDays, localDate, zonedMidnight } from './time';

/** What the user typed (strings, as the inputs hold them). */
export interface FormValues {
  candidateName: string;
  candidateEmail: string;
  /** IANA zone or empty. */
  candidateZone: string;
  /** Candidate's acceptable hours, `HH:mm`, used when a zone is given. */
  candidateStart: string;
  candidateEnd: string;
  panel: string[];
  durationMinutes: string;
  /** `YYYY-MM-DD` in the user's zone, inclusive. */
  from: string;
  to: string;
  bufferMinutes: string;
}

export type FieldName =
  'candidateName' | 'candidateEmail' | 'candidateZone' | 'candidateHours' | 'panel' | 'durationMinutes' | 'range' | 'bufferMinutes';
export type FieldErrors = Partial<Record<FieldName, string>>;

/** Fresh values: a week from today in `zone`, 60 minutes, no buffer. */
export function initialValues(nowMs: number, zone: string): FormValues {
  const today = localDate(nowMs, zone);
  return {
    candidateName: '',
    candidateEmail: '',
    candidateZone: '',
    candidateStart: '08:00',
    candidateEnd: '18:00',
    panel: [],
    durationMinutes: '60',
    from: today,
    to: addDays(today, 6),
    bufferMinutes: '0',
  };
}

const isEmail = (s: string) => Email.safeParse(s).success;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const HM = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * Checks the search fields and builds `POST /api/availability`'s body.
 * @param zone the user's IANA zone (dates are read in it)
 */
export function availabilityRequest(
  v: FormValues,
  zone: string,
  nowMs: number,
): { errors: FieldErrors; request?: AvailabilityRequestInput } {
  const errors: FieldErrors = {};
  if (v.panel.length === 0) errors.panel = 'Add at least one panelist.';
  else if (v.panel.length > MAX_PANEL) errors.panel = `A panel has at most ${MAX_PANEL} people.`;
  else {
    const bad = v.panel.filter((p) => !isEmail(p));
    if (bad.length) errors.panel = `Not an email address: ${bad.join(', ')}.`;
  }
  if (v.candidateEmail.trim() && !isEmail(v.candidateEmail.trim()))
    errors.candidateEmail = 'Enter a valid email address, e.g. jane@example.com.';
  const zoneName = v.candidateZone.trim();
  if (zoneName && !isIanaZone(zoneName))
    errors.candidateZone = `"${zoneName}" is not a time zone. Pick one from the list, e.g. Asia/Tokyo.`;
  if (zoneName && (!HM.test(v.candidateStart) || !HM.test(v.candidateEnd) || v.candidateEnd <= v.candidateStart))
    errors.candidateHours = 'Give the candidate’s hours as a start before an end, e.g. 08:00 to 18:00.';
  const duration = Number(v.durationMinutes);
  if (!Number.isInteger(duration) || duration < 5) errors.durationMinutes = 'Enter a whole number of minutes, at least 5.';
  else if (duration > MAX_DURATION_MINUTES) errors.durationMinutes = `An interview lasts at most ${MAX_DURATION_MINUTES} minutes.`;
  const buffer = Number(v.bufferMinutes || '0');
  if (!Number.isInteger(buffer) || buffer < 0 || buffer > 240) errors.bufferMinutes = 'Enter 0 to 240 minutes.';
  const today = localDate(nowMs, zone);
  if (!DATE.test(v.from) || !DATE.test(v.to)) errors.range = 'Pick a start and an end date.';
  else if (v.to < v.from) errors.range = 'The end date is before the start date.';
  else if (v.to < today) errors.range = 'This date range is in the past. Pick dates from today on.';
  else if ((Date.parse(v.to) - Date.parse(v.from)) / 86_400_000 + 1 > MAX_WINDOW_DAYS)
    errors.range = `Search at most ${MAX_WINDOW_DAYS} days at once.`;
  if (Object.keys(errors).length > 0) return { errors };
  const from = v.from < today ? today : v.from;
  return {
    errors,
    request: {
      panel: v.panel,
      durationMinutes: duration,
      window: {
        start: new Date(zonedMidnight(from, zone)).toISOString(),
        end: new Date(zonedMidnight(addDays(v.to, 1), zone)).toISOString(),
      },
      bufferMinutes: buffer,
      maxSlots: 200,
      ...(zoneName ? { candidate: { timeZone: zoneName, acceptableHours: { start: v.candidateStart, end: v.candidateEnd } } } : {}),
    },
  };
}

/** Checks the candidate fields needed to book and builds `POST /api/interviews`' body for a slot. */
export function bookingRequest(
  v: FormValues,
  slot: { start: string; end: string },
): { errors: FieldErrors; request?: CreateInterviewRequestInput } {
  const errors: FieldErrors = {};
  const name = v.candidateName.trim();
  const email = v.candidateEmail.trim();
  if (!name) errors.candidateName = 'Enter the candidate’s name to book.';
  if (!email) errors.candidateEmail = 'Enter the candidate’s email to book.';
  else if (!isEmail(email)) errors.candidateEmail = 'Enter a valid email address, e.g. jane@example.com.';
  if (Object.keys(errors).length > 0) return { errors };
  const zone = v.candidateZone.trim();
  return {
    errors,
    request: {
      candidate: { name, email, ...(zone && isIanaZone(zone) ? { timeZone: zone } : {}) },
      panel: v.panel,
      start: slot.start,
      end: slot.end,
      teamsMeeting: true,
      bufferMinutes: Number(v.bufferMinutes || '0') || 0,
    },
  };
}

/** Maps a 400's `details` paths (`panel.1`, `window.end`, `candidate.timeZone`) to form fields. */
export function fieldOf(path: string): FieldName | undefined {
  const head = path.split('.')[0];
  const second = path.split('.')[1];
  if (head === 'panel') return 'panel';
  if (head === 'durationMinutes') return 'durationMinutes';
  if (head === 'bufferMinutes') return 'bufferMinutes';
  if (head === 'window' || head === 'start' || head === 'end') return 'range';
  if (head === 'candidate')
    return second === 'timeZone'
      ? 'candidateZone'
      : second === 'email'
        ? 'candidateEmail'
        : second === 'name'
          ? 'candidateName'
          : 'candidateHours';
  return undefined;
}

/** Splits typed or pasted text into addresses (commas, semicolons, spaces, `Name <a@b>`). */
export function splitAddresses(text: string): string[] {
  return text
    .split(/[,;\s]+/)
    .map((s) => s.replace(/^<|>$/g, '').trim())
    .filter((s) => s.includes('@'));
}
