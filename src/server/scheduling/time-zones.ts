/**
 * Time zone names as Microsoft Graph gives them -> zones the engine can compute with.
 *
 * Graph `mailboxSettings.timeZone` and `workingHours.timeZone.name` hold a Windows zone name
 * ("Pacific Standard Time"), sometimes an IANA name ("Europe/Berlin"), a few aliases
 * ("tzone://Microsoft/Utc"), or, for working hours, a `customTimeZone` with its own rules.
 * Windows names map to IANA through Unicode CLDR 48 (`windows-zones.generated.ts`, the
 * `territory="001"` entry). A name that cannot be mapped is an error: never a silent UTC.
 *
 * @see https://learn.microsoft.com/graph/api/resources/mailboxsettings
 * @see https://learn.microsoft.com/graph/api/resources/timezonebase
 * @see https://learn.microsoft.com/graph/api/resources/customtimezone
 */
import { IANAZone } from 'luxon';
import type { Zone } from 'luxon';
import { ConveneError, isConveneError } from '../../shared/errors';
import { CustomTimeZone } from './custom-time-zone';
import type { TimeZoneBaseInput } from './types';
import { WINDOWS_TO_IANA } from './windows-zones.generated';

/**
 * Names Graph or Exchange use that are neither in CLDR's windowsZones nor IANA names.
 * `tzone://Microsoft/Utc` is the TZID Exchange writes for UTC (seen in mailboxes and iCalendar
 * exports; sabre/vobject and evolution-ews map it to UTC the same way).
 */
export const TIME_ZONE_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  'tzone://Microsoft/Utc': 'Etc/UTC',
  'Coordinated Universal Time': 'Etc/UTC',
});

/** A zone the engine can compute with, plus the name it reports for it. */
export interface ResolvedZone {
  /** IANA name (`America/Los_Angeles`), or for a custom zone a fixed-offset label of its standard offset (`UTC-08:00`). */
  name: string;
  /** luxon zone: an `IANAZone`, or a {@link CustomTimeZone}. Only `offset(ts)` is needed. */
  zone: Zone;
}

let lowerCaseIndex: Map<string, string> | undefined;

/** Case-insensitive look-up table over CLDR names and aliases, built on first use. */
function lowerCaseLookup(name: string): string | undefined {
  if (!lowerCaseIndex) {
    lowerCaseIndex = new Map();
    for (const [w, iana] of Object.entries(WINDOWS_TO_IANA)) lowerCaseIndex.set(w.toLowerCase(), iana);
    for (const [w, iana] of Object.entries(TIME_ZONE_ALIASES)) lowerCaseIndex.set(w.toLowerCase(), iana);
  }
  return lowerCaseIndex.get(name.toLowerCase());
}

const validity = new Map<string, boolean>();

/**
 * `IANAZone.isValidZone`, memoized: luxon builds an `Intl.DateTimeFormat` per call (tens of
 * microseconds), and the engine asks for the same few zones for every attendee.
 */
function isValidIana(name: string): boolean {
  let valid = validity.get(name);
  if (valid === undefined) {
    if (validity.size >= 1024) validity.clear(); // bounded: names come from mailbox data
    valid = IANAZone.isValidZone(name);
    validity.set(name, valid);
  }
  return valid;
}

function unmappable(name: string): ConveneError {
  return new ConveneError('unprocessable', `Time zone '${name}' cannot be mapped to an IANA zone`);
}

/**
 * Maps a Windows zone name, an alias or an IANA name to an IANA name.
 *
 * Order: CLDR windowsZones (`Pacific Standard Time` -> `America/Los_Angeles`; `UTC` ->
 * `Etc/UTC`), then {@link TIME_ZONE_ALIASES}, then the same two case-insensitively, then any
 * name luxon's `IANAZone.isValidZone` accepts (returned as given).
 *
 * @param name - the zone name from Graph (surrounding spaces are ignored).
 * @returns an IANA zone name this runtime knows.
 * @throws ConveneError `unprocessable` ("Time zone 'X' cannot be mapped to an IANA zone") when nothing matches.
 * @example toIanaZone('India Standard Time'); // 'Asia/Calcutta'
 */
export function toIanaZone(name: string): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed === '') throw unprocessableEmpty();
  const mapped =
    (Object.hasOwn(WINDOWS_TO_IANA, trimmed) ? WINDOWS_TO_IANA[trimmed] : undefined) ??
    (Object.hasOwn(TIME_ZONE_ALIASES, trimmed) ? TIME_ZONE_ALIASES[trimmed] : undefined) ??
    lowerCaseLookup(trimmed);
  if (mapped !== undefined && isValidIana(mapped)) return mapped;
  if (mapped === undefined && isValidIana(trimmed)) return trimmed;
  throw unmappable(String(name));
}

function unprocessableEmpty(): ConveneError {
  return new ConveneError('unprocessable', 'Time zone is not set');
}

/** True when a Graph `timeZoneBase` is a `customTimeZone` (by `@odata.type`, or by carrying a `bias`). */
export function isCustomTimeZone(input: TimeZoneBaseInput): boolean {
  const type = input['@odata.type'];
  if (typeof type === 'string') return /customTimeZone$/i.test(type);
  return typeof input.bias === 'number';
}

/**
 * Alias of {@link toIanaZone}: a Graph zone name (Windows, alias or IANA) -> IANA name.
 * @throws ConveneError `unprocessable` when the name cannot be mapped.
 * @example resolveZone('Pacific Standard Time'); // 'America/Los_Angeles'
 */
export function resolveZone(name: string): string {
  return toIanaZone(name);
}

/**
 * Resolves a Graph zone (a name, or a `timeZoneBase` / `customTimeZone` object) to a zone to
 * compute with. Custom zones become a {@link CustomTimeZone} whose reported name is its
 * standard offset (`UTC+05:30`).
 *
 * @throws ConveneError `unprocessable` when the zone is absent, its name cannot be mapped, or
 *   its custom rules are malformed.
 * @example resolveTimeZone({ name: 'AUS Eastern Standard Time' }).name; // 'Australia/Sydney'
 */
export function resolveTimeZone(input: string | TimeZoneBaseInput | null | undefined): ResolvedZone {
  if (input === null || input === undefined) throw unprocessableEmpty();
  if (typeof input === 'string') {
    const iana = toIanaZone(input);
    return { name: iana, zone: IANAZone.create(iana) };
  }
  if (isCustomTimeZone(input)) {
    const zone = CustomTimeZone.fromGraph(input);
    return { name: zone.name, zone };
  }
  return resolveTimeZone(input.name ?? null);
}

/** {@link resolveTimeZone}, returning the error's message instead of throwing. */
export function tryResolveZone(
  input: string | TimeZoneBaseInput | null | undefined,
): { ok: true; zone: ResolvedZone } | { ok: false; reason: string } {
  try {
    return { ok: true, zone: resolveTimeZone(input) };
  } catch (e) {
    if (isConveneError(e)) return { ok: false, reason: e.message };
    throw e;
  }
}
