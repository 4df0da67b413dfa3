/**
 * The calendar port: what Convene needs from Microsoft Graph, with precise types and per-mailbox
 * failures as values (never dropped, never read as free). Implemented by `graph/graph-provider.ts`
 * over Microsoft Graph; tests may implement it with fakes.
 */
import type { BusyItem, MailboxSettingsInput } from '../scheduling/types';

/** Who is acting and where: written to every audit entry. */
export interface CallContext {
  /** Entra tenant id (GUID) the app-only token is acquired for. */
  tenantId: string;
  /** Object id of the signed-in user on whose behalf Convene acts. */
  actorOid: string;
  /** Convene's request id, for log correlation. */
  requestId: string;
}

/** Why a mailbox could not be read. `blocked`: application access policy / RBAC scope; `notFound`: no such mailbox. */
export type MailboxFailureStatus = 'blocked' | 'notFound' | 'error';

/** A per-mailbox failure, with an admin-readable reason and the Graph code when there was one. */
export interface MailboxFailure {
  status: MailboxFailureStatus;
  reason: string;
  graphCode?: string;
}

/** One schedule from getSchedule: its busy items in UTC ms, or why it could not be read. */
export type ScheduleResult = { mailbox: string; status: 'ok'; items: BusyItem[] } | ({ mailbox: string } & MailboxFailure);

/** One mailbox's settings, or why they could not be read. */
export type MailboxSettingsResult =
  { mailbox: string; status: 'ok'; settings: MailboxSettingsInput } | ({ mailbox: string } & MailboxFailure);

/** A user of the tenant, as `GET /users/{id}` gives it. */
export interface DirectoryUser {
  id: string;
  displayName: string;
  /** SMTP address; falls back to userPrincipalName when `mail` is null. */
  mail: string;
  userPrincipalName: string;
}

/** A user lookup: found, or why not. */
export type DirectoryUserResult = { status: 'ok'; user: DirectoryUser } | MailboxFailure;

/** What `createEvent` sends. Instants in UTC ms; `timeZone` is the organizer's IANA zone for display. */
export interface NewEvent {
  subject: string;
  /** HTML body shown in the invite; Convene never stores it. */
  bodyHtml: string;
  startMs: number;
  endMs: number;
  /** IANA zone the event is created in (the organizer's). */
  timeZone: string;
  /** Required attendees: the panel and the candidate. */
  attendees: Array<{ email: string; name?: string }>;
  teamsMeeting: boolean;
  /**
   * Graph `transactionId`: retries with the same id never create a second event. Also stamped on
   * the event as a single-value extended property, so the event can be found again
   * ({@link CalendarProvider.findEventByTransactionId}).
   */
  transactionId: string;
}

/** What Graph created. */
export interface CreatedEvent {
  id: string;
  iCalUId: string;
  webLink?: string;
  joinUrl?: string;
  /**
   * True when Graph refused the create as a repeat of an earlier one (`ErrorDuplicateTransactionId`)
   * and this is the event that earlier create made, found again: nothing new was created.
   */
  recovered?: boolean;
}

/**
 * Microsoft Graph as Convene uses it, app-only, per tenant. Every call is audited by the
 * implementation (tenant, actor, operation, target mailbox, status, Graph request-id).
 *
 * Errors: whole-call failures throw `ConveneError` (`graph_unavailable` with `retryAfterMs` after
 * bounded retries of 429/503/504; `tenant_not_consented` when no app token can be had;
 * `graph_error` otherwise). Per-mailbox failures are values.
 */
export interface CalendarProvider {
  /**
   * Free/busy of `schedules` over `[startMs, endMs)` through `POST /users/{organizer}/calendar/getSchedule`
   * (chunks of at most 20 schedules, windows of at most 62 days; chunks run concurrently).
   * Results are in the order of `schedules`.
   * @see https://learn.microsoft.com/graph/api/calendar-getschedule
   */
  getSchedule(ctx: CallContext, organizer: string, schedules: string[], startMs: number, endMs: number): Promise<ScheduleResult[]>;

  /**
   * Each mailbox's settings through `$batch` of `GET /users/{m}/mailboxSettings` (at most 20 per batch).
   * Results are in the order of `mailboxes`.
   * @see https://learn.microsoft.com/graph/api/user-get-mailboxsettings
   * @see https://learn.microsoft.com/graph/json-batching
   */
  getMailboxSettings(ctx: CallContext, mailboxes: string[]): Promise<MailboxSettingsResult[]>;

  /**
   * The organizer (by object id) and its mailbox settings in one `$batch` together with the
   * attendees' mailbox settings: one Graph round trip. Results for `mailboxes` are in their order.
   */
  getOrganizerAndMailboxSettings(
    ctx: CallContext,
    organizerOid: string,
    mailboxes: string[],
  ): Promise<{ organizer: DirectoryUserResult; organizerSettings: MailboxSettingsResult; attendees: MailboxSettingsResult[] }>;

  /**
   * Everything an availability request or a booking re-check reads, in ONE `$batch`: the
   * organizer (by object id), its mailbox settings, each mailbox's settings, and getSchedule for
   * `schedules` over `[startMs, endMs)` as POST sub-requests (chunks of 20 schedules, windows under
   * 62 days). Beyond 20 sub-requests, envelopes of 20 go out at once: one round trip of latency
   * and, for a panel of up to 17, one Graph request. More than two getSchedule calls (all on the
   * organizer's mailbox) would pass Exchange's 4-per-mailbox limit inside a batch: those go out
   * as separate calls next to it, still concurrently. Results for `mailboxes`/`schedules` are in
   * their order. When the organizer cannot be read, the schedules are not interpreted (each is an
   * `error`): the organizer's failure is the one to report.
   * @throws ConveneError forbidden when Graph refuses getSchedule on the organizer's own mailbox;
   *   graph_unavailable | graph_error | tenant_not_consented as the other calls
   * @see https://learn.microsoft.com/graph/json-batching
   * @see https://learn.microsoft.com/graph/api/calendar-getschedule
   */
  getScheduleAndMailboxSettings(
    ctx: CallContext,
    organizerOid: string,
    schedules: string[],
    startMs: number,
    endMs: number,
  ): Promise<{
    organizer: DirectoryUserResult;
    organizerSettings: MailboxSettingsResult;
    attendees: MailboxSettingsResult[];
    schedules: ScheduleResult[];
  }>;

  /** `GET /users/{idOrUpn}`. @see https://learn.microsoft.com/graph/api/user-get */
  getUser(ctx: CallContext, idOrUpn: string): Promise<DirectoryUserResult>;

  /**
   * Up to `top` users whose displayName, mail or userPrincipalName starts with `query`
   * (`GET /users?$filter=startswith(...)`, User.ReadBasic.All).
   * @see https://learn.microsoft.com/graph/api/user-list
   */
  searchUsers(ctx: CallContext, query: string, top: number): Promise<DirectoryUser[]>;

  /**
   * The organizer (`GET /users/{organizerOid}`) and {@link searchUsers}' query in ONE `$batch`:
   * one round trip to check that the user is still in the tenant and search for them. `users` is
   * read only when the organizer was found (empty otherwise, whatever the search answered).
   * @throws ConveneError graph_unavailable | graph_error (the search failed) | tenant_not_consented
   * @see https://learn.microsoft.com/graph/json-batching
   */
  getOrganizerAndSearchUsers(
    ctx: CallContext,
    organizerOid: string,
    query: string,
    top: number,
  ): Promise<{ organizer: DirectoryUserResult; users: DirectoryUser[] }>;

  /**
   * `POST /users/{organizerOid}/events` with `transactionId`; the organizer is that user.
   * @see https://learn.microsoft.com/graph/api/user-post-events
   */
  createEvent(ctx: CallContext, organizerOid: string, event: NewEvent): Promise<CreatedEvent>;

  /**
   * The event `createEvent` made in this organizer's calendar for `transactionId`, or null when
   * there is none: for a booking whose create may have reached Graph although its answer was
   * lost. Found through the single-value extended property `createEvent` stamps on every invite
   * (`GET /users/{organizerOid}/events?$filter=singleValueExtendedProperties/Any(...)`).
   * @see https://learn.microsoft.com/graph/api/singlevaluelegacyextendedproperty-get
   */
  findEventByTransactionId(ctx: CallContext, organizerOid: string, transactionId: string): Promise<CreatedEvent | null>;

  /**
   * `POST /users/{organizerOid}/events/{eventId}/cancel`: attendees get a cancellation.
   * A 404 (already gone) resolves without error.
   * @see https://learn.microsoft.com/graph/api/event-cancel
   */
  cancelEvent(ctx: CallContext, organizerOid: string, eventId: string, comment?: string): Promise<void>;
}
