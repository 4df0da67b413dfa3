/**
 * The Calendar Service: the one path from a signed-in user to Microsoft Graph, shared by the HTTP
 * API, the bot and the CLI. Every method applies the dual lock before any Graph call:
 * (1) the caller is an {@link AuthContext} (only the token verifier makes one),
 * (2) the caller's tenant is consented ({@link TenantRegistry}),
 * (3) the request passes its schema from `src/shared/api.ts` (parsed here, whatever the front).
 * Then, before acting, the organizer (the token's `oid`) must still be in the tenant
 * (`organizer-check.ts`): a user who left is refused with 401 whatever their token says.
 *
 * Calendar data is read just in time and never stored; only interviews Convene creates are.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  AvailabilityRequest,
  type AvailabilityRequestInput,
  type AvailabilityResponse,
  type AttendeeResult,
  CancelInterviewRequest,
  type Channel,
  CreateInterviewRequest,
  type CreateInterviewRequestInput,
  IdempotencyKey,
  type Interview,
  ListInterviewsQuery,
  PeopleQuery,
  type Person,
} from '../../shared/api';
import { ConveneError } from '../../shared/errors';
import type { AuthContext } from '../auth/user-token';
import type { TenantRegistry } from '../consent/tenant-registry';
import { findSlots, tryResolveZone } from '../scheduling';
import type { AttendeeInput, BusyItem, MailboxSettingsInput } from '../scheduling/types';
import type { InterviewRecord, InterviewStore } from '../store/types';
import { parseOrThrow } from '../validation';
import { type BookingLock, bookingLockKeys, createInProcessBookingLock } from './booking-lock';
import { createOrganizerCheck, createOrganizerVerdictCache, type OrganizerVerdictCache } from './organizer-check';
import type { CalendarProvider, CallContext, DirectoryUser, MailboxSettingsResult, ScheduleResult } from './provider';

/** A booking's outcome. `replayed`: the Idempotency-Key was seen before; nothing new was created. */
export interface BookingResult {
  interview: Interview;
  replayed: boolean;
  /** Panel members whose calendars could not be checked at booking time (never assumed free). */
  warnings: AttendeeResult[];
}

export interface CalendarService {
  /**
   * Free slots for a panel (DESIGN.md `POST /api/availability`): getSchedule and mailboxSettings
   * read in one `$batch` (one Graph round trip), then the pure engine.
   * @throws ConveneError invalid_request | tenant_not_consented | unauthenticated (user left the tenant) | forbidden | unprocessable | graph_unavailable
   */
  findAvailability(auth: AuthContext, input: AvailabilityRequestInput | unknown, requestId: string): Promise<AvailabilityResponse>;
  /**
   * Books an interview in the caller's own calendar (the caller is the organizer), after
   * re-checking the panel's free/busy. The same `idempotencyKey` never creates a second event.
   * @throws ConveneError slot_taken (409) | idempotency_key_reused (409) | invalid_request | tenant_not_consented | graph_unavailable
   */
  bookInterview(
    auth: AuthContext,
    input: CreateInterviewRequestInput | unknown,
    idempotencyKey: string | undefined,
    channel: Channel,
    requestId: string,
  ): Promise<BookingResult>;
  /**
   * The caller's interviews overlapping `[from, to)`, after checking the caller is still in the
   * tenant (a positive verdict of the last 60 s, else one `GET /users/{oid}`: see `organizer-check.ts`).
   * @throws ConveneError invalid_request | tenant_not_consented | unauthenticated (user left the tenant) | graph_unavailable
   */
  listInterviews(auth: AuthContext, query: unknown, requestId: string): Promise<Interview[]>;
  /**
   * One of the caller's interviews (same check as {@link listInterviews}).
   * @throws ConveneError not_found when it is not the caller's | tenant_not_consented | unauthenticated | graph_unavailable
   */
  getInterview(auth: AuthContext, id: string, requestId: string): Promise<Interview>;
  /**
   * Cancels through Graph (attendees are notified). Asks Graph whether the caller is still in the
   * tenant first, every time (a write never rides on a cached verdict): a user who left cannot
   * cancel; the daily user-archive job archives their interviews.
   * @throws ConveneError not_found | conflict | tenant_not_consented | unauthenticated | graph_unavailable
   */
  cancelInterview(auth: AuthContext, id: string, input: unknown, requestId: string): Promise<Interview>;
  /**
   * Up to 20 people of the caller's tenant for pickers. Without a fresh verdict on the caller, the
   * caller's lookup and the search go in one `$batch` (one round trip).
   * @throws ConveneError invalid_request | tenant_not_consented | unauthenticated | graph_unavailable | graph_error
   */
  searchPeople(auth: AuthContext, query: unknown, requestId: string): Promise<Person[]>;
}

export interface CalendarServiceDeps {
  provider: CalendarProvider;
  tenants: TenantRegistry;
  interviews: InterviewStore;
  /** Epoch ms. */
  now: () => number;
  newId?: () => string;
  /**
   * Serializes bookings that share a panel member or the organizer. Default: in-process (one
   * server); N instances on one PostgreSQL need `createPostgresBookingLock`.
   */
  bookingLock?: BookingLock;
  /**
   * Positive verdicts "this organizer is still in the tenant" (default: 60 s, at most 10 000, in
   * memory, on `now`). See `organizer-check.ts`.
   */
  organizerVerdicts?: OrganizerVerdictCache;
}

const BLOCKING = new Set(['busy', 'oof', 'unknown']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Creates the service. */
export function createCalendarService(deps: CalendarServiceDeps): CalendarService {
  const bookingLock = deps.bookingLock ?? createInProcessBookingLock();
  const newId = deps.newId ?? randomUUID;
  const organizers = createOrganizerCheck({
    provider: deps.provider,
    verdicts: deps.organizerVerdicts ?? createOrganizerVerdictCache({ now: deps.now }),
  });

  async function lock(auth: AuthContext, requestId: string): Promise<CallContext> {
    await deps.tenants.ensureConsented(auth.tid);
    return { tenantId: auth.tid, actorOid: auth.oid, requestId };
  }

  /**
   * The panel's free/busy over `[startMs, endMs)`, the organizer and everyone's mailbox settings,
   * in one `$batch` (one Graph round trip), with the organizer checked first: a user who left the
   * tenant is told so, whatever else failed.
   */
  async function panelInputs(ctx: CallContext, auth: AuthContext, panel: string[], startMs: number, endMs: number) {
    const r = await deps.provider.getScheduleAndMailboxSettings(ctx, auth.oid, panel, startMs, endMs);
    // Records the verdict for the routes that do not batch the lookup (list, get, people).
    const organizer = organizers.judge(ctx, r.organizer);
    if (r.organizerSettings.status !== 'ok') {
      if (r.organizerSettings.status === 'notFound')
        throw new ConveneError('forbidden', 'Your account has no Exchange Online mailbox, so Convene cannot schedule for you.');
      throw mailboxRefused(r.organizerSettings.reason);
    }
    return { organizer, organizerSettings: r.organizerSettings.settings, attendees: r.attendees, schedules: r.schedules };
  }

  function toEngineAttendee(
    email: string,
    schedule: ScheduleResult | undefined,
    settings: MailboxSettingsResult | undefined,
  ): AttendeeInput {
    if (!schedule) return { email, status: 'error', reason: 'Microsoft Graph did not return this calendar.' };
    if (schedule.status !== 'ok')
      return {
        email,
        status: schedule.status,
        reason: schedule.reason,
        ...(settings?.status === 'ok' ? { mailboxSettings: settings.settings } : {}),
      };
    if (!settings) return { email, status: 'error', reason: 'Microsoft Graph did not return the mailbox settings.' };
    if (settings.status !== 'ok') return { email, status: settings.status, reason: settings.reason };
    return { email, status: 'ok', mailboxSettings: settings.settings, busy: schedule.items };
  }

  /**
   * Adds to each readable attendee the starts of the interviews Convene booked with them (from its
   * own store: never calendar data) on the local days the window touches (±14 h covers every zone).
   */
  async function addBookedInterviews(tid: string, attendees: AttendeeInput[], startMs: number, endMs: number): Promise<void> {
    const margin = 14 * 3_600_000;
    const rows = await deps.interviews.listForPanel(
      tid,
      attendees.map((a) => a.email.toLowerCase()),
      new Date(startMs - margin).toISOString(),
      new Date(endMs + margin).toISOString(),
    );
    for (const a of attendees) {
      if (a.status !== 'ok') continue;
      const email = a.email.toLowerCase();
      a.interviewStartsMs = rows.filter((r) => r.panel.includes(email)).map((r) => Date.parse(r.start));
    }
  }

  function toInterview(r: InterviewRecord): Interview {
    return {
      id: r.id,
      status: r.status,
      organizer: { oid: r.organizerOid, email: r.organizerEmail },
      candidate: { name: r.candidateName, email: r.candidateEmail, ...(r.candidateTimeZone ? { timeZone: r.candidateTimeZone } : {}) },
      panel: r.panel,
      subject: r.subject,
      start: r.start,
      end: r.end,
      timeZone: r.timeZone,
      ...(r.graphEventId ? { graphEventId: r.graphEventId } : {}),
      ...(r.iCalUId ? { iCalUId: r.iCalUId } : {}),
      ...(r.joinUrl ? { joinUrl: r.joinUrl } : {}),
      channel: r.channel,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }

  async function ownInterview(auth: AuthContext, id: string): Promise<InterviewRecord> {
    if (!UUID.test(id)) throw new ConveneError('not_found', 'No such interview.');
    const r = await deps.interviews.get(auth.tid, id.toLowerCase());
    if (!r || r.organizerOid !== auth.oid) throw new ConveneError('not_found', 'No such interview.');
    return r;
  }

  async function createInGraph(
    ctx: CallContext,
    auth: AuthContext,
    record: InterviewRecord,
    teamsMeeting: boolean,
  ): Promise<InterviewRecord> {
    const created = await deps.provider.createEvent(ctx, auth.oid, {
      subject: record.subject,
      bodyHtml: inviteBody(record),
      startMs: Date.parse(record.start),
      endMs: Date.parse(record.end),
      timeZone: record.timeZone,
      attendees: [...record.panel.map((email) => ({ email })), { email: record.candidateEmail, name: record.candidateName }],
      teamsMeeting,
      transactionId: record.transactionId,
    });
    return deps.interviews.markScheduled(auth.tid, record.id, {
      graphEventId: created.id,
      iCalUId: created.iCalUId,
      joinUrl: created.joinUrl ?? null,
    });
  }

  /**
   * Finishes a booking left `pending` (its create failed, or reached Graph and the answer was
   * lost): first looks for the invite stamped with its transactionId, and creates it (with the
   * same transactionId) only when there is none. Either way exactly one invite.
   */
  async function finishPending(ctx: CallContext, auth: AuthContext, record: InterviewRecord, teamsMeeting: boolean) {
    const existing = await deps.provider.findEventByTransactionId(ctx, auth.oid, record.transactionId);
    if (!existing) return createInGraph(ctx, auth, record, teamsMeeting);
    return deps.interviews.markScheduled(auth.tid, record.id, {
      graphEventId: existing.id,
      iCalUId: existing.iCalUId,
      joinUrl: existing.joinUrl ?? null,
    });
  }

  return {
    async findAvailability(auth, input, requestId) {
      const request = parseOrThrow(AvailabilityRequest, input);
      const ctx = await lock(auth, requestId);
      const panel = dedupe(request.panel);
      const startMs = Date.parse(request.window.start);
      const endMs = Date.parse(request.window.end);
      // One Graph round trip: getSchedule and the mailboxSettings reads in one $batch.
      const settings = await panelInputs(ctx, auth, panel, startMs, endMs);
      const schedules = settings.schedules;
      const attendees = panel.map((email, i) => toEngineAttendee(email, schedules[i], settings.attendees[i]));
      if (request.maxInterviewsPerDay !== undefined) await addBookedInterviews(auth.tid, attendees, startMs, endMs);
      const result = findSlots({
        organizer: { email: settings.organizer.mail, mailboxSettings: settings.organizerSettings },
        attendees,
        windowStartMs: startMs,
        windowEndMs: endMs,
        durationMinutes: request.durationMinutes,
        stepMinutes: request.stepMinutes,
        bufferMinutes: request.bufferMinutes,
        maxSlots: request.maxSlots,
        tentativeBlocks: request.tentativeBlocks,
        ...(request.candidate ? { candidate: request.candidate } : {}),
        ...(request.maxInterviewsPerDay !== undefined ? { maxInterviewsPerDay: request.maxInterviewsPerDay } : {}),
        nowMs: deps.now(),
      });
      return result;
    },

    async bookInterview(auth, input, idempotencyKey, channel, requestId) {
      const key = parseOrThrow(IdempotencyKey, idempotencyKey, 'Idempotency-Key');
      const request = parseOrThrow(CreateInterviewRequest, input);
      const ctx = await lock(auth, requestId);
      const requestHash = hashRequest(request);

      // A finished booking replays at once; a pending one is finished under the booking lock below,
      // so a double submit cannot send two creates at the same time.
      const existing = await deps.interviews.findByIdempotencyKey(auth.tid, auth.oid, key);
      if (existing && existing.status !== 'pending') return replay(existing);

      const panel = dedupe(request.panel);
      const startMs = Date.parse(request.start);
      const endMs = Date.parse(request.end);
      if (startMs < deps.now())
        throw new ConveneError('invalid_request', 'The interview would start in the past.', {
          details: [{ path: 'start', message: 'must be in the future' }],
        });

      // Keyed by each panel member and the organizer (by oid and by sign-in name, which is usually
      // the address other bookings put on their panels), not the whole tenant: bookings that share
      // nobody run in parallel, bookings that share anyone run one after the other.
      const lockKeys = bookingLockKeys(auth.tid, [...panel, auth.oid, auth.username]);
      return bookingLock.runExclusive(lockKeys, async () => {
        // A concurrent request with the same key may have finished while we waited.
        const raced = await deps.interviews.findByIdempotencyKey(auth.tid, auth.oid, key);
        if (raced) return replay(raced);

        const bufferMs = request.bufferMinutes * 60_000;
        // The panel's mailbox settings come in the same round trip: a mailbox the access policy
        // blocks shows there even if getSchedule answered for it.
        const who = await panelInputs(ctx, auth, panel, startMs - bufferMs, endMs + bufferMs);
        const schedules = who.schedules;
        const warnings: AttendeeResult[] = [];
        const taken: string[] = [];
        panel.forEach((email, i) => {
          const s = schedules[i];
          if (!s) {
            warnings.push({ email, status: 'error', reason: 'Microsoft Graph did not return this calendar.' });
            return;
          }
          if (s.status !== 'ok') {
            warnings.push({ email, status: s.status, reason: s.reason });
            return;
          }
          const settings = who.attendees[i];
          if (settings && settings.status !== 'ok') warnings.push({ email, status: settings.status, reason: settings.reason });
          if (
            s.items.some(
              (item) => blocks(item, request.tentativeBlocks) && item.startMs < endMs + bufferMs && item.endMs > startMs - bufferMs,
            )
          )
            taken.push(email);
        });
        if (taken.length > 0)
          throw new ConveneError(
            'slot_taken',
            `The panel is no longer free at that time (${taken.join(', ')} now busy). Refresh the slots and pick another.`,
          );

        const zone = organizerZone(who.organizerSettings);
        const id = newId();
        const { created, interview } = await deps.interviews.create({
          id,
          tid: auth.tid,
          organizerOid: auth.oid,
          organizerEmail: who.organizer.mail,
          candidateName: request.candidate.name,
          candidateEmail: request.candidate.email,
          candidateTimeZone: request.candidate.timeZone ?? null,
          panel,
          subject: request.subject ?? `Interview: ${request.candidate.name}`,
          start: new Date(startMs).toISOString(),
          end: new Date(endMs).toISOString(),
          timeZone: zone,
          status: 'pending',
          channel,
          // Graph transactionId: stable per interview, so a retried POST cannot create a second event.
          transactionId: id,
          idempotencyKey: key,
          requestHash,
        });
        if (!created) return replay(interview);
        const scheduled = await createInGraph(ctx, auth, interview, request.teamsMeeting);
        return { interview: toInterview(scheduled), replayed: false, warnings };
      });

      async function replay(found: InterviewRecord): Promise<BookingResult> {
        // A replay reads (or finishes) the caller's booking: only for a user still in the tenant
        // (free right after panelInputs, which just recorded a verdict).
        await organizers.ensurePresent(ctx);
        if (found.requestHash !== requestHash)
          throw new ConveneError('idempotency_key_reused', 'This Idempotency-Key was already used for a different interview request.');
        // A booking whose Graph call failed after the row was written: find the invite the first
        // attempt may have made, else create it with the same transactionId.
        if (found.status === 'pending') {
          const done = await finishPending(ctx, auth, found, request.teamsMeeting);
          return { interview: toInterview(done), replayed: true, warnings: [] };
        }
        return { interview: toInterview(found), replayed: true, warnings: [] };
      }
    },

    async listInterviews(auth, query, requestId) {
      const q = parseOrThrow(ListInterviewsQuery, query);
      await organizers.ensurePresent(await lock(auth, requestId));
      const rows = await deps.interviews.listForOrganizer(auth.tid, auth.oid, q.from && iso(q.from), q.to && iso(q.to));
      return rows.map(toInterview);
    },

    async getInterview(auth, id, requestId) {
      await organizers.ensurePresent(await lock(auth, requestId));
      return toInterview(await ownInterview(auth, id));
    },

    async cancelInterview(auth, id, input, requestId) {
      const body = parseOrThrow(CancelInterviewRequest, input ?? {});
      const ctx = await lock(auth, requestId);
      // Always asked (no cached verdict): a cancel on a departed user's mailbox would find the
      // event gone (404, read as "already cancelled") while the attendees' copies stay.
      await organizers.ensurePresent(ctx, { fresh: true });
      const record = await ownInterview(auth, id);
      if (record.status === 'cancelled') return toInterview(record);
      if (record.status !== 'scheduled' || !record.graphEventId)
        throw new ConveneError('conflict', `An interview that is ${record.status} cannot be cancelled.`);
      await deps.provider.cancelEvent(ctx, auth.oid, record.graphEventId, body.comment);
      return toInterview(await deps.interviews.setStatus(auth.tid, record.id, 'cancelled'));
    },

    async searchPeople(auth, query, requestId) {
      const q = parseOrThrow(PeopleQuery, query);
      const ctx = await lock(auth, requestId);
      let users: DirectoryUser[];
      if (organizers.isFresh(ctx)) users = await deps.provider.searchUsers(ctx, q.q, 20);
      else {
        const r = await deps.provider.getOrganizerAndSearchUsers(ctx, auth.oid, q.q, 20);
        organizers.judge(ctx, r.organizer);
        users = r.users;
      }
      return users.map((u) => ({ email: u.mail, displayName: u.displayName }));
    },
  };
}

function blocks(item: BusyItem, tentativeBlocks: boolean): boolean {
  return BLOCKING.has(item.status) || (tentativeBlocks && item.status === 'tentative');
}

/**
 * The organizer's zone recorded with the interview (display only: Graph gets UTC): the mailbox
 * zone, else the working-hours zone (which may be a custom zone, labelled `UTC±hh:mm`).
 */
function organizerZone(settings: MailboxSettingsInput): string {
  const mailbox = tryResolveZone(settings.timeZone);
  if (mailbox.ok) return mailbox.zone.name;
  const working = tryResolveZone(settings.workingHours?.timeZone);
  if (working.ok) return working.zone.name;
  throw new ConveneError('unprocessable', `Your mailbox time zone cannot be used: ${mailbox.reason}`);
}

function mailboxRefused(reason: string): ConveneError {
  return new ConveneError('forbidden', `Convene cannot act for your mailbox: ${reason}`);
}

function dedupe(emails: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of emails) {
    const k = e.toLowerCase();
    if (!seen.has(k)) {
      seen.add(k);
      out.push(k);
    }
  }
  return out;
}

function iso(s: string): string {
  return new Date(Date.parse(s)).toISOString();
}

/** SHA-256 of the parsed request with instants and emails normalized, to detect a reused Idempotency-Key. */
function hashRequest(r: CreateInterviewRequest): string {
  const canonical = {
    ...r,
    candidate: { ...r.candidate, email: r.candidate.email.toLowerCase() },
    panel: dedupe(r.panel),
    start: iso(r.start),
    end: iso(r.end),
  };
  return createHash('sha256').update(canonicalJson(canonical)).digest('hex');
}

/** JSON with object keys sorted at every depth (JSON.stringify's key list would drop nested keys). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function inviteBody(r: InterviewRecord): string {
  return `<p>Interview with ${escapeHtml(r.candidateName)}.</p><p>Scheduled with Convene.</p>`;
}
