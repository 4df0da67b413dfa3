/**
 * Seed files of the simulator: tenants, consent, Application Access Policy and users with their
 * mailbox settings and calendars, in Microsoft Graph's own shapes (so a seed reads like Graph
 * output). The format is documented in sim/README.md and validated here with zod.
 *
 * @see https://learn.microsoft.com/graph/api/resources/mailboxsettings
 * @see https://learn.microsoft.com/graph/api/resources/event
 * @see https://learn.microsoft.com/graph/auth-limit-mailbox-access
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseDate, resolveZone, toEpochMs } from './time';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,7})?$/;
const DAY = z.enum(['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']);

/** The application permissions a consented tenant grants by default. */
export const DEFAULT_ROLES: readonly string[] = Object.freeze(['Calendars.ReadWrite', 'MailboxSettings.Read', 'User.ReadBasic.All']);

const guid = z.string().regex(GUID, 'must be a GUID');
const zoneName = z.string().refine((n) => resolveZone(n) !== undefined, {
  message: 'unknown time zone (use a Windows name such as "Pacific Standard Time" or an IANA name)',
});

const dateTimeTimeZone = z.object({ dateTime: z.string(), timeZone: zoneName }).refine((v) => Number.isFinite(toEpochMs(v)), {
  message: 'dateTime must be a wall time YYYY-MM-DDTHH:mm:ss(.fffffff)',
  path: ['dateTime'],
});

const standardOffset = z.looseObject({
  time: z.string().regex(TIME_OF_DAY),
  dayOccurrence: z.number().int().min(0).max(5),
  dayOfWeek: DAY,
  month: z.number().int().min(0).max(12),
  year: z.number().int().min(0),
});

const timeZoneBase = z.looseObject({
  '@odata.type': z.string().optional(),
  name: z.string().nullable().optional(),
  bias: z.number().int().nullable().optional(),
  standardOffset: standardOffset.nullable().optional(),
  daylightOffset: standardOffset.extend({ daylightBias: z.number().int() }).nullable().optional(),
});

const workingHours = z.looseObject({
  daysOfWeek: z.array(DAY),
  startTime: z.string().regex(TIME_OF_DAY, 'must be HH:mm:ss(.fffffff)'),
  endTime: z.string().regex(TIME_OF_DAY, 'must be HH:mm:ss(.fffffff)'),
  timeZone: timeZoneBase.nullable().optional(),
});

const mailboxSettings = z.looseObject({
  timeZone: zoneName.optional(),
  workingHours: workingHours.nullable().optional(),
});

const recurrence = z.object({
  pattern: z.looseObject({
    type: z.enum(['daily', 'weekly', 'absoluteMonthly', 'relativeMonthly', 'absoluteYearly', 'relativeYearly']),
    interval: z.number().int().min(1).default(1),
    daysOfWeek: z.array(DAY).optional(),
    dayOfMonth: z.number().int().min(0).max(31).optional(),
    month: z.number().int().min(0).max(12).optional(),
    index: z.enum(['first', 'second', 'third', 'fourth', 'last']).optional(),
    firstDayOfWeek: DAY.optional(),
  }),
  range: z
    .looseObject({
      type: z.enum(['endDate', 'noEnd', 'numbered']),
      startDate: z.string().nullable().optional(),
      endDate: z.string().nullable().optional(),
      numberOfOccurrences: z.number().int().min(0).optional(),
      recurrenceTimeZone: z.string().nullable().optional(),
    })
    .refine((r) => !r.startDate || Number.isFinite(parseDate(r.startDate)), {
      message: 'startDate must be YYYY-MM-DD',
      path: ['startDate'],
    })
    .refine((r) => r.type !== 'endDate' || (!!r.endDate && Number.isFinite(parseDate(r.endDate))), {
      message: 'endDate (YYYY-MM-DD) is required when type is endDate',
      path: ['endDate'],
    })
    .refine((r) => r.type !== 'numbered' || (r.numberOfOccurrences ?? 0) > 0, {
      message: 'numberOfOccurrences is required when type is numbered',
      path: ['numberOfOccurrences'],
    }),
});

const emailAddress = z.looseObject({ address: z.string(), name: z.string().optional() });

const seedEvent = z
  .looseObject({
    id: z.string().min(1).optional(),
    subject: z.string().default(''),
    start: dateTimeTimeZone,
    end: dateTimeTimeZone,
    showAs: z.enum(['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown']).default('busy'),
    isAllDay: z.boolean().default(false),
    recurrence: recurrence.nullable().default(null),
    sensitivity: z.enum(['normal', 'personal', 'private', 'confidential']).default('normal'),
    location: z.looseObject({ displayName: z.string() }).optional(),
    organizer: z.object({ emailAddress }).optional(),
    attendees: z.array(z.looseObject({ type: z.string().optional(), emailAddress })).default([]),
    isCancelled: z.boolean().optional(),
  })
  .refine((e) => toEpochMs(e.end) >= toEpochMs(e.start), { message: 'end must not be before start', path: ['end'] });

const seedUser = z.strictObject({
  id: guid,
  userPrincipalName: z.string().includes('@'),
  mail: z.string().includes('@').nullable().optional(),
  displayName: z.string().min(1),
  givenName: z.string().nullable().optional(),
  surname: z.string().nullable().optional(),
  jobTitle: z.string().nullable().optional(),
  officeLocation: z.string().nullable().optional(),
  preferredLanguage: z.string().nullable().optional(),
  mobilePhone: z.string().nullable().optional(),
  businessPhones: z.array(z.string()).optional(),
  appRoles: z.array(z.string()).optional(),
  mailboxEnabled: z.boolean().optional(),
  mailboxSettings: mailboxSettings.optional(),
  events: z.array(seedEvent).optional(),
});

const seedTenant = z
  .strictObject({
    tenant: z.strictObject({ id: guid, domain: z.string().min(1), displayName: z.string().min(1) }),
    consent: z
      .strictObject({
        granted: z.boolean(),
        roles: z.array(z.string()).optional(),
        /** What the admin consent page does: `ask` (show Accept/Cancel), `approve`, `decline`, or an AADSTS error code to answer with. */
        page: z.union([z.enum(['ask', 'approve', 'decline']), z.string().regex(/^AADSTS\d{4,8}$/)]).optional(),
      })
      .optional(),
    /** RBAC for Applications: Exchange role assignments of Convene's service principal, limited to a management scope. */
    rbacScope: z
      .strictObject({
        /** Mailboxes in the management scope (mail, UPN or id). */
        members: z.array(z.string()),
        /** Exchange application roles assigned (default Application Calendars.ReadWrite and Application MailboxSettings.Read). */
        roles: z.array(z.string()).optional(),
      })
      .nullable()
      .optional(),
    accessPolicy: z
      .strictObject({ accessRight: z.enum(['RestrictAccess', 'DenyAccess']), members: z.array(z.string()) })
      .nullable()
      .optional(),
    /**
     * The tenant's own app registrations (issue 3: tenant-provided app registration), single-tenant
     * and admin-consented here: client credentials with one of them get app-only tokens for this
     * tenant with the tenant's consented roles, whether or not Convene's multi-tenant app is consented.
     */
    appRegistrations: z.array(z.strictObject({ clientId: guid, clientSecret: z.string().min(1) })).optional(),
    users: z.array(seedUser),
  })
  .superRefine((t, ctx) => {
    const seen = new Map<string, number>();
    t.users.forEach((u, i) => {
      for (const key of [u.id.toLowerCase(), u.userPrincipalName.toLowerCase(), ...(u.mail ? [u.mail.toLowerCase()] : [])]) {
        const prior = seen.get(key);
        if (prior !== undefined && prior !== i)
          ctx.addIssue({ code: 'custom', message: `"${key}" is already used by users[${prior}]`, path: ['users', i] });
        seen.set(key, i);
      }
    });
  });

/** One tenant of a seed file, as validated. */
export type SeedTenant = z.input<typeof seedTenant>;
/** A seeded user. */
export type SeedUser = z.input<typeof seedUser>;
/** A seeded calendar event (Graph `event` shape; only the listed fields are read). */
export type SeedEvent = z.input<typeof seedEvent>;
/** A validated tenant with defaults applied. */
export type ParsedSeedTenant = z.output<typeof seedTenant>;
/** A validated event with defaults applied. */
export type ParsedSeedEvent = z.output<typeof seedEvent>;

/**
 * Validates seed tenants already in memory.
 * @param source named in error messages (a file path, or "seeds")
 * @throws Error naming the source and the field: `seeds.json: [0].users[2].mailboxSettings.timeZone: unknown time zone`
 */
export function parseSeeds(value: unknown, source = 'seeds'): ParsedSeedTenant[] {
  // One schema or the other (not a union), so errors name the field instead of "Invalid input".
  const result = Array.isArray(value) ? z.array(seedTenant).safeParse(value) : seedTenant.safeParse(value);
  if (!result.success) {
    const lines = result.error.issues.slice(0, 10).map((issue) => `${source}: ${formatPath(issue.path)}: ${issue.message}`);
    throw new Error(`Invalid simulator seed:\n${lines.join('\n')}`);
  }
  return Array.isArray(result.data) ? result.data : [result.data];
}

/**
 * Reads and validates seed files (`CONVENE_SIM_SEED`, comma-separated paths): each holds one
 * tenant object or an array of them. Tenant ids and domains must be unique across files.
 * @throws Error that names the file and the field at fault
 * @example startSimulator({ seeds: loadSeedFiles(process.env.CONVENE_SIM_SEED!.split(',')) })
 */
export function loadSeedFiles(paths: string[]): SeedTenant[] {
  const tenants: SeedTenant[] = [];
  const owners = new Map<string, string>();
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`Cannot read simulator seed file ${path}: ${(e as Error).message}`, { cause: e });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Error(`Simulator seed file ${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
    for (const tenant of parseSeeds(json, path)) {
      for (const key of [tenant.tenant.id.toLowerCase(), tenant.tenant.domain.toLowerCase()]) {
        const owner = owners.get(key);
        if (owner) throw new Error(`Invalid simulator seed:\n${path}: tenant.id/domain "${key}" is already defined in ${owner}`);
        owners.set(key, path);
      }
      tenants.push(tenant);
    }
  }
  return tenants;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
