/**
 * The simulator's in-memory world: tenants (consent, access policy), users (directory entries,
 * mailbox settings) and their calendars. Built from seeds; changed by Graph writes (event create,
 * cancel) and the control API (consent, user deletion).
 */
import { createHash, randomBytes } from 'node:crypto';
import { DEFAULT_ROLES, type ParsedSeedEvent, type ParsedSeedTenant } from './seed';
import type { PatternedRecurrence } from './recurrence';
import type { DateTimeTimeZone } from './time';

/** Graph `freeBusyStatus` / event `showAs`. */
export type ShowAs = 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown';

/** A Graph `emailAddress`. */
export interface EmailAddress {
  name: string;
  address: string;
}

/** An event attendee as Graph returns it. */
export interface Attendee {
  type: string;
  status: { response: string; time: string };
  emailAddress: EmailAddress;
}

/** An event in one mailbox's calendar. */
export interface StoredEvent {
  id: string;
  iCalUId: string;
  changeKey: string;
  subject: string;
  bodyPreview: string;
  body: { contentType: string; content: string };
  start: DateTimeTimeZone;
  end: DateTimeTimeZone;
  isAllDay: boolean;
  showAs: ShowAs;
  sensitivity: string;
  importance: string;
  recurrence: PatternedRecurrence | null;
  location: { displayName: string };
  organizer: EmailAddress;
  isOrganizer: boolean;
  responseStatus: { response: string; time: string };
  attendees: Attendee[];
  isOnlineMeeting: boolean;
  onlineMeetingProvider: string;
  joinUrl: string | null;
  transactionId: string | null;
  categories: string[];
  createdMs: number;
  lastModifiedMs: number;
  /** Graph properties of a seeded event the simulator does not interpret, passed through. */
  extra: Record<string, unknown>;
  /**
   * Single-value extended properties set at create (`singleValueExtendedProperties` in the POST
   * body); returned only through `$expand`, found through `$filter` as Graph does. Organizer's copy only.
   */
  singleValueExtendedProperties?: Array<{ id: string; value: string }>;
}

/** A user of a tenant. */
export interface SimUser {
  tenantId: string;
  id: string;
  userPrincipalName: string;
  mail: string | null;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  officeLocation: string | null;
  preferredLanguage: string | null;
  mobilePhone: string | null;
  businessPhones: string[];
  appRoles: string[];
  /** false: directory user without an Exchange Online mailbox (MailboxNotEnabledForRESTAPI). */
  mailboxEnabled: boolean;
  mailboxSettings: Record<string, unknown>;
  /** Set by `DELETE /_sim/users/{upn}`: the user left the tenant. */
  deleted: boolean;
  events: StoredEvent[];
  /** transactionId -> event id of events this user organized through Graph. */
  transactions: Map<string, string>;
}

/** A tenant. */
export interface SimTenant {
  id: string;
  domain: string;
  displayName: string;
  consentGranted: boolean;
  roles: string[];
  accessPolicy: { accessRight: 'RestrictAccess' | 'DenyAccess'; members: string[] } | null;
  /** What the admin consent page does (seed `consent.page`): `ask`, `approve`, `decline` or an `AADSTS<n>` error. */
  consentPage: string;
  /** RBAC for Applications (seed `rbacScope`): Graph permissions granted by Exchange role assignments, only for `members`. */
  rbacScope: { members: string[]; permissions: string[] } | null;
  /** Object id of Convene's service principal in this tenant (the app token's `oid`). */
  servicePrincipalId: string;
  /** The tenant's own app registrations (seed `appRegistrations`), usable instead of Convene's app. */
  appRegistrations: Array<{ clientId: string; clientSecret: string }>;
  users: SimUser[];
}

/** Directory and calendars of all tenants. */
export class SimWorld {
  readonly tenants: SimTenant[];

  constructor(seeds: ParsedSeedTenant[], nowMs: number) {
    this.tenants = seeds.map((seed) => buildTenant(seed, nowMs));
  }

  /** A tenant by GUID or verified domain (case-insensitive). */
  findTenant(idOrDomain: string): SimTenant | undefined {
    const key = idOrDomain.toLowerCase();
    return this.tenants.find((t) => t.id === key || t.domain.toLowerCase() === key);
  }

  /**
   * A live user of `tenant` by object id or userPrincipalName; with `bySmtp`, also by `mail`
   * (Exchange resolves SMTP addresses on mailbox endpoints).
   */
  findUser(tenant: SimTenant, key: string, options: { bySmtp?: boolean; includeDeleted?: boolean } = {}): SimUser | undefined {
    const k = key.toLowerCase();
    return tenant.users.find(
      (u) =>
        (options.includeDeleted || !u.deleted) &&
        (u.id === k || u.userPrincipalName.toLowerCase() === k || (options.bySmtp === true && u.mail?.toLowerCase() === k)),
    );
  }

  /** A live user in any tenant by UPN or mail (the control API and user tokens). */
  findUserAnywhere(upnOrMail: string, includeDeleted = false): SimUser | undefined {
    for (const t of this.tenants) {
      const u = this.findUser(t, upnOrMail, { bySmtp: true, includeDeleted });
      if (u) return u;
    }
    return undefined;
  }

  /** The tenant of a user. */
  tenantOf(user: SimUser): SimTenant {
    return this.tenants.find((t) => t.id === user.tenantId) as SimTenant;
  }
}

/** Whether the tenant's RBAC for Applications scope holds this mailbox. */
export function inRbacScope(tenant: SimTenant, user: SimUser): boolean {
  if (!tenant.rbacScope) return false;
  const keys = new Set([user.id, user.userPrincipalName.toLowerCase(), ...(user.mail ? [user.mail.toLowerCase()] : [])]);
  return tenant.rbacScope.members.some((m) => keys.has(m.toLowerCase()));
}

/**
 * App-only access to a mailbox, as Exchange Online decides it: the Entra grant (the token's
 * `roles`) filtered by the Application Access Policy, plus (additively) the RBAC for Applications
 * role assignments inside their management scope.
 * @returns `ok`, `policy` (the Entra grant exists but the access policy excludes the mailbox),
 *   `scope` (only RBAC could grant it, and the mailbox is outside its scope) or `denied` (no grant at all)
 * @see https://learn.microsoft.com/exchange/permissions-exo/application-rbac
 */
export function appMailboxAccess(
  tenant: SimTenant,
  user: SimUser,
  tokenPermissions: readonly string[],
  needed: readonly string[],
): 'ok' | 'policy' | 'scope' | 'denied' {
  const entra = tokenPermissions.some((p) => needed.includes(p));
  if (entra && mailboxReachable(tenant, user)) return 'ok';
  const rbac = tenant.rbacScope?.permissions.some((p) => needed.includes(p)) ?? false;
  if (rbac && inRbacScope(tenant, user)) return 'ok';
  if (entra) return 'policy';
  return rbac ? 'scope' : 'denied';
}

/** Whether the tenant's Application Access Policy lets app-only tokens reach this mailbox. */
export function mailboxReachable(tenant: SimTenant, user: SimUser): boolean {
  const policy = tenant.accessPolicy;
  if (!policy) return true;
  const keys = new Set([user.id, user.userPrincipalName.toLowerCase(), ...(user.mail ? [user.mail.toLowerCase()] : [])]);
  const member = policy.members.some((m) => keys.has(m.toLowerCase()));
  return policy.accessRight === 'RestrictAccess' ? member : !member;
}

/** A Graph-looking event id (`AAMkA...`), deterministic when `seed` is given. */
export function newEventId(seed?: string): string {
  const bytes = seed === undefined ? randomBytes(33) : createHash('sha256').update(seed).digest().subarray(0, 33);
  return `AAMkAD${bytes.toString('base64url')}`;
}

/** A Graph-looking iCalUId (`040000008200E00074C5B7101A82E008...`). */
export function newICalUId(seed?: string): string {
  const bytes = seed === undefined ? randomBytes(16) : createHash('sha256').update(`ical:${seed}`).digest().subarray(0, 16);
  return `040000008200E00074C5B7101A82E00800000000${bytes.toString('hex').toUpperCase()}`;
}

/** A deterministic GUID from a text (service principal ids, token `sub`). */
export function guidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function buildTenant(seed: ParsedSeedTenant, nowMs: number): SimTenant {
  const tenantId = seed.tenant.id.toLowerCase();
  const tenant: SimTenant = {
    id: tenantId,
    domain: seed.tenant.domain,
    displayName: seed.tenant.displayName,
    consentGranted: seed.consent?.granted ?? true,
    roles: [...(seed.consent?.roles ?? DEFAULT_ROLES)],
    accessPolicy: seed.accessPolicy ? { accessRight: seed.accessPolicy.accessRight, members: [...seed.accessPolicy.members] } : null,
    consentPage: seed.consent?.page ?? 'ask',
    rbacScope: seed.rbacScope
      ? {
          members: [...seed.rbacScope.members],
          // "Application Calendars.ReadWrite" grants what the Graph permission "Calendars.ReadWrite" would.
          permissions: (seed.rbacScope.roles ?? ['Application Calendars.ReadWrite', 'Application MailboxSettings.Read']).map((r) =>
            r.replace(/^Application /, ''),
          ),
        }
      : null,
    servicePrincipalId: guidFrom(`sp:${tenantId}`),
    appRegistrations: (seed.appRegistrations ?? []).map((a) => ({ clientId: a.clientId.toLowerCase(), clientSecret: a.clientSecret })),
    users: [],
  };
  for (const u of seed.users) {
    const user: SimUser = {
      tenantId,
      id: u.id.toLowerCase(),
      userPrincipalName: u.userPrincipalName,
      mail: u.mail === undefined ? u.userPrincipalName : u.mail,
      displayName: u.displayName,
      givenName: u.givenName ?? u.displayName.split(' ')[0] ?? null,
      surname: u.surname ?? (u.displayName.includes(' ') ? u.displayName.split(' ').slice(1).join(' ') : null),
      jobTitle: u.jobTitle ?? null,
      officeLocation: u.officeLocation ?? null,
      preferredLanguage: u.preferredLanguage ?? 'en-US',
      mobilePhone: u.mobilePhone ?? null,
      businessPhones: u.businessPhones ?? [],
      appRoles: u.appRoles ?? [],
      mailboxEnabled: u.mailboxEnabled ?? true,
      mailboxSettings: { ...(u.mailboxSettings ?? {}) },
      deleted: false,
      events: [],
      transactions: new Map(),
    };
    // A seeded cancelled event keeps its index (stable ids) but is not on the calendar.
    user.events = (u.events ?? []).flatMap((e, i) => (e.isCancelled ? [] : [seededEvent(user, e, i, nowMs)]));
    tenant.users.push(user);
  }
  return tenant;
}

const KNOWN_EVENT_KEYS = new Set([
  'id',
  'subject',
  'start',
  'end',
  'showAs',
  'isAllDay',
  'recurrence',
  'sensitivity',
  'location',
  'organizer',
  'attendees',
  'isCancelled',
]);

function seededEvent(user: SimUser, e: ParsedSeedEvent, index: number, nowMs: number): StoredEvent {
  const seedKey = `${user.tenantId}/${user.id}/${index}/${e.subject}`;
  const self: EmailAddress = { name: user.displayName, address: user.mail ?? user.userPrincipalName };
  const organizer = e.organizer
    ? { name: e.organizer.emailAddress.name ?? e.organizer.emailAddress.address, address: e.organizer.emailAddress.address }
    : self;
  const isOrganizer = organizer.address.toLowerCase() === self.address.toLowerCase();
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (!KNOWN_EVENT_KEYS.has(k)) extra[k] = v;
  return {
    id: e.id ?? newEventId(seedKey),
    iCalUId: newICalUId(seedKey),
    changeKey: newEventId(`ck:${seedKey}`).slice(6, 34),
    subject: e.subject,
    bodyPreview: '',
    body: { contentType: 'html', content: '' },
    start: { dateTime: e.start.dateTime, timeZone: e.start.timeZone },
    end: { dateTime: e.end.dateTime, timeZone: e.end.timeZone },
    isAllDay: e.isAllDay,
    showAs: e.showAs,
    sensitivity: e.sensitivity,
    importance: 'normal',
    recurrence: (e.recurrence as PatternedRecurrence | null) ?? null,
    location: { displayName: e.location?.displayName ?? '' },
    organizer,
    isOrganizer,
    responseStatus: { response: isOrganizer ? 'organizer' : 'accepted', time: '0001-01-01T00:00:00Z' },
    attendees: e.attendees.map((a) => ({
      type: a.type ?? 'required',
      status: { response: 'none', time: '0001-01-01T00:00:00Z' },
      emailAddress: { name: a.emailAddress.name ?? a.emailAddress.address, address: a.emailAddress.address },
    })),
    isOnlineMeeting: false,
    onlineMeetingProvider: 'unknown',
    joinUrl: null,
    transactionId: null,
    categories: [],
    createdMs: nowMs,
    lastModifiedMs: nowMs,
    extra,
  };
}
