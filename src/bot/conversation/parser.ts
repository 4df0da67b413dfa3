/**
 * A deterministic parser for what coordinators type: commands (`schedule`, `my interviews`,
 * `cancel <id>`, `help`) and scheduling requests such as
 * "schedule a 45 minute interview for Jane Doe jane@example.com with Bob and Carol next week".
 *
 * It only reads text: names are resolved later against the tenant's directory, and dates are
 * kept symbolic ({@link DateSpec}) until the coordinator's time zone is known. Explicit dates
 * ("Dec 3", "2026-12-03", "12/3 to 12/5") go through chrono-node.
 *
 * @see https://github.com/wanasit/chrono
 */
import * as chrono from 'chrono-node';
import { isIanaZone } from '../../shared/api';

/** A calendar date without a zone; `year` absent means "the next such date". */
export interface LocalDate {
  year?: number;
  month: number;
  day: number;
}

/** When to look, before the coordinator's zone is known. Weekdays are ISO (1 = Monday). */
export type DateSpec =
  | { kind: 'default' }
  | { kind: 'today' }
  | { kind: 'tomorrow' }
  | { kind: 'thisWeek' }
  | { kind: 'nextWeek' }
  | { kind: 'weekday'; weekday: number }
  | { kind: 'dates'; from: LocalDate; to?: LocalDate };

/** A panel member as typed: an address, or a name to look up. */
export type PanelRef = { email: string } | { name: string };

/** A scheduling request as typed; anything absent is asked for on a form. */
export interface ParsedRequest {
  durationMinutes?: number;
  candidateName?: string;
  candidateEmail?: string;
  candidateTimeZone?: string;
  panel: PanelRef[];
  date: DateSpec;
}

/** What a message asks for. */
export type Command =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'cancel'; id: string | undefined }
  | { kind: 'schedule'; request: ParsedRequest }
  | { kind: 'unknown' };

/** Longest message the bot reads, in characters (a scheduling request is a sentence or two). */
export const MAX_MESSAGE_CHARS = 2000;

const EMAIL = /[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const WEEKDAY_RE = '(mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:rs|rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)';

/** Parses one message. Mentions of the bot (`<at>Convene</at>`) are ignored. */
export function parseCommand(raw: string): Command {
  const text = raw
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const lower = text.toLowerCase();
  if (/^(help|\?|hi|hello|hey|what can you do\??|commands)$/.test(lower)) return { kind: 'help' };
  if (/^(my )?(interviews|upcoming interviews|list( interviews)?|show (my )?interviews)$/.test(lower)) return { kind: 'list' };
  const cancel = /^cancel(?: interview)?(?:\s+(\S+))?$/i.exec(text);
  if (cancel) return { kind: 'cancel', id: cancel[1] };
  if (/^(schedule|book|set up|setup|arrange|plan|find( a)? time|new interview)\b/i.test(text) || /\binterview\b.*\bwith\b/i.test(text))
    return { kind: 'schedule', request: parseRequest(text) };
  return { kind: 'unknown' };
}

/** Parses the parts of a scheduling request (see the module comment). */
export function parseRequest(input: string): ParsedRequest {
  let text = ` ${input} `;
  const take = (re: RegExp): RegExpExecArray | null => {
    const m = re.exec(text);
    if (m) text = text.slice(0, m.index) + ' ' + text.slice(m.index + m[0].length);
    return m;
  };

  const durationMinutes = takeDuration(take);

  let candidateTimeZone: string | undefined;
  const zone = take(
    /\b(?:(?:candidate(?:'s)?|their)\s+(?:is\s+)?(?:in\s+)?(?:time\s*zone\s+)?)?\(?([A-Z][A-Za-z_]+\/[A-Za-z_]+(?:\/[A-Za-z_]+)?)\)?/,
  );
  if (zone?.[1] && isIanaZone(zone[1])) candidateTimeZone = zone[1];

  const date = takeDate(take, () => text);

  // What is left: "schedule a interview for Jane Doe jane@example.com with Bob and Carol".
  const segments = segment(text);
  const emails = (s: string) => s.match(EMAIL) ?? [];
  const panel: PanelRef[] = [];
  for (const part of (segments.with ?? '').split(/,|;|&|\band\b|\bplus\b/i)) {
    const found = emails(part);
    if (found.length > 0) for (const e of found) panel.push({ email: e.toLowerCase() });
    else {
      const name = cleanName(part.replace(/\b(the|panel|interviewers?|me)\b/gi, ' '));
      if (name) panel.push({ name });
    }
  }

  let candidateEmail: string | undefined;
  let candidateName: string | undefined;
  const forText = segments.for ?? segments.candidate;
  if (forText !== undefined) {
    candidateEmail = emails(forText)[0]?.toLowerCase();
    candidateName = cleanName(forText.replace(EMAIL, ' ').replace(/\b(candidate|an?|interview)\b/gi, ' '));
  } else {
    // No "for": an address that is not on the panel is the candidate's.
    const stray = emails(segments.rest).filter((e) => !panel.some((p) => 'email' in p && p.email === e.toLowerCase()));
    candidateEmail = stray[0]?.toLowerCase();
  }

  return {
    ...(durationMinutes !== undefined ? { durationMinutes } : {}),
    ...(candidateName ? { candidateName } : {}),
    ...(candidateEmail ? { candidateEmail } : {}),
    ...(candidateTimeZone ? { candidateTimeZone } : {}),
    panel,
    date,
  };
}

function takeDuration(take: (re: RegExp) => RegExpExecArray | null): number | undefined {
  const hm = take(/\b(\d{1,2})\s*h(?:ours?|rs?)?\s*(\d{1,2})\s*m(?:in(?:ute)?s?)?\b/i);
  if (hm) return Number(hm[1]) * 60 + Number(hm[2]);
  const half = take(/\b(?:a\s+)?half(?:\s+an?)?[\s-]+hour\b/i);
  if (half) return 30;
  const n = take(/\b(\d+(?:\.\d+)?)[\s-]*(hours?|hrs?|h|minutes?|mins?|m)\b/i);
  if (n?.[1] && n[2]) {
    const value = Number(n[1]);
    return Math.round(/^h/i.test(n[2]) ? value * 60 : value);
  }
  const anHour = take(/\b(?:an?|one)[\s-]+hour\b/i);
  if (anHour) return 60;
  return undefined;
}

function takeDate(take: (re: RegExp) => RegExpExecArray | null, rest: () => string): DateSpec {
  if (take(/\bnext\s+week\b/i)) return { kind: 'nextWeek' };
  if (take(/\bthis\s+week\b/i)) return { kind: 'thisWeek' };
  if (take(/\btomorrow\b/i)) return { kind: 'tomorrow' };
  if (take(/\btoday\b/i)) return { kind: 'today' };
  const wd = take(new RegExp(`\\b(?:on\\s+|next\\s+|this\\s+)?${WEEKDAY_RE}\\b(?!\\s*\\d)`, 'i'));
  if (wd?.[1]) {
    const prefix = wd[1].slice(0, 3).toLowerCase();
    return { kind: 'weekday', weekday: WEEKDAYS.findIndex((d) => d.startsWith(prefix)) + 1 };
  }
  // Explicit dates: chrono, on the text without addresses (digits in them are not dates).
  const masked = rest().replace(EMAIL, (m) => ' '.repeat(m.length));
  const results = chrono.parse(masked, new Date(), { forwardDate: true }).filter((r) => r.start.isCertain('day'));
  const first = results[0];
  if (!first) return { kind: 'default' };
  const toLocal = (c: chrono.ParsedComponents): LocalDate => ({
    ...(c.isCertain('year') ? { year: c.get('year') as number } : {}),
    month: c.get('month') as number,
    day: c.get('day') as number,
  });
  const second = results[1];
  const end =
    first.end ??
    (second && /^\s*(?:-|–|to|until|through|and)\s*$/i.test(masked.slice(first.index + first.text.length, second.index))
      ? second.start
      : undefined);
  for (const r of [first, ...(end && !first.end && second ? [second] : [])])
    take(new RegExp(`(?:\\b(?:on|from|between)\\s+)?${escapeRe(r.text)}(?:\\s*(?:-|–|to|until|through|and)\\s*)?`, 'i'));
  return { kind: 'dates', from: toLocal(first.start), ...(end ? { to: toLocal(end) } : {}) };
}

/** Splits "... for X ... with Y ..." into its `for`, `with` and `candidate` parts. */
function segment(text: string): { for?: string; with?: string; candidate?: string; rest: string } {
  const re = /\b(for|with|candidate(?:\s+is)?)\b/gi;
  const marks: Array<{ key: 'for' | 'with' | 'candidate'; start: number; end: number }> = [];
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const word = (m[1] ?? '').toLowerCase();
    const key = word.startsWith('candidate') ? 'candidate' : (word as 'for' | 'with');
    // "interview for" / "with" only once each: later ones belong to names ("Forrest" is not matched: \b).
    if (!marks.some((x) => x.key === key)) marks.push({ key, start: m.index, end: m.index + m[0].length });
  }
  const out: { for?: string; with?: string; candidate?: string; rest: string } = { rest: text };
  marks.forEach((mark, i) => {
    const next = marks[i + 1];
    out[mark.key] = text.slice(mark.end, next ? next.start : text.length);
  });
  return out;
}

function cleanName(s: string): string {
  return s
    .replace(/[<>()[\]"“”:]/g, ' ')
    .replace(/\b(schedule|book|an?|the|interview|please)\b/gi, ' ')
    .replace(/[.,;!?]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
