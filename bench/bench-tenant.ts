/**
 * A synthetic tenant for the benchmarks: 41 users over 8 time zones with a week of meetings each,
 * in the simulator's seed format. Deterministic; built relative to the next Monday.
 */
import { DateTime } from 'luxon';
import type { SeedTenant } from '../sim';

export const BENCH_TID = '7e57be9c-0000-4000-8000-00000000be9c';
export const BENCH_DOMAIN = 'bench.example';
const ZONES = [
  'Pacific Standard Time',
  'Eastern Standard Time',
  'GMT Standard Time',
  'W. Europe Standard Time',
  'India Standard Time',
  'AUS Eastern Standard Time',
  'E. South America Standard Time',
  'Central Standard Time',
];

/** The organizer is `u0@bench.example`; attendees are u1..u40. */
export function benchTenant(nowMs: number): SeedTenant {
  const monday = DateTime.fromMillis(nowMs, { zone: 'utc' }).startOf('week').plus({ weeks: 1 });
  const users = Array.from({ length: 41 }, (_, i) => {
    const zone = ZONES[i % ZONES.length] as string;
    const events = Array.from({ length: 5 * 6 }, (_, k) => {
      const day = Math.floor(k / 6);
      const start = monday.plus({ days: day, hours: 6 + ((k * 7 + i * 3) % 14), minutes: ((k + i) % 2) * 30 });
      return {
        subject: `Meeting ${k}`,
        start: { dateTime: start.toFormat("yyyy-LL-dd'T'HH:mm:ss"), timeZone: 'UTC' },
        end: { dateTime: start.plus({ minutes: 30 }).toFormat("yyyy-LL-dd'T'HH:mm:ss"), timeZone: 'UTC' },
        showAs: (['busy', 'busy', 'tentative', 'oof', 'free'] as const)[(k + i) % 5],
      };
    });
    return {
      id: `7e57be9c-0000-4000-8000-${String(i).padStart(12, '0')}`,
      userPrincipalName: `u${i}@${BENCH_DOMAIN}`,
      mail: `u${i}@${BENCH_DOMAIN}`,
      displayName: `User ${i}`,
      mailboxSettings: {
        timeZone: zone,
        workingHours: {
          daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const,
          startTime: '07:00:00.0000000',
          endTime: '19:00:00.0000000',
          timeZone: { name: zone },
        },
      },
      events,
    };
  });
  return {
    tenant: { id: BENCH_TID, domain: BENCH_DOMAIN, displayName: 'Bench' },
    consent: { granted: true },
    users: users.map((u) => ({
      ...u,
      mailboxSettings: {
        ...u.mailboxSettings,
        workingHours: { ...u.mailboxSettings.workingHours, daysOfWeek: [...u.mailboxSettings.workingHours.daysOfWeek] },
      },
    })),
  };
}

/** The availability request body for a panel of `size` (u1..u<size>) over next week. */
export function benchRequest(nowMs: number, size: number): object {
  const monday = DateTime.fromMillis(nowMs, { zone: 'utc' }).startOf('week').plus({ weeks: 1 });
  return {
    panel: Array.from({ length: size }, (_, i) => `u${i + 1}@${BENCH_DOMAIN}`),
    durationMinutes: 60,
    window: { start: monday.toISO(), end: monday.plus({ days: 5 }).toISO() },
  };
}
