/**
 * The demo tenants the simulator starts with when no seed files are given: Contoso (consented,
 * 16 people over 12 time zones, realistic calendars around the current week, an access policy
 * that blocks one mailbox) and Fabrikam (not consented). Generated relative to `nowMs`, so the
 * demo never goes stale, and deterministically (same day, same meetings).
 */
import { parseSeeds, type SeedEvent, type SeedTenant, type SeedUser } from './seed';
import { dayNumber, formatDate, formatWallTime, fromLocal, resolveZone, weekday, type DayName } from './time';

/** Contoso's tenant id (fixed, so local configuration and bookmarks keep working). */
export const CONTOSO_TENANT_ID = '2f3b8c1e-6a4d-4c7b-9e21-5d8f0a6b4c31';
/** Fabrikam's tenant id (not consented in the demo). */
export const FABRIKAM_TENANT_ID = '8e4a2d90-1b7c-4f3e-a5d6-7c9b0e1f2a43';

interface Person {
  key: string;
  id: string;
  name: string;
  title: string;
  office: string;
  /** Mailbox time zone (Windows name). */
  zone: string;
  /** Working hours [start, end) in hours of the working-hours zone (9.5 = 09:30). */
  hours: [number, number];
  days?: DayName[];
  /** Working-hours zone when it differs from the mailbox zone (Windows name). */
  workingZone?: string;
  /** Working hours in a Graph customTimeZone instead of a named zone. */
  customWorkingZone?: Record<string, unknown>;
  appRoles?: string[];
  mailboxEnabled?: boolean;
}

type Recurrence = NonNullable<SeedEvent['recurrence']>;

const WEEKDAYS: DayName[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];

/** Pacific time written as an Exchange custom zone: UTC = local + 480 min; DST 2nd Sunday of March to 1st Sunday of November. */
const CUSTOM_PACIFIC = {
  '@odata.type': '#microsoft.graph.customTimeZone',
  name: 'Customized Time Zone',
  bias: 480,
  standardOffset: { time: '02:00:00.0000000', dayOccurrence: 1, dayOfWeek: 'sunday', month: 11, year: 0 },
  daylightOffset: { time: '02:00:00.0000000', dayOccurrence: 2, dayOfWeek: 'sunday', month: 3, year: 0, daylightBias: -60 },
};

const CONTOSO: Person[] = [
  {
    key: 'adele',
    id: 'a0d1e5e0-7c2b-4b8e-9d11-0c1e2a3b4c01',
    name: 'Adele Vance',
    title: 'Talent Acquisition Lead',
    office: 'Seattle',
    zone: 'Pacific Standard Time',
    hours: [8, 17],
    appRoles: ['Convene.Admin'],
  },
  {
    key: 'bob',
    id: 'b0b2c3d4-1e2f-4a5b-8c6d-0c1e2a3b4c02',
    name: 'Bob Kim',
    title: 'Engineering Manager',
    office: 'Seattle',
    zone: 'Pacific Standard Time',
    hours: [9, 17],
  },
  {
    key: 'grace',
    id: '6ace1ee0-2f3a-4b4c-9d5e-0c1e2a3b4c03',
    name: 'Grace Lee',
    title: 'Staff Engineer',
    office: 'Portland',
    zone: 'Pacific Standard Time',
    hours: [8.5, 16.5],
    customWorkingZone: CUSTOM_PACIFIC,
  },
  {
    key: 'marcus',
    id: '3a7c0500-3a4b-4c5d-8e6f-0c1e2a3b4c04',
    name: 'Marcus Johnson',
    title: 'Senior Software Engineer',
    office: 'New York',
    zone: 'Eastern Standard Time',
    hours: [9, 17],
    workingZone: 'Central Standard Time',
  },
  {
    key: 'noah',
    id: '40a4d4a5-4b5c-4d6e-9f70-0c1e2a3b4c05',
    name: 'Noah Davis',
    title: 'Product Manager',
    office: 'Denver',
    zone: 'Mountain Standard Time',
    hours: [8, 16],
  },
  {
    key: 'priya',
    id: '9d1a5a6b-5c6d-4e7f-8a81-0c1e2a3b4c06',
    name: 'Priya Sharma',
    title: 'Engineering Manager',
    office: 'Bengaluru',
    zone: 'India Standard Time',
    hours: [10, 18.5],
  },
  {
    key: 'arjun',
    id: 'a6c0de7f-6d7e-4f80-9b92-0c1e2a3b4c07',
    name: 'Arjun Mehta',
    title: 'Software Engineer',
    office: 'Hyderabad',
    zone: 'India Standard Time',
    hours: [9.5, 18],
  },
  {
    key: 'olivia',
    id: '011e1a8b-7e8f-4091-8ca3-0c1e2a3b4c08',
    name: 'Olivia Brown',
    title: 'Product Designer',
    office: 'Sydney',
    zone: 'AUS Eastern Standard Time',
    hours: [8.5, 17],
  },
  {
    key: 'yuki',
    id: '7e1c9b2a-8f90-41a2-9db4-0c1e2a3b4c09',
    name: 'Yuki Tanaka',
    title: 'QA Lead',
    office: 'Tokyo',
    zone: 'Tokyo Standard Time',
    hours: [9, 18],
  },
  {
    key: 'lukas',
    id: '1a8e5c3d-90a1-42b3-8ec5-0c1e2a3b4c0a',
    name: 'Lukas Müller',
    title: 'Principal Engineer',
    office: 'Berlin',
    zone: 'W. Europe Standard Time',
    hours: [9, 17.5],
  },
  {
    key: 'sofia',
    id: '50f1a4e2-a1b2-43c4-9fd6-0c1e2a3b4c0b',
    name: 'Sofia García',
    title: 'Data Scientist',
    office: 'Madrid',
    zone: 'Romance Standard Time',
    hours: [9, 18],
  },
  {
    key: 'emma',
    id: 'e33a2b5f-b2c3-44d5-80e7-0c1e2a3b4c0c',
    name: 'Emma Wilson',
    title: 'Technical Recruiter',
    office: 'London',
    zone: 'GMT Standard Time',
    hours: [9, 17.5],
  },
  {
    key: 'carlos',
    id: 'ca7105a6-c3d4-45e6-91f8-0c1e2a3b4c0d',
    name: 'Carlos Souza',
    title: 'Site Reliability Engineer',
    office: 'São Paulo',
    zone: 'E. South America Standard Time',
    hours: [9, 18],
  },
  {
    key: 'fatima',
    id: 'fa71a3b7-d4e5-46f7-a209-0c1e2a3b4c0e',
    name: 'Fatima Al-Sayed',
    title: 'Solutions Architect',
    office: 'Dubai',
    zone: 'Arabian Standard Time',
    hours: [8, 17],
    days: ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday'],
  },
  {
    key: 'hannah',
    id: '4a11a4c8-e5f6-4708-b31a-0c1e2a3b4c0f',
    name: 'Hannah Schmidt',
    title: 'Legal Counsel',
    office: 'Munich',
    zone: 'W. Europe Standard Time',
    hours: [8.5, 17],
  },
  {
    key: 'ivan',
    id: '1fa2d5d9-f607-4819-842b-0c1e2a3b4c10',
    name: 'Ivan Petrov',
    title: 'Contractor (on-premises mailbox)',
    office: 'Remote',
    zone: 'FLE Standard Time',
    hours: [9, 17],
    mailboxEnabled: false,
  },
];

const FABRIKAM: Person[] = [
  {
    key: 'nina',
    id: '2b3c4d5e-0a1b-4c2d-8e3f-1f2e3d4c5b01',
    name: 'Nina Patel',
    title: 'Head of People',
    office: 'Amsterdam',
    zone: 'W. Europe Standard Time',
    hours: [9, 17],
    appRoles: ['Convene.Admin'],
  },
  {
    key: 'tom',
    id: '2b3c4d5e-0a1b-4c2d-8e3f-1f2e3d4c5b02',
    name: 'Tom Becker',
    title: 'Engineering Director',
    office: 'Boston',
    zone: 'Eastern Standard Time',
    hours: [9, 17],
  },
  {
    key: 'ravi',
    id: '2b3c4d5e-0a1b-4c2d-8e3f-1f2e3d4c5b03',
    name: 'Ravi Iyer',
    title: 'Engineer',
    office: 'Pune',
    zone: 'India Standard Time',
    hours: [10, 19],
  },
];

const SUBJECTS = [
  'Design review',
  'Sprint planning',
  '1:1',
  'Customer call',
  'Architecture sync',
  'Interview debrief',
  'Roadmap review',
  'Pairing session',
  'Incident review',
  'Hiring committee',
  'Vendor demo',
  'Team retro',
  'Budget check-in',
  'Project kickoff',
  'Office hours',
  'Security review',
];

/**
 * Both demo tenants (the simulator's default seeds): Contoso ({@link demoTenant}) and Fabrikam,
 * a small tenant that has not consented to Convene.
 * @param nowMs current time, epoch ms (the week containing it is "this week")
 */
export function demoTenants(nowMs: number): SeedTenant[] {
  return [demoTenant(nowMs), fabrikamTenant(nowMs)];
}

/**
 * The Contoso demo tenant: consented; 16 people over 12 time zones; a `DenyAccess` Application
 * Access Policy on hannah@contoso.example; adele@contoso.example is a Convene admin;
 * ivan@contoso.example has no Exchange Online mailbox. Calendars cover the week before the
 * current one through four weeks after it.
 * @param nowMs current time, epoch ms (the week containing it is "this week")
 */
export function demoTenant(nowMs: number): SeedTenant {
  const thisMonday = mondayOf(nowMs);
  const contoso: SeedTenant = {
    tenant: { id: CONTOSO_TENANT_ID, domain: 'contoso.example', displayName: 'Contoso' },
    consent: { granted: true, roles: ['Calendars.ReadWrite', 'MailboxSettings.Read', 'User.ReadBasic.All'] },
    accessPolicy: { accessRight: 'DenyAccess', members: ['hannah@contoso.example'] },
    users: CONTOSO.map((p) => user(p, 'contoso.example')),
  };
  const byKey = new Map(contoso.users.map((u, i) => [CONTOSO[i]!.key, u]));
  const add = (key: string, event: SeedEvent) => byKey.get(key)!.events!.push(event);
  const person = (key: string) => CONTOSO.find((p) => p.key === key)!;
  const at = (key: string, day: number, hour: number, minutes: number, subject: string, extra: Partial<SeedEvent> = {}) => {
    const p = person(key);
    const zone = iana(p.zone);
    const start = fromLocal(day, hm(hour), zone);
    return timed(subject, start, start + minutes * 60_000, p.zone, extra);
  };

  // Recurring meetings: copies in each member's calendar, wall clock kept in the organizer's zone.
  const series = (
    members: string[],
    organizer: string,
    subject: string,
    zoneName: string,
    startDay: number,
    hour: number,
    minutes: number,
    recurrence: Recurrence,
  ) => {
    const org = person(organizer);
    for (const key of members) {
      const start = fromLocal(startDay, hm(hour), iana(zoneName));
      add(
        key,
        timed(subject, start, start + minutes * 60_000, zoneName, {
          recurrence,
          organizer: { emailAddress: { name: org.name, address: `${org.key}@contoso.example` } },
          attendees: members
            .filter((m) => m !== organizer)
            .map((m) => ({ type: 'required', emailAddress: { name: person(m).name, address: `${m}@contoso.example` } })),
        }),
      );
    }
  };
  const weekly = (days: DayName[], startDay: number, range: Partial<Recurrence['range']> = {}, interval = 1): Recurrence => ({
    pattern: { type: 'weekly', interval, daysOfWeek: days, firstDayOfWeek: 'sunday' },
    range: { type: 'noEnd', startDate: formatDate(startDay), ...range },
  });

  const eightWeeksAgo = thisMonday - 56;
  series(
    ['adele', 'bob', 'grace', 'marcus', 'noah'],
    'adele',
    'Platform stand-up',
    'Pacific Standard Time',
    eightWeeksAgo,
    9.5,
    15,
    weekly(['monday', 'tuesday', 'wednesday', 'thursday'], eightWeeksAgo),
  );
  series(
    ['priya', 'arjun'],
    'priya',
    'India team stand-up',
    'India Standard Time',
    eightWeeksAgo,
    10.25,
    15,
    weekly(WEEKDAYS, eightWeeksAgo, { type: 'endDate', endDate: formatDate(thisMonday + 90) }),
  );
  series(
    ['lukas', 'sofia', 'emma', 'hannah'],
    'lukas',
    'EMEA sync',
    'W. Europe Standard Time',
    eightWeeksAgo + 1,
    9,
    30,
    weekly(['tuesday', 'thursday'], eightWeeksAgo + 1),
  );
  series(
    ['olivia', 'yuki'],
    'olivia',
    'APAC design sync',
    'AUS Eastern Standard Time',
    eightWeeksAgo + 2,
    10,
    45,
    weekly(['wednesday'], eightWeeksAgo + 2, { type: 'numbered', numberOfOccurrences: 40 }),
  );
  series(
    ['adele', 'bob'],
    'adele',
    'Adele / Bob 1:1',
    'Pacific Standard Time',
    eightWeeksAgo + 1,
    14,
    30,
    weekly(['tuesday'], eightWeeksAgo + 1, {}, 2),
  );
  const allHandsStart = thisMonday - 120;
  series(
    CONTOSO.filter((p) => p.mailboxEnabled !== false).map((p) => p.key),
    'adele',
    'Contoso all-hands',
    'Pacific Standard Time',
    allHandsStart,
    8,
    60,
    {
      pattern: { type: 'relativeMonthly', interval: 1, daysOfWeek: ['thursday'], index: 'first' },
      range: { type: 'noEnd', startDate: formatDate(allHandsStart) },
    },
  );
  add('priya', {
    ...at('priya', thisMonday - 60, 15, 60, 'Monthly hiring review'),
    recurrence: {
      pattern: { type: 'absoluteMonthly', interval: 1, dayOfMonth: 15 },
      range: { type: 'noEnd', startDate: formatDate(thisMonday - 60) },
    },
  });

  // Special days.
  const nextMonday = thisMonday + 7;
  const noahZone = iana('Mountain Standard Time');
  add('noah', allDay('Vacation', nextMonday, nextMonday + 5, 'Mountain Standard Time', 'oof'));
  byKey.get('noah')!.mailboxSettings!.automaticRepliesSetting = {
    status: 'scheduled',
    externalAudience: 'all',
    internalReplyMessage: 'I am out of office next week, back on Monday.',
    externalReplyMessage: 'I am out of office and will reply when I am back.',
    scheduledStartDateTime: {
      dateTime: formatWallTime(fromLocal(nextMonday, hm(0), noahZone), noahZone),
      timeZone: 'Mountain Standard Time',
    },
    scheduledEndDateTime: {
      dateTime: formatWallTime(fromLocal(nextMonday + 5, hm(0), noahZone), noahZone),
      timeZone: 'Mountain Standard Time',
    },
  };
  add('bob', at('bob', thisMonday + 3, 13, 180, 'Hold: customer onsite (tentative)', { showAs: 'tentative' }));
  add('emma', allDay('Company offsite', nextMonday + 2, nextMonday + 3, 'GMT Standard Time', 'busy'));
  add('carlos', allDay('Working from home', thisMonday + 4, thisMonday + 5, 'E. South America Standard Time', 'workingElsewhere'));
  add('carlos', allDay('Working from home', nextMonday + 4, nextMonday + 5, 'E. South America Standard Time', 'workingElsewhere'));
  add('yuki', at('yuki', nextMonday + 1, 10, 90, 'Doctor appointment', { sensitivity: 'private' }));
  add('sofia', at('sofia', nextMonday + 1, 15, 60, 'Hold: conference talk rehearsal', { showAs: 'tentative' }));

  // Everyday meetings, different each day but the same for a given day.
  const skip = (key: string, day: number) =>
    (key === 'noah' && day >= nextMonday && day < nextMonday + 5) || (key === 'emma' && day === nextMonday + 2);
  CONTOSO.forEach((p) => {
    if (p.mailboxEnabled === false) return;
    for (let day = thisMonday - 7; day < thisMonday + 35; day++) {
      if (!(p.days ?? WEEKDAYS).includes(DAY[weekday(day)]!) || skip(p.key, day)) continue;
      for (const e of dailyMeetings(p, day)) add(p.key, e);
    }
  });

  parseSeeds(contoso, 'demoTenant'); // the demo must always satisfy the documented format
  return contoso;
}

/**
 * The Fabrikam demo tenant: three people, `consent.granted: false` (app tokens are refused
 * until an admin consents through the simulator's consent page or `POST /_sim/tenants/{tid}/consent`).
 * nina@fabrikam.example is a Convene admin.
 */
export function fabrikamTenant(nowMs: number): SeedTenant {
  const thisMonday = mondayOf(nowMs);
  const fabrikam: SeedTenant = {
    tenant: { id: FABRIKAM_TENANT_ID, domain: 'fabrikam.example', displayName: 'Fabrikam' },
    consent: { granted: false },
    users: FABRIKAM.map((p) => user(p, 'fabrikam.example')),
  };
  FABRIKAM.forEach((p, i) => {
    for (let day = thisMonday; day < thisMonday + 14; day++) {
      if (!WEEKDAYS.includes(DAY[weekday(day)]!)) continue;
      for (const e of dailyMeetings(p, day).slice(0, 1)) fabrikam.users[i]!.events!.push(e);
    }
  });
  parseSeeds(fabrikam, 'fabrikamTenant');
  return fabrikam;
}

const DAY: DayName[] = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function user(p: Person, domain: string): SeedUser {
  const address = `${p.key}@${domain}`;
  const [given, ...rest] = p.name.split(' ');
  const workingTimeZone = p.customWorkingZone ?? { name: p.workingZone ?? p.zone };
  return {
    id: p.id,
    userPrincipalName: address,
    mail: address,
    displayName: p.name,
    givenName: given ?? p.name,
    surname: rest.join(' ') || null,
    jobTitle: p.title,
    officeLocation: p.office,
    ...(p.appRoles ? { appRoles: p.appRoles } : {}),
    ...(p.mailboxEnabled === false ? { mailboxEnabled: false } : {}),
    mailboxSettings: {
      timeZone: p.zone,
      workingHours: {
        daysOfWeek: p.days ?? WEEKDAYS,
        startTime: timeOfDay(p.hours[0]),
        endTime: timeOfDay(p.hours[1]),
        timeZone: workingTimeZone,
      },
    },
    events: [],
  };
}

/** One to three meetings inside the person's working hours on a day, from a PRNG seeded by person and date. */
function dailyMeetings(p: Person, day: number): SeedEvent[] {
  const rand = mulberry32(hash(`${p.key}:${formatDate(day)}`));
  const workZone = iana(p.workingZone ?? p.zone);
  const startSlot = Math.round(p.hours[0] * 2);
  const endSlot = Math.round(p.hours[1] * 2);
  const taken: Array<[number, number]> = [];
  const out: SeedEvent[] = [];
  const count = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < count; i++) {
    const slots = [1, 2, 2, 3][Math.floor(rand() * 4)]!;
    for (let attempt = 0; attempt < 6; attempt++) {
      const s = startSlot + Math.floor(rand() * Math.max(1, endSlot - startSlot - slots + 1));
      if (taken.some(([a, b]) => s < b && s + slots > a)) continue;
      taken.push([s, s + slots]);
      const r = rand();
      const showAs = r < 0.08 ? 'tentative' : r < 0.12 ? 'free' : 'busy';
      const start = fromLocal(day, { hour: Math.floor(s / 2), minute: (s % 2) * 30 }, workZone);
      out.push(
        timed(SUBJECTS[Math.floor(rand() * SUBJECTS.length)]!, start, start + slots * 30 * 60_000, p.zone, {
          showAs,
          location: { displayName: r > 0.6 ? 'Microsoft Teams Meeting' : `${p.office} office` },
        }),
      );
      break;
    }
  }
  return out;
}

function timed(subject: string, startMs: number, endMs: number, zoneName: string, extra: Partial<SeedEvent> = {}): SeedEvent {
  const zone = iana(zoneName);
  return {
    subject,
    start: { dateTime: formatWallTime(startMs, zone), timeZone: zoneName },
    end: { dateTime: formatWallTime(endMs, zone), timeZone: zoneName },
    showAs: 'busy',
    isAllDay: false,
    ...extra,
  };
}

function allDay(subject: string, firstDay: number, endDayExclusive: number, zoneName: string, showAs: SeedEvent['showAs']): SeedEvent {
  return {
    subject,
    start: { dateTime: `${formatDate(firstDay)}T00:00:00.0000000`, timeZone: zoneName },
    end: { dateTime: `${formatDate(endDayExclusive)}T00:00:00.0000000`, timeZone: zoneName },
    showAs,
    isAllDay: true,
  };
}

function mondayOf(nowMs: number): number {
  const d = new Date(nowMs);
  const day = dayNumber(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
  return day - ((weekday(day) + 6) % 7);
}

function iana(zoneName: string): string {
  return resolveZone(zoneName) ?? 'UTC';
}

function hm(hours: number): { hour: number; minute: number } {
  return { hour: Math.floor(hours), minute: Math.round((hours % 1) * 60) };
}

function timeOfDay(hours: number): string {
  const { hour, minute } = hm(hours);
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.0000000`;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
