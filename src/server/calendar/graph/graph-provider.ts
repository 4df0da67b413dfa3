/**
 * The {@link CalendarProvider} over Microsoft Graph, app-only, per tenant.
 *
 * Layers, each its own unit over {@link GraphTransport}:
 *
 *   provider -> retries (`retry.ts`) -> 4-per-mailbox limit (`limiter.ts`) -> client (`client.ts`) -> injected fetch
 *
 * with `$batch` (`batch.ts`) sending its envelopes through the same stack. Per DESIGN.md
 * "Graph usage": getSchedule in chunks of 20 schedules and windows under 62 days, every chunk in
 * flight at once; mailbox settings (and the organizer) in `$batch` envelopes of 20.
 *
 * Audit: every Graph read or write is one {@link AuditEntry} per target mailbox (one per schedule
 * of a getSchedule call, one per `$batch` sub-request), with its final HTTP status after retries
 * (0 when no answer came) and Graph's `request-id`. Entries of one provider call are appended
 * in ONE `audit.append`, awaited, also when the call fails. No bodies, subjects or tokens.
 *
 * Failures: whole-call failures throw (`graph_unavailable` with `retryAfterMs` when Graph kept
 * throttling, `graph_error`, `tenant_not_consented` from the token source, and `forbidden` when
 * Graph refuses the organizer's own mailbox); one mailbox's failure is a value.
 *
 * @see https://learn.microsoft.com/graph/api/calendar-getschedule
 * @see https://learn.microsoft.com/graph/json-batching
 */
import { ConveneError } from '../../../shared/errors';
import type { AuditEntry } from '../../store/types';
import type {
  CalendarProvider,
  CallContext,
  CreatedEvent,
  DirectoryUser,
  DirectoryUserResult,
  MailboxSettingsResult,
  NewEvent,
  ScheduleResult,
} from '../provider';
import { executeBatch, type BatchDeps, type BatchOutcome, type BatchSubRequest } from './batch';
import { createGraphClient, type AppTokenSource, type FetchLike, type GraphResponse, type GraphTransport } from './client';
import {
  classifyMailboxFailure,
  GraphError,
  graphErrorFromResponse,
  isGraphError,
  mailboxError,
  readGraphErrorBody,
  toMailboxFailure,
} from './errors';
import { createMailboxLimiter, MailboxLimitedTransport } from './limiter';
import {
  mergeParsed,
  parseCreatedEvent,
  parseDirectoryUser,
  parseGetScheduleResponse,
  parseMailboxSettings,
  parseUserList,
  type ParsedSchedule,
} from './parse';
import { createRetryPolicy, HttpClientWithRetries, type Clock, type RetryOptions, type Random, type Sleep } from './retry';

/** What an audit sink needs to offer (the store's `AuditStore` does). */
export interface AuditSink {
  /** Appends entries in one write. */
  append(entries: AuditEntry[]): Promise<void>;
}

/** The little of a pino logger this module uses. */
export interface GraphLogger {
  warn(obj: object, msg?: string): void;
}

/** Dependencies of {@link createGraphCalendarProvider}. */
export interface GraphCalendarProviderDeps {
  /** Graph host from configuration (`cloud.graphEndpoint`); requests go to `${graphEndpoint}/v1.0/...`. */
  graphEndpoint: string;
  /** The HTTP transport (undici trusting the simulator's CA, or global fetch). */
  fetch: FetchLike;
  tokens: AppTokenSource;
  audit: AuditSink;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: `setTimeout`. */
  sleep?: Sleep;
  /** Default: `Math.random` (backoff jitter). */
  random?: Random;
  logger?: GraphLogger;
  /** Retry bounds; defaults in `retry.ts` (4 attempts, 30 s). */
  retry?: Partial<RetryOptions>;
  /** Requests in flight per mailbox (default 4, Exchange Online's limit). */
  maxConcurrentPerMailbox?: number;
  /** Per-attempt HTTP timeout in ms (default 20 000). */
  requestTimeoutMs?: number;
}

/** Schedules per getSchedule call (Graph's limit). */
export const maxSchedulesPerCall = 20;
/** Longest getSchedule window: Graph requires "less than 62 days", so 61 days. */
export const maxScheduleWindowMs = 61 * 24 * 60 * 60 * 1000;
/**
 * getSchedule calls put inside one availability `$batch` at most (each acts on the organizer's
 * mailbox; with its mailboxSettings read and the organizer on the panel that is 4, Exchange's
 * per-mailbox concurrency limit). Longer windows or larger panels use separate calls.
 */
export const maxScheduleCallsInBatch = 2;
/** getSchedule `availabilityViewInterval` in minutes (Convene reads `scheduleItems`; the view only checks they are complete). */
export const availabilityViewIntervalMinutes = 30;

const userSelect = '$select=id,displayName,mail,userPrincipalName';
/** What Convene reads of an event it created (never the body or the attendees). */
const eventSelect = '$select=id,iCalUId,webLink,onlineMeeting,transactionId';

/**
 * The single-value extended property stamped on every invite Convene creates, holding its
 * `transactionId` (the interview id). Graph documents no lookup by `transactionId`, but it does
 * document `$filter` on extended properties: that is how an invite whose create answer was lost
 * is found again. Convene's own property-set GUID, a string property by name (names are
 * case-sensitive in filters).
 * @see https://learn.microsoft.com/graph/api/resources/extended-properties-overview
 * @see https://learn.microsoft.com/graph/api/singlevaluelegacyextendedproperty-post-singlevalueextendedproperties
 */
export const transactionPropertyId = 'String {ee4eaf45-76eb-4bd5-9c5f-bdfc49a586c7} Name ConveneTransactionId';

/**
 * Graph's refusal of an event create whose `transactionId` an earlier create already used
 * (HTTP 400; some clients see 409). The error may name the event in `@event.existingEventId`.
 */
export const duplicateTransactionCode = 'ErrorDuplicateTransactionId';

/**
 * The Graph-backed {@link CalendarProvider}.
 *
 * @example
 * const provider = createGraphCalendarProvider({
 *   graphEndpoint: config.cloud.graphEndpoint, fetch, tokens: appTokens, audit: store.audit, logger: log.child({ module: 'graph' }),
 * });
 */
export function createGraphCalendarProvider(deps: GraphCalendarProviderDeps): CalendarProvider {
  const clock: Clock = deps.clock ?? { now: () => Date.now() };
  const sleep: Sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const policy = createRetryPolicy(deps.retry, deps.random ?? Math.random);
  const client = createGraphClient({
    graphEndpoint: deps.graphEndpoint,
    fetch: deps.fetch,
    tokens: deps.tokens,
    requestTimeoutMs: deps.requestTimeoutMs,
  });
  const limited = new MailboxLimitedTransport(client, createMailboxLimiter(deps.maxConcurrentPerMailbox ?? 4));
  const graph: GraphTransport = new HttpClientWithRetries(limited, policy, clock, sleep);
  const batchDeps: BatchDeps = { transport: graph, policy, clock, sleep };

  /** Runs `fn` with a fresh audit trail and appends it once, whatever happens. */
  async function audited<T>(ctx: CallContext, fn: (trail: AuditTrail) => Promise<T>): Promise<T> {
    const trail = new AuditTrail(ctx, clock);
    let result: T;
    try {
      result = await fn(trail);
    } catch (e) {
      try {
        await trail.flush(deps.audit);
      } catch (auditError) {
        // The Graph failure is what the caller must see; the lost audit write is logged.
        deps.logger?.warn({ err: auditError, requestId: ctx.requestId, entries: trail.size }, 'audit append failed');
      }
      throw e;
    }
    await trail.flush(deps.audit);
    return result;
  }

  /** One getSchedule call for up to 20 schedules over one window. */
  async function scheduleCall(
    ctx: CallContext,
    trail: AuditTrail,
    organizer: string,
    targets: string[],
    window: Window,
  ): Promise<Map<string, ParsedSchedule>> {
    let res: GraphResponse;
    try {
      res = await graph.send({
        tenantId: ctx.tenantId,
        method: 'POST',
        operation: 'calendar.getSchedule',
        path: `/users/${segment(organizer)}/calendar/getSchedule`,
        headers: { Prefer: 'outlook.timezone="UTC"' },
        body: scheduleBody(targets, window),
        mailboxes: [organizer],
      });
    } catch (e) {
      for (const t of targets) trail.addError('calendar.getSchedule', t, e);
      throw e;
    }
    for (const t of targets) trail.add('calendar.getSchedule', t, res.status, res.requestId);
    return scheduleAnswer({ kind: 'response', ...res }, targets, window);
  }

  async function batch(
    ctx: CallContext,
    trail: AuditTrail,
    items: ReadonlyArray<{ operation: Operation; target: string; request: BatchSubRequest }>,
  ): Promise<BatchOutcome[]> {
    const outcomes = await executeBatch(
      batchDeps,
      ctx.tenantId,
      items.map((i) => i.request),
    );
    items.forEach((item, k) => trail.addOutcome(item.operation, item.target, outcomes[k]!));
    throwIfBatchFailed(outcomes);
    return outcomes;
  }

  /**
   * `GET /users/{organizer}/events/{id}`: the event Graph named in a duplicate-transaction error,
   * when it is in this calendar and carries this transactionId (null otherwise).
   */
  async function eventById(
    ctx: CallContext,
    trail: AuditTrail,
    organizerOid: string,
    eventId: string,
    transactionId: string,
  ): Promise<CreatedEvent | null> {
    const res = await sendAudited(trail, 'events.get', organizerOid, () =>
      graph.send({
        tenantId: ctx.tenantId,
        method: 'GET',
        operation: 'events.get',
        path: `/users/${segment(organizerOid)}/events/${segment(eventId)}?${eventSelect}`,
        mailboxes: [organizerOid],
      }),
    );
    if (res.status === 404) return null;
    if (res.status < 200 || res.status > 299) throw organizerRefusal('events.get', res);
    const tx = isRecord(res.body) ? res.body.transactionId : undefined;
    if (typeof tx === 'string' && tx !== transactionId) return null;
    return parseCreatedEvent(res.body);
  }

  /**
   * `GET /users/{organizer}/events?$filter=singleValueExtendedProperties/Any(ep: ep/id eq '<property>' and ep/value eq '<transactionId>')`:
   * the invite stamped with this transactionId, or null.
   * @throws GraphError when Graph refuses the query
   */
  async function eventByTransactionId(
    ctx: CallContext,
    trail: AuditTrail,
    organizerOid: string,
    transactionId: string,
  ): Promise<CreatedEvent | null> {
    const filter = `singleValueExtendedProperties/Any(ep: ep/id eq ${odataString(transactionPropertyId)} and ep/value eq ${odataString(transactionId)})`;
    const res = await sendAudited(trail, 'events.list', organizerOid, () =>
      graph.send({
        tenantId: ctx.tenantId,
        method: 'GET',
        operation: 'events.list',
        path: `/users/${segment(organizerOid)}/events?$filter=${encodeURIComponent(filter)}&${eventSelect}&$top=5`,
        mailboxes: [organizerOid],
      }),
    );
    if (res.status < 200 || res.status > 299) throw organizerRefusal('events.list', res);
    const value = isRecord(res.body) && Array.isArray(res.body.value) ? (res.body.value as unknown[]) : null;
    if (value === null) throw unreadable('events.list', res);
    // Extended-property values compare case-insensitively in Graph: insist on the exact id.
    for (const item of value) {
      const tx = isRecord(item) ? item.transactionId : undefined;
      if (typeof tx === 'string' && tx !== transactionId) continue;
      const found = parseCreatedEvent(item);
      if (found) return found;
    }
    return null;
  }

  const provider: CalendarProvider = {
    async getSchedule(ctx, organizer, schedules, startMs, endMs): Promise<ScheduleResult[]> {
      if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || endMs <= startMs) {
        throw new ConveneError('invalid_request', 'The free/busy window must end after it starts.');
      }
      if (schedules.length === 0) return [];
      const targets = uniqueCaseInsensitive(schedules);
      const windows = splitWindow(startMs, endMs, maxScheduleWindowMs);
      const chunks = chunk(targets, maxSchedulesPerCall);

      return audited(ctx, async (trail) => {
        // Every window x chunk at once; wait for all, so every answer is audited before any error is thrown.
        const settled = await Promise.allSettled(windows.flatMap((w) => chunks.map((c) => scheduleCall(ctx, trail, organizer, c, w))));
        const merged = new Map<string, ParsedSchedule>();
        for (const r of settled) {
          if (r.status === 'rejected') throw r.reason;
          for (const [key, value] of r.value) merged.set(key, mergeParsed(merged.get(key), value));
        }
        return scheduleResults(schedules, merged);
      });
    },

    async getMailboxSettings(ctx, mailboxes): Promise<MailboxSettingsResult[]> {
      if (mailboxes.length === 0) return [];
      const targets = uniqueCaseInsensitive(mailboxes);
      return audited(ctx, async (trail) => {
        const outcomes = await batch(
          ctx,
          trail,
          targets.map((m) => ({ operation: 'mailboxSettings.get' as const, target: m, request: settingsRequest(m) })),
        );
        const byKey = new Map(targets.map((m, i) => [m.toLowerCase(), outcomes[i]!]));
        return mailboxes.map((m) => settingsResult(m, byKey.get(m.toLowerCase())));
      });
    },

    async getOrganizerAndMailboxSettings(ctx, organizerOid, mailboxes) {
      const targets = uniqueCaseInsensitive(mailboxes);
      return audited(ctx, async (trail) => {
        const outcomes = await batch(ctx, trail, [
          {
            operation: 'users.get',
            target: organizerOid,
            request: userRequest(organizerOid),
          },
          { operation: 'mailboxSettings.get', target: organizerOid, request: settingsRequest(organizerOid) },
          ...targets.map((m) => ({ operation: 'mailboxSettings.get' as const, target: m, request: settingsRequest(m) })),
        ]);
        const byKey = new Map(targets.map((m, i) => [m.toLowerCase(), outcomes[i + 2]!]));
        return {
          organizer: userResult(outcomes[0]),
          organizerSettings: settingsResult(organizerOid, outcomes[1]),
          attendees: mailboxes.map((m) => settingsResult(m, byKey.get(m.toLowerCase()))),
        };
      });
    },

    async getScheduleAndMailboxSettings(ctx, organizerOid, schedules, startMs, endMs) {
      if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || endMs <= startMs) {
        throw new ConveneError('invalid_request', 'The free/busy window must end after it starts.');
      }
      const settingsTargets = uniqueCaseInsensitive(schedules);
      const windows = splitWindow(startMs, endMs, maxScheduleWindowMs);
      const calls = windows.flatMap((w) => chunk(settingsTargets, maxSchedulesPerCall).map((targets) => ({ window: w, targets })));
      if (calls.length > maxScheduleCallsInBatch) {
        // Every getSchedule call acts on the organizer's mailbox, and a batch's sub-requests run
        // at once: beyond two they would pass Exchange's 4-per-mailbox limit (429s). Then the
        // calls go out on their own, through the per-mailbox limiter, next to the batch.
        const [s, o] = await Promise.allSettled([
          provider.getSchedule(ctx, organizerOid, schedules, startMs, endMs),
          provider.getOrganizerAndMailboxSettings(ctx, organizerOid, schedules),
        ]);
        // The organizer's failure wins: a user who left the tenant makes getSchedule fail too.
        if (o.status === 'rejected') throw o.reason;
        if (o.value.organizer.status !== 'ok') {
          return { ...o.value, schedules: organizerUnreadSchedules(schedules) };
        }
        if (s.status === 'rejected') throw s.reason;
        return { ...o.value, schedules: s.value };
      }
      const requests: BatchSubRequest[] = [
        userRequest(organizerOid),
        settingsRequest(organizerOid),
        ...settingsTargets.map(settingsRequest),
        ...calls.map((c): BatchSubRequest => ({
          method: 'POST',
          url: `/users/${segment(organizerOid)}/calendar/getSchedule`,
          mailbox: organizerOid,
          headers: { Prefer: 'outlook.timezone="UTC"' },
          body: scheduleBody(c.targets, c.window),
        })),
      ];
      return audited(ctx, async (trail) => {
        const outcomes = await executeBatch(batchDeps, ctx.tenantId, requests);
        trail.addOutcome('users.get', organizerOid, outcomes[0]!);
        trail.addOutcome('mailboxSettings.get', organizerOid, outcomes[1]!);
        settingsTargets.forEach((m, i) => trail.addOutcome('mailboxSettings.get', m, outcomes[i + 2]!));
        const firstCall = 2 + settingsTargets.length;
        calls.forEach((c, k) => {
          for (const t of c.targets) trail.addOutcome('calendar.getSchedule', t, outcomes[firstCall + k]!);
        });
        throwIfBatchFailed(outcomes);

        const organizer = userResult(outcomes[0]);
        const byKey = new Map(settingsTargets.map((m, i) => [m.toLowerCase(), outcomes[i + 2]!]));
        const result = {
          organizer,
          organizerSettings: settingsResult(organizerOid, outcomes[1]),
          attendees: schedules.map((m) => settingsResult(m, byKey.get(m.toLowerCase()))),
        };
        if (organizer.status !== 'ok') {
          return { ...result, schedules: organizerUnreadSchedules(schedules) };
        }
        const merged = new Map<string, ParsedSchedule>();
        calls.forEach((c, k) => {
          const answer = scheduleAnswer(outcomes[firstCall + k]!, c.targets, c.window);
          for (const [key, value] of answer) merged.set(key, mergeParsed(merged.get(key), value));
        });
        return { ...result, schedules: scheduleResults(schedules, merged) };
      });
    },

    async getUser(ctx, idOrUpn): Promise<DirectoryUserResult> {
      return audited(ctx, async (trail) => {
        const res = await sendAudited(trail, 'users.get', idOrUpn, () =>
          graph.send({
            tenantId: ctx.tenantId,
            method: 'GET',
            operation: 'users.get',
            path: `/users/${segment(idOrUpn)}?${userSelect}`,
            mailboxes: [idOrUpn],
          }),
        );
        return userResult({ kind: 'response', status: res.status, headers: res.headers, body: res.body, requestId: res.requestId });
      });
    },

    async searchUsers(ctx, query, top): Promise<DirectoryUser[]> {
      const path = userSearchPath(query, top);
      if (path === null) return [];
      return audited(ctx, async (trail) => {
        const res = await sendAudited(trail, 'users.list', null, () =>
          graph.send({
            tenantId: ctx.tenantId,
            method: 'GET',
            operation: 'users.list',
            path,
          }),
        );
        if (res.status < 200 || res.status > 299) throw graphErrorFromResponse('users.list', res);
        const users = parseUserList(res.body);
        if (users === null) throw unreadable('users.list', res);
        return users;
      });
    },

    async getOrganizerAndSearchUsers(ctx, organizerOid, query, top) {
      const path = userSearchPath(query, top);
      const requests: BatchSubRequest[] = [
        userRequest(organizerOid),
        ...(path === null ? [] : [{ method: 'GET' as const, url: path, mailbox: null }]),
      ];
      return audited(ctx, async (trail) => {
        const outcomes = await executeBatch(batchDeps, ctx.tenantId, requests);
        trail.addOutcome('users.get', organizerOid, outcomes[0]!);
        if (outcomes[1]) trail.addOutcome('users.list', null, outcomes[1]);
        // The organizer first: a user who left the tenant is told so, whatever the search did.
        throwIfBatchFailed([outcomes[0]!]);
        const organizer = userResult(outcomes[0]);
        const list = outcomes[1];
        if (organizer.status !== 'ok' || !list) return { organizer, users: [] };
        throwIfBatchFailed([list]);
        if (list.kind !== 'response')
          throw new GraphError('graph_error', 'Microsoft Graph did not answer the people search (missing from the $batch response).', {
            graphStatus: 0,
            graphRequestId: list.kind === 'missing' ? list.requestId : null,
          });
        if (list.status < 200 || list.status > 299) throw graphErrorFromResponse('users.list', list);
        const users = parseUserList(list.body);
        if (users === null) throw unreadable('users.list', list);
        return { organizer, users };
      });
    },

    async createEvent(ctx, organizerOid, event): Promise<CreatedEvent> {
      const body = eventBody(event);
      return audited(ctx, async (trail) => {
        const res = await sendAudited(trail, 'events.create', organizerOid, () =>
          graph.send({
            tenantId: ctx.tenantId,
            method: 'POST',
            operation: 'events.create',
            path: `/users/${segment(organizerOid)}/events`,
            body,
            mailboxes: [organizerOid],
          }),
        );
        if (isDuplicateTransaction(res)) {
          // An earlier create with this transactionId reached Graph (its answer was lost, or the
          // retry layer sent it again after a 504): the invite exists. Find it; never create another.
          const existingId = existingEventId(res.body);
          const found =
            (existingId ? await eventById(ctx, trail, organizerOid, existingId, event.transactionId) : null) ??
            (await eventByTransactionId(ctx, trail, organizerOid, event.transactionId));
          if (found) return { ...found, recovered: true };
          const cause = graphErrorFromResponse('events.create', res);
          throw new GraphError(
            'graph_error',
            "Microsoft Graph says this interview's invite was already created, but it is no longer in the organizer's calendar (deleted in Outlook?). Book the interview again with a new Idempotency-Key.",
            { graphStatus: res.status, graphCode: cause.graphCode, graphRequestId: cause.graphRequestId, cause },
          );
        }
        if (res.status < 200 || res.status > 299) throw organizerRefusal('events.create', res);
        const created = parseCreatedEvent(res.body);
        if (!created) throw unreadable('events.create', res);
        return created;
      });
    },

    async findEventByTransactionId(ctx, organizerOid, transactionId): Promise<CreatedEvent | null> {
      if (!transactionId) throw new ConveneError('invalid_request', 'An event lookup needs a transactionId.');
      return audited(ctx, (trail) => eventByTransactionId(ctx, trail, organizerOid, transactionId));
    },

    async cancelEvent(ctx, organizerOid, eventId, comment): Promise<void> {
      await audited(ctx, async (trail) => {
        const res = await sendAudited(trail, 'events.cancel', organizerOid, () =>
          graph.send({
            tenantId: ctx.tenantId,
            method: 'POST',
            operation: 'events.cancel',
            path: `/users/${segment(organizerOid)}/events/${segment(eventId)}/cancel`,
            body: comment === undefined ? {} : { comment },
            mailboxes: [organizerOid],
          }),
        );
        // 404: already gone (cancelled or deleted in Outlook); the goal is reached.
        if (res.status === 404) return;
        if (res.status < 200 || res.status > 299) throw organizerRefusal('events.cancel', res);
      });
    },
  };
  return provider;
}

/** Audit operations this provider writes. */
export type Operation =
  | 'calendar.getSchedule'
  | 'mailboxSettings.get'
  | 'users.get'
  | 'users.list'
  | 'events.create'
  | 'events.get'
  | 'events.list'
  | 'events.cancel';

/** The last instant formatted, and how: the entries of one Graph answer share one clock reading. */
let lastIso = { ms: NaN, text: '' };

/** `ms` as ISO 8601 (`toISOString`), remembering the last one (up to 20 entries per answer). */
function isoInstant(ms: number): string {
  if (ms !== lastIso.ms) lastIso = { ms, text: new Date(ms).toISOString() };
  return lastIso.text;
}

/** The audit entries of one provider call. */
class AuditTrail {
  private readonly entries: AuditEntry[] = [];

  constructor(
    private readonly ctx: CallContext,
    private readonly clock: Clock,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  add(operation: Operation, target: string | null, status: number, graphRequestId: string | null): void {
    this.entries.push({
      tid: this.ctx.tenantId,
      actorOid: this.ctx.actorOid,
      operation,
      targetMailbox: target,
      status,
      graphRequestId,
      requestId: this.ctx.requestId,
      at: isoInstant(this.clock.now()),
    });
  }

  /** A call that ended in an exception: Graph's status when it answered (throttling), else 0. */
  addError(operation: Operation, target: string | null, error: unknown): void {
    if (isGraphError(error)) this.add(operation, target, error.graphStatus, error.graphRequestId ?? null);
    else this.add(operation, target, 0, null);
  }

  addOutcome(operation: Operation, target: string | null, outcome: BatchOutcome): void {
    switch (outcome.kind) {
      case 'response':
      case 'throttled':
        this.add(operation, target, outcome.status, outcome.requestId);
        break;
      case 'missing':
        this.add(operation, target, 0, outcome.requestId);
        break;
      case 'failed':
        this.addError(operation, target, outcome.error);
        break;
      default:
        assertNever(outcome);
    }
  }

  async flush(sink: AuditSink): Promise<void> {
    // Nothing reached Graph (e.g. an empty search): nothing to write.
    if (this.entries.length === 0) return;
    await sink.append([...this.entries]);
  }
}

/** Sends one request and audits it (answer or exception). */
async function sendAudited(
  trail: AuditTrail,
  operation: Operation,
  target: string | null,
  send: () => Promise<GraphResponse>,
): Promise<GraphResponse> {
  let res: GraphResponse;
  try {
    res = await send();
  } catch (e) {
    trail.addError(operation, target, e);
    throw e;
  }
  trail.add(operation, target, res.status, res.requestId);
  return res;
}

/**
 * A failed call on the organizer's own mailbox. A 403 the mapper reads as an access-policy denial
 * means Convene cannot act for this user at all: `forbidden`, with what to ask the admin for.
 */
function organizerRefusal(operation: Operation, res: Pick<GraphResponse, 'status' | 'requestId' | 'body'>): ConveneError {
  const { code, message } = readGraphErrorBody(res.body);
  const cause = graphErrorFromResponse(operation, res);
  if (res.status === 403 && classifyMailboxFailure({ status: 403, code, message }) === 'blocked') {
    return new ConveneError(
      'forbidden',
      "Convene cannot access your mailbox: the tenant's application access policy or RBAC for Applications scope excludes it. Ask your Exchange administrator to include your mailbox.",
      { cause },
    );
  }
  return cause;
}

function unreadable(operation: Operation, res: GraphResponse): GraphError {
  return new GraphError('graph_error', `Microsoft Graph answered ${operation} with a body Convene cannot read.`, {
    graphStatus: res.status,
    graphRequestId: res.requestId,
  });
}

/** A batch's whole-call failures: a failed envelope, or sub-requests Graph kept throttling. */
function throwIfBatchFailed(outcomes: readonly BatchOutcome[]): void {
  const failed = outcomes.find((o) => o.kind === 'failed');
  if (failed && failed.kind === 'failed') throw failed.error;
  const throttled = outcomes.filter((o): o is Extract<BatchOutcome, { kind: 'throttled' }> => o.kind === 'throttled');
  if (throttled.length > 0) {
    const worst = throttled.reduce((a, b) => (b.retryAfterMs > a.retryAfterMs ? b : a));
    throw new GraphError(
      'graph_unavailable',
      `Microsoft Graph is throttling or unavailable (${worst.status} inside $batch); try again later.`,
      {
        graphStatus: worst.status,
        graphRequestId: worst.requestId,
        retryAfterMs: worst.retryAfterMs,
      },
    );
  }
}

/** The getSchedule body for `targets` over `window`, in UTC, widened to whole seconds. */
function scheduleBody(targets: readonly string[], window: Window): Record<string, unknown> {
  return {
    schedules: targets,
    startTime: { dateTime: utcWallTime(window.startMs, 'floor'), timeZone: 'UTC' },
    endTime: { dateTime: utcWallTime(window.endMs, 'ceil'), timeZone: 'UTC' },
    availabilityViewInterval: availabilityViewIntervalMinutes,
  };
}

/**
 * One getSchedule answer (a response or a `$batch` sub-response) as each target's schedule.
 * @throws ConveneError forbidden / GraphError when Graph refused the call (the organizer's mailbox)
 */
function scheduleAnswer(outcome: BatchOutcome, targets: readonly string[], window: Window): Map<string, ParsedSchedule> {
  const out = new Map<string, ParsedSchedule>();
  if (outcome.kind !== 'response') {
    // Not reached after throwIfBatchFailed (failed/throttled throw); `missing` lands here.
    for (const t of targets) out.set(t.toLowerCase(), mailboxError('Microsoft Graph did not answer this getSchedule request.'));
    return out;
  }
  if (outcome.status < 200 || outcome.status > 299) throw organizerRefusal('calendar.getSchedule', outcome);
  // availabilityView slot 0 starts at the startTime sent (floored to the second).
  const parsed = parseGetScheduleResponse(outcome.body, {
    startMs: Math.floor(window.startMs / 1000) * 1000,
    intervalMinutes: availabilityViewIntervalMinutes,
  });
  for (const t of targets) {
    const key = t.toLowerCase();
    out.set(
      key,
      parsed === null
        ? mailboxError('Microsoft Graph returned a getSchedule answer Convene cannot read.')
        : (parsed.get(key) ?? mailboxError('Graph did not return this schedule.')),
    );
  }
  return out;
}

/**
 * `/users?$filter=startswith(...)` for a people search on displayName, mail and userPrincipalName,
 * at most `top` (1..999) users; null for a blank query (nothing to ask Graph).
 * @see https://learn.microsoft.com/graph/api/user-list
 */
function userSearchPath(query: string, top: number): string | null {
  const q = query.trim();
  if (q === '') return null;
  const n = Math.min(999, Math.max(1, Math.floor(Number.isFinite(top) ? top : 1)));
  // OData string literals escape a single quote by doubling it; then the whole value is URL-encoded.
  const literal = `'${q.replace(/'/g, "''")}'`;
  const filter = `startswith(displayName,${literal}) or startswith(mail,${literal}) or startswith(userPrincipalName,${literal})`;
  return `/users?$filter=${encodeURIComponent(filter)}&$top=${n}&${userSelect}`;
}

/** Each requested mailbox's answer from the merged getSchedule answers, in request order. */
function scheduleResults(schedules: string[], merged: ReadonlyMap<string, ParsedSchedule>): ScheduleResult[] {
  return schedules.map((mailbox): ScheduleResult => {
    const r = merged.get(mailbox.toLowerCase()) ?? mailboxError('Graph did not return this schedule.');
    return r.status === 'ok' ? { mailbox, status: 'ok', items: r.items } : { mailbox, ...r };
  });
}

/** Every mailbox unread: the organizer lookup failed, so its free/busy answers are not used. */
function organizerUnreadSchedules(schedules: string[]): ScheduleResult[] {
  return schedules.map((mailbox): ScheduleResult => ({ mailbox, ...mailboxError('Not read: the organizer could not be read.') }));
}

/** `GET /users/{id}` with the directory fields Convene reads, as a `$batch` sub-request. */
function userRequest(idOrUpn: string): BatchSubRequest {
  return { method: 'GET', url: `/users/${segment(idOrUpn)}?${userSelect}`, mailbox: idOrUpn };
}

function settingsRequest(mailbox: string): BatchSubRequest {
  return { method: 'GET', url: `/users/${segment(mailbox)}/mailboxSettings`, mailbox };
}

function settingsResult(mailbox: string, outcome: BatchOutcome | undefined): MailboxSettingsResult {
  if (!outcome || outcome.kind === 'missing')
    return { mailbox, ...mailboxError("Microsoft Graph did not answer for this mailbox's settings (missing from the $batch response).") };
  if (outcome.kind !== 'response') return { mailbox, ...mailboxError('Microsoft Graph could not be asked for this mailbox.') };
  if (outcome.status < 200 || outcome.status > 299) {
    const { code, message } = readGraphErrorBody(outcome.body);
    return { mailbox, ...toMailboxFailure({ status: outcome.status, code, message }) };
  }
  const settings = parseMailboxSettings(outcome.body);
  return settings
    ? { mailbox, status: 'ok', settings }
    : { mailbox, ...mailboxError('Microsoft Graph returned mailbox settings Convene cannot read.') };
}

function userResult(outcome: BatchOutcome | undefined): DirectoryUserResult {
  if (!outcome || outcome.kind === 'missing')
    return mailboxError('Microsoft Graph did not answer for this user (missing from the $batch response).');
  if (outcome.kind !== 'response') return mailboxError('Microsoft Graph could not be asked for this user.');
  if (outcome.status < 200 || outcome.status > 299) {
    const { code, message } = readGraphErrorBody(outcome.body);
    return toMailboxFailure({ status: outcome.status, code, message });
  }
  const user = parseDirectoryUser(outcome.body);
  return user ? { status: 'ok', user } : mailboxError('Microsoft Graph returned a user Convene cannot read.');
}

/**
 * The `POST /users/{id}/events` body: start/end in UTC, required attendees, Teams when asked,
 * the `transactionId` that makes retries safe, and the same id as the extended property
 * {@link transactionPropertyId} (to find the invite again if the create's answer is lost).
 * @throws ConveneError invalid_request (end not after start, no transactionId) | unprocessable (unknown zone)
 * @see https://learn.microsoft.com/graph/api/user-post-events
 */
export function eventBody(event: NewEvent): Record<string, unknown> {
  if (!Number.isFinite(event.startMs) || !Number.isFinite(event.endMs) || event.endMs <= event.startMs) {
    throw new ConveneError('invalid_request', 'The interview must end after it starts.');
  }
  if (!event.transactionId) throw new ConveneError('invalid_request', 'An event needs a transactionId.');
  // Start and end go to Graph in UTC: dateTimeTimeZone accepts Windows names and only a listed
  // subset of IANA names (TimeZoneNotSupportedException otherwise), and a local wall time is
  // ambiguous in the repeated hour of a DST fall-back. UTC is always accepted and exact; Outlook
  // shows the invite in each reader's own zone. The organizer's zone stays in Convene's record.
  const utc = (ms: number) => new Date(ms).toISOString().slice(0, 19);
  return {
    subject: event.subject,
    // bodyType is the enum `text | html` in Graph's metadata (lowercase; the contract test checks it).
    body: { contentType: 'html', content: event.bodyHtml },
    start: { dateTime: utc(event.startMs), timeZone: 'UTC' },
    end: { dateTime: utc(event.endMs), timeZone: 'UTC' },
    attendees: event.attendees.map((a) => ({
      emailAddress: a.name ? { address: a.email, name: a.name } : { address: a.email },
      type: 'required',
    })),
    ...(event.teamsMeeting ? { isOnlineMeeting: true, onlineMeetingProvider: 'teamsForBusiness' } : { isOnlineMeeting: false }),
    allowNewTimeProposals: true,
    responseRequested: true,
    transactionId: event.transactionId,
    singleValueExtendedProperties: [{ id: transactionPropertyId, value: event.transactionId }],
  };
}

/** True for Graph's refusal of a repeated `transactionId` (400, or 409 as some clients report it). */
function isDuplicateTransaction(res: GraphResponse): boolean {
  return (res.status === 400 || res.status === 409) && readGraphErrorBody(res.body).code === duplicateTransactionCode;
}

/** `error["@event.existingEventId"]` of a duplicate-transaction error, when Graph gave it. */
function existingEventId(body: unknown): string | undefined {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const id = error?.['@event.existingEventId'];
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** An OData string literal: single quotes doubled. (The whole `$filter` is URL-encoded after.) */
function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** `[startMs, endMs)`, epoch ms. */
interface Window {
  startMs: number;
  endMs: number;
}

/** Consecutive windows of at most `maxMs` covering `[startMs, endMs)`. */
export function splitWindow(startMs: number, endMs: number, maxMs: number): Window[] {
  const out: Window[] = [];
  for (let s = startMs; s < endMs; s += maxMs) out.push({ startMs: s, endMs: Math.min(endMs, s + maxMs) });
  return out;
}

/** An instant as Graph's offset-less wall time in UTC, to the second (`floor` for starts, `ceil` for ends, so the window only grows). */
function utcWallTime(ms: number, round: 'floor' | 'ceil'): string {
  const s = round === 'floor' ? Math.floor(ms / 1000) : Math.ceil(ms / 1000);
  return new Date(s * 1000).toISOString().slice(0, 19);
}

/**
 * A user id, UPN or SMTP address as one URL path segment. `@` stays as is (it is legal in a path
 * segment and the form Graph's own examples use); everything else unsafe is percent-encoded.
 */
export function segment(value: string): string {
  return encodeURIComponent(value).replace(/%40/g, '@');
}

function uniqueCaseInsensitive(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of values) {
    const key = v.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out;
}

function chunk<T>(values: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

function assertNever(x: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(x)}`);
}
