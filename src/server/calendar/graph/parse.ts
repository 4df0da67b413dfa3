/**
 * Graph JSON -> Convene's port types, strictly: what does not have the documented shape is a
 * per-mailbox `error` (or a whole-call `graph_error`), never silently read as "no busy times".
 *
 * @see https://learn.microsoft.com/graph/api/resources/scheduleinformation
 * @see https://learn.microsoft.com/graph/api/resources/mailboxsettings
 * @see https://learn.microsoft.com/graph/api/resources/user
 * @see https://learn.microsoft.com/graph/api/resources/event
 */
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import type { BusyItem, DayOfWeek, FreeBusyStatus, MailboxSettingsInput } from '../../scheduling/types';
import { WINDOWS_TO_IANA } from '../../scheduling/windows-zones.generated';
import type { CreatedEvent, DirectoryUser, MailboxFailure } from '../provider';
import { mailboxError, toMailboxFailure } from './errors';

/** One schedule of a getSchedule answer: its busy items (UTC ms) or why it cannot be used. */
export type ParsedSchedule = { status: 'ok'; items: BusyItem[] } | MailboxFailure;

const dateTimeTimeZone = z.object({ dateTime: z.string(), timeZone: z.string().nullish() });
const scheduleItem = z.object({ status: z.string().nullish(), start: dateTimeTimeZone, end: dateTimeTimeZone });
const scheduleInformation = z.object({
  scheduleId: z.string(),
  scheduleItems: z.array(scheduleItem).nullish(),
  error: z.object({ message: z.string().nullish(), responseCode: z.string().nullish() }).nullish(),
});

/**
 * getSchedule's `value[]` by `scheduleId` (lower-cased). Entries without a `scheduleId` cannot be
 * attributed and are left out: their schedules then count as missing (an `error`), never as free.
 * @returns null when the body has no `value` array at all
 */
export function parseGetScheduleResponse(body: unknown): Map<string, ParsedSchedule> | null {
  if (!isRecord(body) || !Array.isArray(body.value)) return null;
  const out = new Map<string, ParsedSchedule>();
  for (const raw of body.value) {
    if (!isRecord(raw) || typeof raw.scheduleId !== 'string') continue;
    const key = raw.scheduleId.toLowerCase();
    out.set(key, mergeParsed(out.get(key), parseOneSchedule(raw)));
  }
  return out;
}

function parseOneSchedule(raw: Record<string, unknown>): ParsedSchedule {
  const parsed = scheduleInformation.safeParse(raw);
  if (!parsed.success) return mailboxError('Microsoft Graph returned free/busy data for this mailbox that Convene cannot read.');
  const info = parsed.data;
  // Any error object fails the schedule, even an empty one: never read an error as free time.
  if (info.error) {
    return toMailboxFailure({ status: 0, code: info.error.responseCode, message: info.error.message });
  }
  const items: BusyItem[] = [];
  for (const item of info.scheduleItems ?? []) {
    const startMs = graphDateTimeToMs(item.start.dateTime, item.start.timeZone);
    const endMs = graphDateTimeToMs(item.end.dateTime, item.end.timeZone);
    if (startMs === null || endMs === null) {
      const zone = startMs === null ? item.start.timeZone : item.end.timeZone;
      return mailboxError(
        `Microsoft Graph returned free/busy times Convene cannot place in time (time zone ${JSON.stringify(zone ?? null)}).`,
      );
    }
    if (endMs < startMs) return mailboxError('Microsoft Graph returned a free/busy item that ends before it starts.');
    items.push({ startMs, endMs, status: freeBusyStatus(item.status) });
  }
  return { status: 'ok', items };
}

/** Two answers for one schedule (e.g. two windows): a failure wins, else the busy items are merged. */
export function mergeParsed(a: ParsedSchedule | undefined, b: ParsedSchedule): ParsedSchedule {
  if (!a) return b;
  if (a.status !== 'ok') return a;
  if (b.status !== 'ok') return b;
  return { status: 'ok', items: normalizeItems([...a.items, ...b.items]) };
}

/** Sorted by start, then end; exact duplicates (an item spanning two windows) removed. */
export function normalizeItems(items: readonly BusyItem[]): BusyItem[] {
  const seen = new Set<string>();
  const out: BusyItem[] = [];
  for (const i of [...items].sort((x, y) => x.startMs - y.startMs || x.endMs - y.endMs)) {
    const key = `${i.startMs}/${i.endMs}/${i.status}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(i);
  }
  return out;
}

const freeBusyStatuses: Readonly<Record<string, FreeBusyStatus>> = {
  free: 'free',
  tentative: 'tentative',
  busy: 'busy',
  oof: 'oof',
  workingelsewhere: 'workingElsewhere',
  unknown: 'unknown',
};

/** Graph's `freeBusyStatus` in any case (the docs show both `busy` and `Busy`); anything else is `unknown`. */
export function freeBusyStatus(value: string | null | undefined): FreeBusyStatus {
  return freeBusyStatuses[(value ?? '').toLowerCase()] ?? 'unknown';
}

/** Names Graph and Windows use for UTC itself. */
const utcNames: ReadonlySet<string> = new Set([
  'utc',
  'etc/utc',
  'etc/gmt',
  'gmt',
  'z',
  'coordinated universal time',
  'tzone://microsoft/utc',
]);

const localDateTime = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/;

/**
 * A Graph `dateTimeTimeZone` as epoch ms. `dateTime` is a wall time without offset
 * (`2026-11-23T17:00:00.0000000`); `timeZone` is `UTC` when the request sent
 * `Prefer: outlook.timezone="UTC"`, but anything else that names a zone (IANA or Windows) is
 * converted properly. Null when the time or zone cannot be read.
 */
export function graphDateTimeToMs(dateTime: string, timeZone: string | null | undefined): number | null {
  const m = localDateTime.exec(dateTime.trim());
  if (!m || !timeZone) return null;
  const [, y, mo, d, h, mi, s, frac] = m;
  const parts = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h),
    minute: Number(mi),
    second: Number(s ?? '0'),
    millisecond: Number((frac ?? '').padEnd(3, '0').slice(0, 3)),
  };
  const zone = timeZone.trim();
  if (utcNames.has(zone.toLowerCase())) {
    const ms = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second, parts.millisecond);
    // Date.UTC rolls 2026-02-30 over to March; Graph never sends such dates, so refuse them.
    const check = new Date(ms);
    return check.getUTCDate() === parts.day && check.getUTCMonth() === parts.month - 1 ? ms : null;
  }
  const iana = IANAZone.isValidZone(zone) ? zone : WINDOWS_TO_IANA[zone];
  if (!iana || !IANAZone.isValidZone(iana)) return null;
  const dt = DateTime.fromObject(parts, { zone: iana });
  return dt.isValid ? dt.toMillis() : null;
}

const days = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const dayOfWeek = z.string().transform((s, ctx) => {
  const d = s.toLowerCase();
  if ((days as readonly string[]).includes(d)) return d as DayOfWeek;
  ctx.addIssue({ code: 'custom', message: `not a day of week: ${s}` });
  return z.NEVER;
});
const standardOffset = z.object({ time: z.string(), dayOccurrence: z.number(), dayOfWeek, month: z.number(), year: z.number() });
const timeZoneBase = z.object({
  '@odata.type': z.string().optional(),
  name: z.string().nullish(),
  bias: z.number().nullish(),
  standardOffset: standardOffset.nullish(),
  daylightOffset: standardOffset.extend({ daylightBias: z.number() }).nullish(),
});
const mailboxSettings = z.object({
  timeZone: z.string().nullish(),
  workingHours: z
    .object({ daysOfWeek: z.array(dayOfWeek), startTime: z.string(), endTime: z.string(), timeZone: timeZoneBase.nullish() })
    .nullish(),
});

/** The `timeZone` and `workingHours` of a `mailboxSettings` body; null when they do not have Graph's shape. */
export function parseMailboxSettings(body: unknown): MailboxSettingsInput | null {
  const parsed = mailboxSettings.safeParse(body);
  if (!parsed.success) return null;
  const out: MailboxSettingsInput = { timeZone: parsed.data.timeZone ?? null };
  out.workingHours = parsed.data.workingHours ?? null;
  return out;
}

const user = z.object({
  id: z.string().min(1),
  displayName: z.string().nullish(),
  mail: z.string().nullish(),
  userPrincipalName: z.string().nullish(),
});

/** A `user` body as a {@link DirectoryUser} (`mail` falls back to `userPrincipalName`); null when it has no id. */
export function parseDirectoryUser(body: unknown): DirectoryUser | null {
  const parsed = user.safeParse(body);
  if (!parsed.success) return null;
  const u = parsed.data;
  const upn = u.userPrincipalName ?? '';
  const mail = u.mail || upn;
  if (!mail) return null;
  return { id: u.id, displayName: u.displayName || mail, mail, userPrincipalName: upn || mail };
}

/** A `GET /users` page's `value[]` as users (entries without an id or address are left out); null when there is no `value`. */
export function parseUserList(body: unknown): DirectoryUser[] | null {
  if (!isRecord(body) || !Array.isArray(body.value)) return null;
  return body.value.map(parseDirectoryUser).filter((u): u is DirectoryUser => u !== null);
}

const createdEvent = z.object({
  id: z.string().min(1),
  iCalUId: z.string().min(1),
  webLink: z.string().nullish(),
  onlineMeeting: z.object({ joinUrl: z.string().nullish() }).nullish(),
});

/** The answer to `POST /users/{id}/events`; null without `id` and `iCalUId`. */
export function parseCreatedEvent(body: unknown): CreatedEvent | null {
  const parsed = createdEvent.safeParse(body);
  if (!parsed.success) return null;
  const e = parsed.data;
  const out: CreatedEvent = { id: e.id, iCalUId: e.iCalUId };
  if (e.webLink) out.webLink = e.webLink;
  if (e.onlineMeeting?.joinUrl) out.joinUrl = e.onlineMeeting.joinUrl;
  return out;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
