/**
 * The Microsoft Graph v1.0 subset Convene uses, over the simulator's world: users (get, list with
 * `$filter=startswith(...)`), mailboxSettings, calendar getSchedule, events (create with
 * transactionId and Teams meetings, get, list, cancel) and JSON batching.
 *
 * Enforced as Graph and Exchange Online do: a valid app-only token of the simulator for the
 * tenant (401 `InvalidAuthenticationToken`), the application permission each API needs (403),
 * the tenant's Application Access Policy on mailbox APIs (403 `ErrorAccessDenied` "[RAOP]"),
 * at most `mailboxConcurrency` requests in flight per mailbox (429 `ApplicationThrottled`), and
 * injected faults. Every response carries `request-id` and `client-request-id`.
 *
 * @see https://learn.microsoft.com/graph/api/calendar-getschedule
 * @see https://learn.microsoft.com/graph/api/user-get-mailboxsettings
 * @see https://learn.microsoft.com/graph/api/user-post-events
 * @see https://learn.microsoft.com/graph/api/event-cancel
 * @see https://learn.microsoft.com/graph/api/user-get
 * @see https://learn.microsoft.com/graph/api/user-list
 * @see https://learn.microsoft.com/graph/json-batching
 * @see https://learn.microsoft.com/graph/auth-limit-mailbox-access
 * @see https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits
 */
import { faultError, type FaultEngine } from './faults';
import { decodePath, isObject, jsonBody, newRequestId, prop, Router, type SimRequest, type SimResponse } from './http';
import { expandOccurrences } from './recurrence';
import { appMailboxAccess, newEventId, newICalUId, type Attendee, type ShowAs, type SimUser, type StoredEvent } from './state';
import { isoInstant, resolveZone, toDateTimeTimeZone, toEpochMs, type DateTimeTimeZone } from './time';
import { checkGraphToken, type TokenServiceDeps } from './token-service';

/** What the Graph handlers need besides the token service. */
export interface GraphDeps extends TokenServiceDeps {
  faults: FaultEngine;
  /** Requests allowed in flight per mailbox (Exchange: 4); 0 turns the limit off. */
  mailboxConcurrency: number;
  /** Sleeps `ms` (cancelled when the simulator closes). */
  sleep: (ms: number) => Promise<void>;
  /** Counters for `requestCount()` and `/_sim/requests`. */
  counters: { graph: number; batchSubRequests: number };
}

/** The message Exchange Online returns when an Application Access Policy blocks a mailbox. */
export const RAOP_MESSAGE = 'Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.';

/** What a mailbox outside the RBAC for Applications management scope answers with (403 `ExtensionError`, as reported for Exchange denials). */
export const RBAC_SCOPE_MESSAGE = 'Operation: Read; Exception: [Status Code: Forbidden; Reason: Access to OData is disabled.]';

const CONTENT_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
const PERM = {
  calendarRead: ['Calendars.ReadBasic', 'Calendars.Read', 'Calendars.ReadWrite'],
  calendarWrite: ['Calendars.ReadWrite'],
  mailboxSettings: ['MailboxSettings.Read', 'MailboxSettings.ReadWrite'],
  users: ['User.ReadBasic.All', 'User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
};

type Auth = Extract<Awaited<ReturnType<typeof checkGraphToken>>, { ok: true }>;

/** Per-request context of a Graph handler. */
interface Call {
  auth: Auth;
  requestId: string;
  clientRequestId: string;
  /** Applies the configured latency once (top-level requests only). */
  delay: () => Promise<void>;
}

/** A Graph failure, turned into Graph's error body in one place. */
class GraphFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The Graph endpoint: `handle` serves `/v1.0/...` requests (and `$batch` sub-requests). */
export class GraphService {
  private readonly router = new Router<Call>();
  private readonly inflight = new Map<string, number>();

  constructor(private readonly deps: GraphDeps) {
    const U = '(?<user>[^/]+)';
    const r = this.router;
    r.on('GET', /^\/users$/i, (req, _p, c) => this.listUsers(req, c));
    r.on('GET', new RegExp(`^/users/${U}$`, 'i'), (req, p, c) => this.getUser(req, p.user as string, c));
    r.on('GET', /^\/me$/i, (req, _p, c) => this.getUser(req, 'me', c));
    r.on('GET', /^\/organization$/i, (req, _p, c) => this.organization(req, c));
    r.on('GET', new RegExp(`^/(?:users/${U}|me)/mailboxSettings(?:/(?<part>[A-Za-z]+))?$`, 'i'), (req, p, c) =>
      this.mailboxSettings(req, p.user ?? 'me', p.part, c),
    );
    r.on('POST', new RegExp(`^/(?:users/${U}|me)/calendar/(?:microsoft\\.graph\\.)?getSchedule$`, 'i'), (req, p, c) =>
      this.getSchedule(req, p.user ?? 'me', c),
    );
    r.on('GET', new RegExp(`^/(?:users/${U}|me)/(?:calendar/)?events$`, 'i'), (req, p, c) => this.listEvents(req, p.user ?? 'me', c));
    r.on('POST', new RegExp(`^/(?:users/${U}|me)/(?:calendar/)?events$`, 'i'), (req, p, c) => this.createEvent(req, p.user ?? 'me', c));
    r.on('GET', new RegExp(`^/(?:users/${U}|me)/(?:calendar/)?events/(?<event>[^/]+)$`, 'i'), (req, p, c) =>
      this.getEvent(req, p.user ?? 'me', p.event as string, c),
    );
    r.on(
      'POST',
      new RegExp(`^/(?:users/${U}|me)/(?:calendar/)?events/(?<event>[^/]+)/(?:microsoft\\.graph\\.)?cancel$`, 'i'),
      (req, p, c) => this.cancelEvent(req, p.user ?? 'me', p.event as string, c),
    );
  }

  /**
   * Serves one Graph request. `sub` marks a `$batch` sub-request: no latency of its own, no
   * nested batches, and `auth` is the batch's already checked token.
   */
  async handle(req: SimRequest, sub?: { auth: Auth }): Promise<SimResponse> {
    const requestId = newRequestId();
    const clientRequestId = req.headers['client-request-id'] || requestId;
    const ids = { 'request-id': requestId, 'client-request-id': clientRequestId };
    let delayed = sub !== undefined;
    const delay = async () => {
      if (delayed) return;
      delayed = true;
      const ms = this.deps.faults.latency();
      if (ms > 0) await this.deps.sleep(ms);
    };
    if (sub) this.deps.counters.batchSubRequests += 1;
    else this.deps.counters.graph += 1;

    let res: SimResponse;
    try {
      res = await this.dispatch(req, sub, { requestId, clientRequestId, delay });
    } catch (e) {
      if (!(e instanceof GraphFailure)) throw e;
      res = { status: e.status, headers: e.headers, body: this.errorBody(e.code, e.message, requestId, clientRequestId) };
    }
    await delay();
    const headers: Record<string, string> = { ...(res.headers ?? {}), ...ids };
    if (res.body !== undefined && !headers['content-type']) headers['content-type'] = CONTENT_TYPE;
    return { ...res, headers };
  }

  /** A user's calendar as Graph events, in start order (the control API's calendar inspection). */
  calendarOf(user: SimUser, outZone = 'UTC'): Record<string, unknown>[] {
    return [...user.events].sort((a, b) => toEpochMs(a.start) - toEpochMs(b.start)).map((e) => this.eventJson(e, outZone));
  }

  private async dispatch(req: SimRequest, sub: { auth: Auth } | undefined, ids: Omit<Call, 'auth'>): Promise<SimResponse> {
    const fault = this.deps.faults.take(req.method, req.path);
    if (fault?.hangMs) await this.deps.sleep(fault.hangMs);
    const failure = fault?.status ? faultFailure(fault.status, fault.retryAfterSeconds) : undefined;
    if (failure && !fault?.lostResponse) throw failure;
    if (!failure) return this.serve(req, sub, ids);
    // A lost response: the request takes effect (or fails) as usual; the client only sees the injected failure.
    try {
      await this.serve(req, sub, ids);
    } catch (e) {
      if (!(e instanceof GraphFailure)) throw e;
    }
    throw failure;
  }

  private async serve(req: SimRequest, sub: { auth: Auth } | undefined, ids: Omit<Call, 'auth'>): Promise<SimResponse> {
    const rel = req.path.replace(/^\/v1\.0/i, '') || '/';
    if (/^\/\$batch$/i.test(rel)) {
      if (sub) throw new GraphFailure(400, 'BadRequest', 'A batch request cannot contain another batch request.');
      if (req.method !== 'POST') throw new GraphFailure(405, 'Request_BadRequest', 'The $batch endpoint only accepts POST.');
      const auth = await this.authenticate(req);
      await ids.delay();
      return this.batch(req, auth);
    }

    const auth = sub?.auth ?? (await this.authenticate(req));
    const match = this.router.match({ ...req, path: rel });
    if (!match)
      throw new GraphFailure(400, 'BadRequest', `Resource not found for the segment '${rel.split('/').filter(Boolean).pop() ?? ''}'.`);
    if ('methodNotAllowed' in match)
      throw new GraphFailure(405, 'Request_BadRequest', `The HTTP method '${req.method}' is not allowed for this resource.`);
    return match.handler(req, match.params, { auth, ...ids });
  }

  private async authenticate(req: SimRequest): Promise<Auth> {
    const auth = await checkGraphToken(this.deps, req.headers.authorization);
    if (!auth.ok) throw new GraphFailure(401, 'InvalidAuthenticationToken', auth.message);
    return auth;
  }

  private errorBody(code: string, message: string, requestId: string, clientRequestId: string): unknown {
    const date = new Date(this.deps.now()).toISOString().replace(/\.\d+Z$/, '');
    return { error: { code, message, innerError: { date, 'request-id': requestId, 'client-request-id': clientRequestId } } };
  }

  // ------------------------------------------------------------------------------------------
  // Directory

  private requireDirectory(c: Call): void {
    if (!c.auth.permissions.some((p) => PERM.users.includes(p))) {
      throw new GraphFailure(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    }
  }

  private directoryUser(c: Call, key: string): SimUser {
    if (key.toLowerCase() === 'me') return this.me(c);
    const user = this.deps.world.findUser(c.auth.tenant, key);
    if (!user)
      throw new GraphFailure(
        404,
        'Request_ResourceNotFound',
        `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`,
      );
    return user;
  }

  private me(c: Call): SimUser {
    if (c.auth.appOnly || !c.auth.user)
      throw new GraphFailure(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
    return c.auth.user;
  }

  /**
   * `GET /organization`: the tenant, for Organization.Read.All / Directory.Read.All (Convene asks for neither).
   * @see https://learn.microsoft.com/graph/api/organization-get
   */
  private organization(req: SimRequest, c: Call): SimResponse {
    const allowed = ['Organization.Read.All', 'Organization.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
    if (!c.auth.permissions.some((p) => allowed.includes(p)))
      throw new GraphFailure(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    const t = c.auth.tenant;
    const org: Record<string, unknown> = {
      id: t.id,
      displayName: t.displayName,
      tenantType: 'AAD',
      verifiedDomains: [
        { capabilities: 'Email, OfficeCommunicationsOnline', isDefault: true, isInitial: false, name: t.domain, type: 'Managed' },
      ],
    };
    const select = req.query
      .get('$select')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const value = select?.length ? Object.fromEntries(Object.entries(org).filter(([k]) => k === 'id' || select.includes(k))) : org;
    return { status: 200, body: { '@odata.context': `${this.deps.url()}/v1.0/$metadata#organization`, value: [value] } };
  }

  private getUser(req: SimRequest, key: string, c: Call): SimResponse {
    this.requireDirectory(c);
    const user = this.directoryUser(c, key);
    const select = parseSelect(req, USER_PROPERTIES, 'microsoft.graph.user');
    const context = `${this.deps.url()}/v1.0/$metadata#users${select ? `(${select.join(',')})` : ''}/$entity`;
    return { status: 200, body: { '@odata.context': context, ...pick(userJson(user), select, { defaults: DEFAULT_USER_PROPERTIES }) } };
  }

  private listUsers(req: SimRequest, c: Call): SimResponse {
    this.requireDirectory(c);
    const select = parseSelect(req, USER_PROPERTIES, 'microsoft.graph.user');
    const topText = req.query.get('$top');
    const top = topText === null ? 100 : Number(topText);
    if (!Number.isInteger(top) || top < 1 || top > 999)
      throw new GraphFailure(400, 'Request_BadRequest', `Invalid page size specified: '${topText}'. Must be between 1 and 999 inclusive.`);
    if (req.query.has('$search'))
      throw new GraphFailure(400, 'Request_UnsupportedQuery', 'The simulator supports $filter=startswith(...) but not $search.');
    const filterText = req.query.get('$filter');
    const filter = filterText ? parseUserFilter(filterText) : () => true;
    const all = c.auth.tenant.users
      .filter((u) => !u.deleted && filter(userJson(u)))
      .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));
    const skip = Number(req.query.get('$skiptoken') ?? '0') || 0;
    const page = all.slice(skip, skip + top);
    const body: Record<string, unknown> = {
      '@odata.context': `${this.deps.url()}/v1.0/$metadata#users${select ? `(${select.join(',')})` : ''}`,
      value: page.map((u) => pick(userJson(u), select, { defaults: DEFAULT_USER_PROPERTIES })),
    };
    if (skip + top < all.length) {
      const next = new URLSearchParams(req.query);
      next.set('$skiptoken', String(skip + top));
      body['@odata.nextLink'] = `${this.deps.url()}/v1.0/users?${next.toString()}`;
    }
    return { status: 200, body };
  }

  // ------------------------------------------------------------------------------------------
  // Mailboxes

  /**
   * Resolves a mailbox (id, UPN or SMTP address) and enforces what Exchange enforces for
   * app-only access, then holds one of its concurrency slots while `fn` runs (latency included).
   */
  private async withMailbox<T>(c: Call, key: string, permissions: string[], fn: (user: SimUser) => T): Promise<T> {
    // RBAC for Applications can grant the permission for scoped mailboxes without an Entra grant.
    const rbacMayGrant = c.auth.appOnly && (c.auth.tenant.rbacScope?.permissions.some((p) => permissions.includes(p)) ?? false);
    if (!rbacMayGrant && !c.auth.permissions.some((p) => permissions.includes(p)))
      throw new GraphFailure(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    const user = key.toLowerCase() === 'me' ? this.me(c) : this.deps.world.findUser(c.auth.tenant, key, { bySmtp: true });
    if (!user) throw new GraphFailure(404, 'ErrorInvalidUser', `The requested user '${key}' is invalid.`);
    if (!user.mailboxEnabled)
      throw new GraphFailure(404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.');
    if (c.auth.appOnly) {
      const access = appMailboxAccess(c.auth.tenant, user, c.auth.permissions, permissions);
      if (access === 'policy') throw new GraphFailure(403, 'ErrorAccessDenied', RAOP_MESSAGE);
      if (access === 'scope') throw new GraphFailure(403, 'ExtensionError', RBAC_SCOPE_MESSAGE);
      if (access === 'denied') throw new GraphFailure(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    }
    if (!c.auth.appOnly && c.auth.user?.id !== user.id)
      throw new GraphFailure(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');

    const limit = this.deps.mailboxConcurrency;
    const n = this.inflight.get(user.id) ?? 0;
    if (limit > 0 && n >= limit) {
      throw new GraphFailure(429, 'ApplicationThrottled', 'Application is over its MailboxConcurrency limit.', { 'retry-after': '1' });
    }
    this.inflight.set(user.id, n + 1);
    try {
      await c.delay();
      return fn(user);
    } finally {
      const left = (this.inflight.get(user.id) ?? 1) - 1;
      if (left <= 0) this.inflight.delete(user.id);
      else this.inflight.set(user.id, left);
    }
  }

  private mailboxSettings(req: SimRequest, key: string, part: string | undefined, c: Call): Promise<SimResponse> {
    return this.withMailbox(c, key, PERM.mailboxSettings, (user) => {
      const settings = fullMailboxSettings(user);
      const base = `${this.deps.url()}/v1.0/$metadata#users('${encodeURIComponent(user.id)}')/mailboxSettings`;
      if (part) {
        const name = Object.keys(settings).find((k) => k.toLowerCase() === part.toLowerCase());
        if (!name) throw new GraphFailure(400, 'BadRequest', `Resource not found for the segment '${part}'.`);
        const value = settings[name];
        return {
          status: 200,
          body: isObject(value) ? { '@odata.context': `${base}/${name}`, ...value } : { '@odata.context': `${base}/${name}`, value },
        };
      }
      const select = parseSelect(req, Object.keys(settings), 'microsoft.graph.mailboxSettings');
      return { status: 200, body: { '@odata.context': base, ...pick(settings, select) } };
    });
  }

  private getSchedule(req: SimRequest, key: string, c: Call): Promise<SimResponse> {
    return this.withMailbox(c, key, PERM.calendarRead, () => {
      const body = parseJson(req);
      const schedules = prop(body, 'schedules');
      if (!Array.isArray(schedules) || schedules.length === 0 || !schedules.every((s) => typeof s === 'string')) {
        throw new GraphFailure(
          400,
          'ErrorInvalidParameter',
          "The parameter 'Schedules' is required and must be a non-empty array of SMTP addresses.",
        );
      }
      const startMs = dateTimeParam(body, 'startTime');
      const endMs = dateTimeParam(body, 'endTime');
      if (endMs <= startMs) throw new GraphFailure(400, 'ErrorInvalidParameter', 'The EndTime must be after the StartTime.');
      const days = Math.ceil((endMs - startMs) / 86_400_000);
      if (days > 62) {
        throw new GraphFailure(
          400,
          'ErrorTimeIntervalTooBig',
          `The requested time duration specified for FreeBusyViewOptions.TimeWindow is too long. The allowed limit = 62 days; the actual limit = ${days} days.`,
        );
      }
      const intervalRaw = prop(body, 'availabilityViewInterval');
      const interval = intervalRaw === undefined || intervalRaw === null ? 30 : Number(intervalRaw);
      if (!Number.isInteger(interval) || interval < 5 || interval > 1440) {
        throw new GraphFailure(400, 'ErrorInvalidParameter', 'The availabilityViewInterval must be between 5 and 1440 minutes.');
      }
      const outZone = preferredZone(req);
      const value = (schedules as string[]).map((address) => this.scheduleInformation(c, address, startMs, endMs, interval, outZone));
      return {
        status: 200,
        body: { '@odata.context': `${this.deps.url()}/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)`, value },
      };
    });
  }

  private scheduleInformation(
    c: Call,
    address: string,
    startMs: number,
    endMs: number,
    intervalMin: number,
    outZone: string,
  ): Record<string, unknown> {
    const user = this.deps.world.findUser(c.auth.tenant, address, { bySmtp: true });
    if (!user)
      return {
        scheduleId: address,
        error: { message: `Unable to resolve e-mail address ${address} to an Active Directory object.`, responseCode: '5009' },
      };
    if (!user.mailboxEnabled)
      return {
        scheduleId: address,
        error: { message: `The mailbox of ${address} is not hosted in Exchange Online.`, responseCode: 'ErrorMailRecipientNotFound' },
      };
    if (c.auth.appOnly && appMailboxAccess(c.auth.tenant, user, c.auth.permissions, PERM.calendarRead) !== 'ok')
      return { scheduleId: address, error: { message: RAOP_MESSAGE, responseCode: 'ErrorAccessDenied' } };

    const items = scheduleItems(user, startMs, endMs);
    const view = availabilityView(items, startMs, endMs, intervalMin);
    const info: Record<string, unknown> = {
      scheduleId: address,
      availabilityView: view,
      scheduleItems: items.map((it) => ({
        isPrivate: it.isPrivate,
        status: it.status,
        ...(it.isPrivate ? {} : { subject: it.subject, location: it.location }),
        start: toDateTimeTimeZone(it.startMs, outZone),
        end: toDateTimeTimeZone(it.endMs, outZone),
      })),
    };
    const workingHours = fullMailboxSettings(user).workingHours;
    if (workingHours) info.workingHours = workingHours;
    return info;
  }

  // ------------------------------------------------------------------------------------------
  // Events

  private listEvents(req: SimRequest, key: string, c: Call): Promise<SimResponse> {
    return this.withMailbox(c, key, PERM.calendarRead, (user) => {
      const outZone = preferredZone(req);
      const select = parseSelect(req, EVENT_PROPERTIES, 'microsoft.graph.event');
      const topText = req.query.get('$top');
      const top = topText === null ? Infinity : Number(topText);
      if (topText !== null && (!Number.isInteger(top) || top < 1 || top > 1000))
        throw new GraphFailure(400, 'ErrorInvalidUrlQuery', `The value of $top must be between 1 and 1000, got '${topText}'.`);
      const filterText = req.query.get('$filter');
      const filter = filterText === null ? () => true : parseEventFilter(filterText);
      const expand = parseExtendedPropertyExpand(req);
      const events = [...user.events]
        .filter(filter)
        .sort((a, b) => toEpochMs(a.start) - toEpochMs(b.start))
        .slice(0, top);
      return {
        status: 200,
        body: {
          '@odata.context': `${this.deps.url()}/v1.0/$metadata#users('${encodeURIComponent(user.id)}')/events`,
          value: events.map((e) => ({ ...pick(this.eventJson(e, outZone), select, { keepId: true }), ...expand(e) })),
        },
      };
    });
  }

  private getEvent(req: SimRequest, key: string, eventId: string, c: Call): Promise<SimResponse> {
    return this.withMailbox(c, key, PERM.calendarRead, (user) => {
      const event = user.events.find((e) => e.id === eventId);
      if (!event) throw new GraphFailure(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      const select = parseSelect(req, EVENT_PROPERTIES, 'microsoft.graph.event');
      const expand = parseExtendedPropertyExpand(req);
      const body = {
        '@odata.context': `${this.deps.url()}/v1.0/$metadata#users('${encodeURIComponent(user.id)}')/events/$entity`,
        ...pick(this.eventJson(event, preferredZone(req)), select, { keepId: true }),
        ...expand(event),
      };
      return { status: 200, body };
    });
  }

  private createEvent(req: SimRequest, key: string, c: Call): Promise<SimResponse> {
    return this.withMailbox(c, key, PERM.calendarWrite, (organizer) => {
      const body = parseJson(req);
      const context = `${this.deps.url()}/v1.0/$metadata#users('${encodeURIComponent(organizer.id)}')/events/$entity`;
      const transactionId = typeof body.transactionId === 'string' && body.transactionId !== '' ? body.transactionId : null;
      if (transactionId) {
        const priorId = organizer.transactions.get(transactionId);
        const prior = priorId ? organizer.events.find((e) => e.id === priorId) : undefined;
        // Exchange refuses a transactionId an earlier create of this organizer used, rather than
        // echoing the first event; the client must find that event itself.
        if (prior)
          throw new GraphFailure(
            400,
            'ErrorDuplicateTransactionId',
            "Your request can't be completed. The TransactionId specified in the request has already been used to create a different event.",
          );
      }
      const extendedProperties = singleValueExtendedProperties(body);
      const start = eventTime(body, 'start');
      const end = eventTime(body, 'end');
      if (toEpochMs(end) < toEpochMs(start))
        throw new GraphFailure(400, 'ErrorInvalidRequest', 'The end time of the event must not be before its start time.');
      const nowMs = this.deps.now();
      const id = newEventId();
      const iCalUId = newICalUId();
      const isOnlineMeeting = body.isOnlineMeeting === true;
      const provider =
        typeof body.onlineMeetingProvider === 'string' ? body.onlineMeetingProvider : isOnlineMeeting ? 'teamsForBusiness' : 'unknown';
      const joinUrl =
        isOnlineMeeting && provider === 'teamsForBusiness'
          ? `${this.deps.url()}/_sim/meetup-join/19%3ameeting_${id.slice(-24)}%40thread.v2/0`
          : null;
      const self = { name: organizer.displayName, address: organizer.mail ?? organizer.userPrincipalName };
      const attendees: Attendee[] = (Array.isArray(body.attendees) ? body.attendees : []).filter(isObject).map((a) => {
        const email = isObject(a.emailAddress) ? a.emailAddress : {};
        const address = String(email.address ?? '');
        return {
          type: typeof a.type === 'string' ? a.type : 'required',
          status: { response: 'none', time: '0001-01-01T00:00:00Z' },
          emailAddress: { name: String(email.name ?? address), address },
        };
      });
      if (attendees.some((a) => !a.emailAddress.address.includes('@')))
        throw new GraphFailure(400, 'ErrorInvalidRecipients', 'At least one recipient is not valid.');
      const content = isObject(body.body) && typeof body.body.content === 'string' ? body.body.content : '';
      const contentType = isObject(body.body) && typeof body.body.contentType === 'string' ? body.body.contentType.toLowerCase() : 'html';
      const event: StoredEvent = {
        id,
        iCalUId,
        changeKey: newEventId().slice(6, 34),
        subject: typeof body.subject === 'string' ? body.subject : '',
        bodyPreview: content
          .replace(/<[^>]*>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim()
          .slice(0, 255),
        body: { contentType, content },
        start,
        end,
        isAllDay: body.isAllDay === true,
        showAs: isShowAs(body.showAs) ? body.showAs : 'busy',
        sensitivity: typeof body.sensitivity === 'string' ? body.sensitivity : 'normal',
        importance: typeof body.importance === 'string' ? body.importance : 'normal',
        recurrence: null,
        location: {
          displayName: isObject(body.location) && typeof body.location.displayName === 'string' ? body.location.displayName : '',
        },
        organizer: self,
        isOrganizer: true,
        responseStatus: { response: 'organizer', time: '0001-01-01T00:00:00Z' },
        attendees,
        isOnlineMeeting,
        onlineMeetingProvider: provider,
        joinUrl,
        transactionId,
        categories: Array.isArray(body.categories) ? body.categories.filter((x): x is string => typeof x === 'string') : [],
        createdMs: nowMs,
        lastModifiedMs: nowMs,
        extra: {},
        ...(extendedProperties.length > 0 ? { singleValueExtendedProperties: extendedProperties } : {}),
      };
      organizer.events.push(event);
      if (transactionId) organizer.transactions.set(transactionId, id);

      // Exchange delivers the invitation: a tentative copy in each internal attendee's calendar.
      const delivered = new Set<string>([organizer.id]);
      for (const a of attendees) {
        const invitee = this.deps.world.findUser(c.auth.tenant, a.emailAddress.address, { bySmtp: true });
        if (!invitee || !invitee.mailboxEnabled || delivered.has(invitee.id)) continue;
        delivered.add(invitee.id);
        invitee.events.push({
          ...event,
          id: newEventId(),
          changeKey: newEventId().slice(6, 34),
          showAs: 'tentative',
          isOrganizer: false,
          responseStatus: { response: 'none', time: '0001-01-01T00:00:00Z' },
          transactionId: null,
          singleValueExtendedProperties: [],
          attendees: event.attendees.map((x) => ({ ...x, status: { ...x.status }, emailAddress: { ...x.emailAddress } })),
        });
      }
      return { status: 201, body: { '@odata.context': context, ...this.eventJson(event, null) } };
    });
  }

  private cancelEvent(req: SimRequest, key: string, eventId: string, c: Call): Promise<SimResponse> {
    return this.withMailbox(c, key, PERM.calendarWrite, (user) => {
      const body = req.rawBody.trim() === '' && req.jsonBody === undefined ? {} : parseJson(req);
      const comment = prop(body, 'comment');
      if (comment !== undefined && comment !== null && typeof comment !== 'string')
        throw new GraphFailure(400, 'ErrorInvalidRequest', "The parameter 'Comment' must be a string.");
      const event = user.events.find((e) => e.id === eventId);
      if (!event) throw new GraphFailure(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      if (!event.isOrganizer)
        throw new GraphFailure(
          400,
          'ErrorInvalidRequest',
          "Your request can't be completed. You need to be an organizer to cancel a meeting.",
        );
      for (const u of c.auth.tenant.users) u.events = u.events.filter((e) => e.iCalUId !== event.iCalUId);
      if (event.transactionId) user.transactions.delete(event.transactionId);
      return { status: 202 };
    });
  }

  /** Graph's event resource. `outZone` null: the zones the event was created with (POST responses). */
  private eventJson(e: StoredEvent, outZone: string | null): Record<string, unknown> {
    const url = this.deps.url();
    const time = (v: DateTimeTimeZone) =>
      outZone === null ? { dateTime: normalizeWallTime(v), timeZone: v.timeZone ?? 'UTC' } : toDateTimeTimeZone(toEpochMs(v), outZone);
    return {
      '@odata.etag': `W/"${e.changeKey}"`,
      id: e.id,
      createdDateTime: isoInstant(e.createdMs),
      lastModifiedDateTime: isoInstant(e.lastModifiedMs),
      changeKey: e.changeKey,
      categories: e.categories,
      transactionId: e.transactionId,
      originalStartTimeZone: e.start.timeZone ?? 'UTC',
      originalEndTimeZone: e.end.timeZone ?? 'UTC',
      iCalUId: e.iCalUId,
      reminderMinutesBeforeStart: 15,
      isReminderOn: true,
      hasAttachments: false,
      subject: e.subject,
      bodyPreview: e.bodyPreview,
      importance: e.importance,
      sensitivity: e.sensitivity,
      isAllDay: e.isAllDay,
      isCancelled: false,
      isOrganizer: e.isOrganizer,
      responseRequested: true,
      seriesMasterId: null,
      showAs: e.showAs,
      type: e.recurrence ? 'seriesMaster' : 'singleInstance',
      webLink: `${url}/_sim/owa/?itemid=${encodeURIComponent(e.id)}`,
      onlineMeetingUrl: null,
      isOnlineMeeting: e.isOnlineMeeting,
      onlineMeetingProvider: e.onlineMeetingProvider,
      allowNewTimeProposals: true,
      isDraft: false,
      hideAttendees: false,
      ...e.extra,
      responseStatus: e.responseStatus,
      body: e.body,
      start: time(e.start),
      end: time(e.end),
      location: { displayName: e.location.displayName, locationType: 'default', uniqueIdType: 'unknown', address: {}, coordinates: {} },
      locations: e.location.displayName
        ? [{ displayName: e.location.displayName, locationType: 'default', uniqueIdType: 'unknown', address: {}, coordinates: {} }]
        : [],
      recurrence: e.recurrence,
      attendees: e.attendees,
      organizer: { emailAddress: e.organizer },
      onlineMeeting: e.joinUrl ? { joinUrl: e.joinUrl } : null,
    };
  }

  // ------------------------------------------------------------------------------------------
  // JSON batching

  private async batch(req: SimRequest, auth: Auth): Promise<SimResponse> {
    let body: unknown;
    try {
      body = jsonBody(req);
    } catch {
      throw new GraphFailure(400, 'BadRequest', 'Invalid batch payload format.');
    }
    const requests = isObject(body) ? body.requests : undefined;
    if (!Array.isArray(requests) || requests.length === 0)
      throw new GraphFailure(400, 'BadRequest', 'Invalid batch payload format: a non-empty "requests" array is required.');
    if (requests.length > 20)
      throw new GraphFailure(400, 'BadRequest', `Number of requests in the batch is ${requests.length}; the limit is 20.`);
    const ids = new Set<string>();
    for (const r of requests) {
      if (!isObject(r) || typeof r.id !== 'string' || r.id === '' || typeof r.method !== 'string' || typeof r.url !== 'string') {
        throw new GraphFailure(400, 'BadRequest', 'Invalid batch payload format: each request needs id, method and url (strings).');
      }
      if (ids.has(r.id)) throw new GraphFailure(400, 'BadRequest', `Batch request ids must be unique; '${r.id}' is repeated.`);
      if (r.dependsOn !== undefined && (!Array.isArray(r.dependsOn) || r.dependsOn.some((d) => typeof d !== 'string' || !ids.has(d)))) {
        throw new GraphFailure(400, 'BadRequest', `Request '${r.id}' depends on a request that does not come before it in the batch.`);
      }
      ids.add(r.id);
    }

    const results = new Map<string, Promise<{ id: string; status: number; headers: Record<string, string>; body?: unknown }>>();
    for (const r of requests as Array<Record<string, unknown>>) {
      const id = r.id as string;
      const deps = (r.dependsOn as string[] | undefined) ?? [];
      results.set(
        id,
        (async () => {
          const prior = await Promise.all(deps.map((d) => results.get(d) as Promise<{ status: number }>));
          if (prior.some((p) => p.status >= 400)) {
            return {
              id,
              status: 424,
              headers: { 'content-type': 'application/json' },
              body: { error: { code: 'FailedDependency', message: 'The request depends on a request that failed.' } },
            };
          }
          return this.subRequest(req, r, auth);
        })(),
      );
    }
    const responses = await Promise.all([...results.values()]);
    return { status: 200, body: { responses } };
  }

  private async subRequest(
    outer: SimRequest,
    r: Record<string, unknown>,
    auth: Auth,
  ): Promise<{ id: string; status: number; headers: Record<string, string>; body?: unknown }> {
    const id = r.id as string;
    const raw = (r.url as string)
      .replace(/^https?:\/\/[^/]+/i, '')
      .replace(/^\/+/, '')
      .replace(/^v1\.0\//i, '');
    const q = raw.indexOf('?');
    const pathPart = q < 0 ? raw : raw.slice(0, q);
    const headers: Record<string, string> = {};
    if (isObject(r.headers)) for (const [k, v] of Object.entries(r.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    if (outer.headers.authorization) headers.authorization = outer.headers.authorization;
    // json-batching: "If a body is included with the request, the headers object must contain a value for Content-Type."
    if (r.body !== undefined && !headers['content-type']) {
      this.deps.counters.batchSubRequests += 1;
      return {
        id,
        status: 400,
        headers: { 'Content-Type': 'application/json' },
        body: this.errorBody(
          'BadRequest',
          'A batch request with a body must have a Content-Type header.',
          newRequestId(),
          outer.headers['client-request-id'] || '',
        ),
      };
    }
    const sub: SimRequest = {
      method: (r.method as string).toUpperCase(),
      path: decodePath(`/v1.0/${pathPart}`),
      query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)),
      headers,
      rawBody: '',
      ...(r.body === undefined ? {} : { jsonBody: r.body }),
    };
    const res = await this.handle(sub, { auth });
    const out: Record<string, string> = {};
    const h = res.headers ?? {};
    if (res.body !== undefined) out['Content-Type'] = 'application/json';
    if (h['retry-after']) out['Retry-After'] = h['retry-after'];
    if (h.location) out.Location = h.location;
    return { id, status: res.status, headers: out, ...(res.body === undefined ? {} : { body: res.body }) };
  }
}

// --------------------------------------------------------------------------------------------
// Helpers

function faultFailure(status: 429 | 500 | 503 | 504, retryAfterSeconds: number | undefined): GraphFailure {
  const { code, message } = faultError(status);
  const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
  return new GraphFailure(status, code, message, headers);
}

const AVAILABILITY_CODE: Readonly<Record<ShowAs, number>> = {
  free: 0,
  // Graph reports workingElsewhere as 0 in availabilityView "for backward compatibility"
  // (scheduleInformation docs); the item itself keeps status workingElsewhere.
  workingElsewhere: 0,
  unknown: 0,
  tentative: 1,
  busy: 2,
  oof: 3,
};

const USER_PROPERTIES = [
  'id',
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'accountEnabled',
  'userType',
];
const DEFAULT_USER_PROPERTIES = USER_PROPERTIES.slice(0, 11);
const EVENT_PROPERTIES = [
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'categories',
  'transactionId',
  'originalStartTimeZone',
  'originalEndTimeZone',
  'iCalUId',
  'reminderMinutesBeforeStart',
  'isReminderOn',
  'hasAttachments',
  'subject',
  'bodyPreview',
  'importance',
  'sensitivity',
  'isAllDay',
  'isCancelled',
  'isOrganizer',
  'responseRequested',
  'seriesMasterId',
  'showAs',
  'type',
  'webLink',
  'onlineMeetingUrl',
  'isOnlineMeeting',
  'onlineMeetingProvider',
  'allowNewTimeProposals',
  'isDraft',
  'hideAttendees',
  'responseStatus',
  'body',
  'start',
  'end',
  'location',
  'locations',
  'recurrence',
  'attendees',
  'organizer',
  'onlineMeeting',
];

function userJson(u: SimUser): Record<string, unknown> {
  return {
    businessPhones: u.businessPhones,
    displayName: u.displayName,
    givenName: u.givenName,
    jobTitle: u.jobTitle,
    mail: u.mail,
    mobilePhone: u.mobilePhone,
    officeLocation: u.officeLocation,
    preferredLanguage: u.preferredLanguage,
    surname: u.surname,
    userPrincipalName: u.userPrincipalName,
    id: u.id,
    accountEnabled: true,
    userType: 'Member',
  };
}

/** `$select` names (validated against `known`, case-insensitively), or undefined for the default set. */
function parseSelect(req: SimRequest, known: string[], type: string): string[] | undefined {
  const text = req.query.get('$select');
  if (!text) return undefined;
  const out: string[] = [];
  for (const raw of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const name = known.find((k) => k.toLowerCase() === raw.toLowerCase());
    if (!name) throw new GraphFailure(400, 'BadRequest', `Could not find a property named '${raw}' on type '${type}'.`);
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * The `$select`ed properties plus OData annotations (and `id` when `keepId`, as Outlook entities
 * always carry it), or `defaults` (all properties when absent) without `$select`.
 */
function pick(
  obj: Record<string, unknown>,
  select: string[] | undefined,
  options: { defaults?: string[]; keepId?: boolean } = {},
): Record<string, unknown> {
  const names = select ?? options.defaults;
  if (!names) return obj;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (k.startsWith('@odata.')) out[k] = v;
  if (options.keepId && 'id' in obj) out.id = obj.id;
  for (const k of names) out[k] = obj[k];
  return out;
}

/** Mailbox settings as Graph returns them: the seed's, over Exchange's defaults. */
function fullMailboxSettings(user: SimUser): Record<string, unknown> {
  const seeded = user.mailboxSettings;
  const timeZone = typeof seeded.timeZone === 'string' ? seeded.timeZone : 'UTC';
  const settings: Record<string, unknown> = {
    archiveFolder: 'AAMkADArchive',
    timeZone,
    automaticRepliesSetting: {
      status: 'disabled',
      externalAudience: 'all',
      internalReplyMessage: '',
      externalReplyMessage: '',
      scheduledStartDateTime: { dateTime: '2020-01-01T00:00:00.0000000', timeZone: 'UTC' },
      scheduledEndDateTime: { dateTime: '2020-01-02T00:00:00.0000000', timeZone: 'UTC' },
    },
    dateFormat: 'M/d/yyyy',
    timeFormat: 'h:mm tt',
    delegateMeetingMessageDeliveryOptions: 'sendToDelegateOnly',
    userPurpose: 'user',
    language: { locale: 'en-US', displayName: 'English (United States)' },
    // Exchange always has working hours; a seed states `workingHours: null` to model none.
    workingHours: {
      daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      startTime: '08:00:00.0000000',
      endTime: '17:00:00.0000000',
      timeZone: { name: timeZone },
    },
  };
  for (const [k, v] of Object.entries(seeded)) settings[k] = v;
  if (settings.workingHours === null) delete settings.workingHours;
  return settings;
}

/**
 * getSchedule's `availabilityView`: one digit per `intervalMin` slot of `[startMs, endMs)` (the
 * last one cut at `endMs`), the highest availability code of the items overlapping the slot.
 */
export function availabilityView(
  items: ReadonlyArray<{ startMs: number; endMs: number; status: ShowAs }>,
  startMs: number,
  endMs: number,
  intervalMin: number,
): string {
  const slotMs = intervalMin * 60_000;
  const slots = Math.ceil((endMs - startMs) / slotMs);
  // Slot i is [s, e) with s = startMs + i * slotMs, e = min(endMs, s + slotMs). Rather than every
  // item for every slot, each item visits only the slots from the one holding its start (no
  // earlier slot ends after it starts) until one starts at or after its end.
  const codes = new Array<number>(Math.max(0, slots)).fill(0);
  for (const it of items) {
    const code = AVAILABILITY_CODE[it.status];
    for (let i = Math.max(0, Math.floor((it.startMs - startMs) / slotMs)); i < slots; i++) {
      const s = startMs + i * slotMs;
      if (s >= it.endMs) break;
      const e = Math.min(endMs, s + slotMs);
      if (it.startMs < e && it.endMs > s && code > (codes[i] as number)) codes[i] = code;
    }
  }
  return codes.join('');
}

interface ScheduleEntry {
  startMs: number;
  endMs: number;
  status: ShowAs;
  subject: string;
  location: string;
  isPrivate: boolean;
}

/** Every occurrence of every event of the user's calendar overlapping the window, in start order. */
function scheduleItems(user: SimUser, startMs: number, endMs: number): ScheduleEntry[] {
  const out: ScheduleEntry[] = [];
  for (const e of user.events) {
    for (const o of expandOccurrences(e, startMs, endMs)) {
      out.push({ ...o, status: e.showAs, subject: e.subject, location: e.location.displayName, isPrivate: e.sensitivity === 'private' });
    }
  }
  return out.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
}

/** The zone named by `Prefer: outlook.timezone="..."` (default UTC). */
function preferredZone(req: SimRequest): string {
  const m = /outlook\.timezone\s*=\s*"?([^",;]+)"?/i.exec(req.headers.prefer ?? '');
  const name = m?.[1]?.trim();
  return name && resolveZone(name) ? name : 'UTC';
}

function parseJson(req: SimRequest): Record<string, unknown> {
  let body: unknown;
  try {
    body = jsonBody(req);
  } catch {
    throw new GraphFailure(
      400,
      'BadRequest',
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    );
  }
  if (!isObject(body)) throw new GraphFailure(400, 'BadRequest', 'Empty Payload. JSON content expected.');
  return body;
}

/** Graph's answer to a dateTimeTimeZone whose zone it does not support. */
function requireSupportedZone(zone: string): void {
  if (!resolveZone(zone))
    throw new GraphFailure(
      400,
      'TimeZoneNotSupportedException',
      `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${zone}'.`,
    );
}

function dateTimeParam(body: Record<string, unknown>, name: string): number {
  const v = prop(body, name);
  if (!isObject(v) || typeof v.dateTime !== 'string')
    throw new GraphFailure(400, 'ErrorInvalidParameter', `The parameter '${name}' is required: {"dateTime", "timeZone"}.`);
  const zone = typeof v.timeZone === 'string' ? v.timeZone : 'UTC';
  requireSupportedZone(zone);
  const ms = toEpochMs({ dateTime: v.dateTime, timeZone: zone });
  if (!Number.isFinite(ms))
    throw new GraphFailure(400, 'ErrorInvalidParameter', `The parameter '${name}' has an invalid dateTime '${v.dateTime}'.`);
  return ms;
}

function eventTime(body: Record<string, unknown>, name: 'start' | 'end'): DateTimeTimeZone {
  const v = body[name];
  if (!isObject(v) || typeof v.dateTime !== 'string')
    throw new GraphFailure(400, 'ErrorInvalidRequest', `Your request can't be completed. The event's ${name} time is required.`);
  const zone = typeof v.timeZone === 'string' ? v.timeZone : '';
  requireSupportedZone(zone);
  if (!Number.isFinite(toEpochMs({ dateTime: v.dateTime, timeZone: zone })))
    throw new GraphFailure(400, 'ErrorInvalidRequest', `The ${name} dateTime '${v.dateTime}' is not valid.`);
  return { dateTime: v.dateTime, timeZone: zone };
}

/** `2026-11-23T10:00` -> `2026-11-23T10:00:00.0000000`, as Graph echoes wall times. */
function normalizeWallTime(v: DateTimeTimeZone): string {
  const zone = resolveZone(v.timeZone) ?? 'UTC';
  const ms = toEpochMs(v);
  return Number.isFinite(ms) ? toDateTimeTimeZone(ms, zone).dateTime : v.dateTime;
}

function isShowAs(v: unknown): v is ShowAs {
  return typeof v === 'string' && ['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown'].includes(v);
}

// --------------------------------------------------------------------------------------------
// Single-value extended properties on events: set at create, `$filter=singleValueExtendedProperties/Any(...)`
// and `$expand=singleValueExtendedProperties($filter=id eq '...')`.
// @see https://learn.microsoft.com/graph/api/singlevaluelegacyextendedproperty-post-singlevalueextendedproperties
// @see https://learn.microsoft.com/graph/api/singlevaluelegacyextendedproperty-get

/**
 * An extended property id in one of the documented forms (`{type} {guid} Name {name}`,
 * `{type} {guid} Id {id}`, `{type} {proptag}`), as a key that compares the type, GUID and tag
 * case-insensitively and the name case-sensitively (as Exchange does); null when malformed.
 */
function extendedPropertyKey(id: string): string | null {
  const named = /^(\w+)\s+\{([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}\s+(Name|Id)\s+(\S.*)$/i.exec(id.trim());
  if (named) {
    const [, type, guid, kind, name] = named as unknown as [string, string, string, string, string];
    return `${type.toLowerCase()} {${guid.toLowerCase()}} ${kind.toLowerCase()} ${kind.toLowerCase() === 'id' ? name.toLowerCase() : name}`;
  }
  const tagged = /^(\w+)\s+(0x[0-9a-f]{4,8})$/i.exec(id.trim());
  return tagged ? `${(tagged[1] as string).toLowerCase()} ${(tagged[2] as string).toLowerCase()}` : null;
}

/** The `singleValueExtendedProperties` of an event create body, validated. */
function singleValueExtendedProperties(body: Record<string, unknown>): Array<{ id: string; value: string }> {
  const raw = body.singleValueExtendedProperties;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new GraphFailure(400, 'BadRequest', "The property 'singleValueExtendedProperties' must be an array.");
  return raw.map((p) => {
    if (!isObject(p) || typeof p.id !== 'string' || typeof p.value !== 'string' || extendedPropertyKey(p.id) === null)
      throw new GraphFailure(
        400,
        'ErrorInvalidProperty',
        'The extended property id is not in a supported format ({type} {guid} Name {name}, {type} {guid} Id {id} or {type} {proptag}) or its value is not a string.',
      );
    return { id: p.id, value: p.value };
  });
}

function odataLiteral(quoted: string): string {
  return quoted.slice(1, -1).replace(/''/g, "'");
}

/**
 * The events `$filter` the simulator supports: `singleValueExtendedProperties/Any(ep: ep/id eq '<id>' and ep/value eq '<value>')`
 * (value compared case-insensitively, as Graph documents). Anything else is refused (400), never ignored.
 */
function parseEventFilter(text: string): (e: StoredEvent) => boolean {
  const m =
    /^\s*singleValueExtendedProperties\/any\(\s*(\w+)\s*:\s*\1\/id\s+eq\s+('(?:[^']|'')*')\s+and\s+\1\/value\s+eq\s+('(?:[^']|'')*')\s*\)\s*$/i.exec(
      text,
    );
  const key = m ? extendedPropertyKey(odataLiteral(m[2] as string)) : null;
  if (!m || key === null)
    throw new GraphFailure(400, 'ErrorInvalidUrlQueryFilter', `The simulator does not support this events $filter: '${text}'.`);
  const value = odataLiteral(m[3] as string).toLowerCase();
  return (e) => (e.singleValueExtendedProperties ?? []).some((p) => extendedPropertyKey(p.id) === key && p.value.toLowerCase() === value);
}

/** `$expand=singleValueExtendedProperties($filter=id eq '<id>')`: adds the matching properties to an event. */
function parseExtendedPropertyExpand(req: SimRequest): (e: StoredEvent) => Record<string, unknown> {
  const text = req.query.get('$expand');
  if (text === null) return () => ({});
  const m = /^\s*singleValueExtendedProperties\(\s*\$filter\s*=\s*id\s+eq\s+('(?:[^']|'')*')\s*\)\s*$/i.exec(text);
  const key = m ? extendedPropertyKey(odataLiteral(m[1] as string)) : null;
  if (!m || key === null) throw new GraphFailure(400, 'BadRequest', `The simulator does not support this events $expand: '${text}'.`);
  return (e) => ({
    singleValueExtendedProperties: (e.singleValueExtendedProperties ?? []).filter((p) => extendedPropertyKey(p.id) === key),
  });
}

// --------------------------------------------------------------------------------------------
// $filter for /users: startswith(prop,'x') and prop eq 'x', combined with and/or and parentheses.

type UserPredicate = (u: Record<string, unknown>) => boolean;
const FILTERABLE = ['displayName', 'mail', 'userPrincipalName', 'givenName', 'surname', 'id', 'jobTitle'];

/**
 * Parses the `$filter` subset Convene uses on `/users`.
 * @throws GraphFailure 400 `Request_UnsupportedQuery` for anything else
 */
function parseUserFilter(text: string): UserPredicate {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const fail = (): never => {
    throw new GraphFailure(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified: '${text}'.`);
  };
  const expect = (t: string) => {
    if (peek()?.toLowerCase() !== t) fail();
    pos += 1;
  };
  const property = (): string => {
    const name = FILTERABLE.find((p) => p.toLowerCase() === peek()?.toLowerCase());
    if (!name) fail();
    pos += 1;
    return name as string;
  };
  const literal = (): string => {
    const t = peek();
    if (!t || !t.startsWith("'")) return fail();
    pos += 1;
    return t.slice(1, -1).replace(/''/g, "'");
  };
  const term = (): UserPredicate => {
    const t = peek()?.toLowerCase();
    if (t === '(') {
      pos += 1;
      const inner = orExpr();
      expect(')');
      return inner;
    }
    if (t === 'startswith') {
      pos += 1;
      expect('(');
      const p = property();
      expect(',');
      const v = literal().toLowerCase();
      expect(')');
      return (u) =>
        String(u[p] ?? '')
          .toLowerCase()
          .startsWith(v);
    }
    const p = property();
    expect('eq');
    const v = literal().toLowerCase();
    return (u) => String(u[p] ?? '').toLowerCase() === v;
  };
  const andExpr = (): UserPredicate => {
    let left = term();
    while (peek()?.toLowerCase() === 'and') {
      pos += 1;
      const l = left;
      const r = term();
      left = (u) => l(u) && r(u);
    }
    return left;
  };
  const orExpr = (): UserPredicate => {
    let left = andExpr();
    while (peek()?.toLowerCase() === 'or') {
      pos += 1;
      const l = left;
      const r = andExpr();
      left = (u) => l(u) || r(u);
    }
    return left;
  };
  const result = orExpr();
  if (pos !== tokens.length) fail();
  return result;
}

function tokenize(text: string): string[] {
  const out: string[] = [];
  const re = /\s*('(?:[^']|'')*'|[(),]|[A-Za-z_][A-Za-z0-9_.]*)/y;
  let i = 0;
  while (i < text.length) {
    if (/^\s+$/.test(text.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) throw new GraphFailure(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified: '${text}'.`);
    out.push(m[1] as string);
    i = re.lastIndex;
  }
  return out;
}
