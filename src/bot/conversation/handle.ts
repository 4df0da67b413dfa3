/**
 * The conversation: `handle(incoming, deps) -> Outcome`. No Bot Framework types and no state of
 * its own between turns: a request's parts travel in the cards (form inputs), and what a
 * proposals card may book is remembered in the card store, bound to the tenant and user it was
 * sent to. Every calendar operation goes through {@link SchedulingPort}, i.e. the Calendar
 * Service with the verified user (dual lock, audit, idempotency unchanged).
 */
import { DateTime } from 'luxon';
import type { AvailabilityResponse, Person } from '../../shared/api';
import { Email, isIanaZone, MAX_DURATION_MINUTES } from '../../shared/api';
import { isConveneError } from '../../shared/errors';
import {
  bookedCard,
  type FormDraft,
  formCard,
  helpCard,
  interviewsCard,
  noticeCard,
  PEOPLE_DATASET,
  proposalsCard,
  type ShownSlot,
  VERBS,
} from './cards';
import { resolveWindow, widestWindow } from './dates';
import { type DateSpec, MAX_MESSAGE_CHARS, type ParsedRequest, parseCommand } from './parser';
import type { AdaptiveCard, ConversationDeps, Incoming, Outcome, ProposalRequest, Reply } from './types';

/** Most slots a proposals card shows. */
export const MAX_PROPOSALS = 8;
/** How long a card's buttons stay usable, ms (a day). */
export const CARD_TTL_MS = 24 * 3600_000;

const say = (text: string): Reply => ({ type: 'text', text });
const show = (card: AdaptiveCard): Reply => ({ type: 'card', card });

/**
 * Answers one turn.
 * @throws whatever the ports throw that is not a ConveneError (a bug: the adapter logs it and
 *   answers with a generic apology)
 */
export async function handle(incoming: Incoming, deps: ConversationDeps): Promise<Outcome> {
  try {
    switch (incoming.kind) {
      case 'message':
        return await onMessage(incoming.text, deps);
      case 'action':
        return await onAction(incoming.verb, incoming.data, deps);
      case 'search':
        return await onSearch(incoming.dataset, incoming.queryText, incoming.top, deps);
    }
  } catch (e) {
    if (!isConveneError(e)) throw e;
    return { replies: [say(explain(e.code, e.message, e.retryAfterMs))] };
  }
}

/** A ConveneError as a coordinator reads it. */
function explain(code: string, message: string, retryAfterMs: number | undefined): string {
  switch (code) {
    case 'graph_unavailable':
      return `Microsoft 365 is busy right now and did not answer in time. Please try again${retryAfterMs ? ` in about ${Math.ceil(retryAfterMs / 1000)} seconds` : ' shortly'}.`;
    case 'tenant_not_consented':
      return 'Your organization has not connected Convene yet: an administrator must grant admin consent (Convene admin page) before I can read calendars.';
    case 'unauthenticated':
      return `I could not confirm who you are: ${message}`;
    case 'not_found':
      return 'I found no such interview among the ones you organize.';
    default:
      return message;
  }
}

async function onMessage(text: string, deps: ConversationDeps): Promise<Outcome> {
  if (text.length > MAX_MESSAGE_CHARS)
    return {
      replies: [
        say(
          `That message is too long for me (${text.length} characters; at most ${MAX_MESSAGE_CHARS}). Say it in a sentence or two, or type "schedule" for a form.`,
        ),
      ],
    };
  const command = parseCommand(text);
  switch (command.kind) {
    case 'help':
      return { replies: [show(helpCard())] };
    case 'unknown':
      return { replies: [show(helpCard('I did not understand that, but here is what I can do.'))] };
    case 'list': {
      const list = await deps.service.listInterviews({ from: new Date(deps.now()).toISOString() });
      return { replies: [show(interviewsCard(list))] };
    }
    case 'cancel':
      if (!command.id) return { replies: [say('Which interview? Type "cancel <id>" with an id from "my interviews".')] };
      return { replies: [say(cancelledText(await deps.service.cancelInterview(command.id)))] };
    case 'schedule': {
      const result = await schedule(command.request, deps);
      return { replies: [result.reply] };
    }
  }
}

function cancelledText(i: { subject: string; start: string; timeZone: string }): string {
  return `Cancelled "${i.subject}" (${DateTime.fromISO(i.start, { zone: i.timeZone }).toFormat('ccc d LLL, HH:mm')} ${i.timeZone}). The attendees are notified by Outlook.`;
}

/** A request: resolve names, then either a form (something missing) or the proposals. */
async function schedule(req: ParsedRequest, deps: ConversationDeps): Promise<{ reply: Reply }> {
  const resolved: Person[] = [];
  const ambiguous: FormDraft['ambiguous'] = [];
  const unknown: string[] = [];
  for (const ref of req.panel) {
    if ('email' in ref) {
      resolved.push({ email: ref.email, displayName: ref.email });
      continue;
    }
    const found = await slow(deps.service.searchPeople(ref.name), deps);
    const exact = found.filter((p) => p.displayName.toLowerCase() === ref.name.toLowerCase());
    const pick = exact.length === 1 ? exact : found.length === 1 ? found : [];
    if (pick[0]) resolved.push(pick[0]);
    else if (found.length === 0) unknown.push(ref.name);
    else ambiguous.push({ name: ref.name, options: found.slice(0, 10) });
  }

  const notes: string[] = [];
  if (unknown.length)
    notes.push(`I found nobody called ${unknown.map((n) => `"${n}"`).join(', ')} in your organization. Pick the panel below.`);
  if (ambiguous.length) notes.push(`Several people match ${ambiguous.map((a) => `"${a.name}"`).join(', ')}: which one?`);
  const missing = [
    !req.candidateName && 'the candidate’s name',
    !req.candidateEmail && 'the candidate’s email',
    req.panel.length === 0 && 'the panel',
    req.durationMinutes === undefined && 'the duration',
  ].filter(Boolean);
  if (missing.length) notes.push(`Please add ${missing.join(', ')}.`);
  if (req.durationMinutes !== undefined && (req.durationMinutes < 5 || req.durationMinutes > MAX_DURATION_MINUTES)) {
    notes.push('An interview lasts between 5 minutes and 8 hours.');
  }

  if (notes.length > 0 || !req.candidateName || !req.candidateEmail || req.durationMinutes === undefined) {
    const cardId = await newFormCard(deps);
    const draft: FormDraft = {
      ...(req.candidateName ? { candidateName: req.candidateName } : {}),
      ...(req.candidateEmail ? { candidateEmail: req.candidateEmail } : {}),
      ...(req.candidateTimeZone ? { candidateTimeZone: req.candidateTimeZone } : {}),
      ...(req.durationMinutes !== undefined ? { durationMinutes: req.durationMinutes } : {}),
      panel: resolved,
      ambiguous,
      ...(req.date.kind === 'dates' ? dateDraft(req.date, deps.now()) : {}),
    };
    return { reply: show(formCard(cardId, draft, notes)) };
  }

  const request: ProposalRequest = {
    candidate: {
      name: req.candidateName,
      email: req.candidateEmail,
      ...(req.candidateTimeZone ? { timeZone: req.candidateTimeZone } : {}),
    },
    panel: resolved.map((p) => p.email),
    durationMinutes: req.durationMinutes,
  };
  const names = Object.fromEntries(resolved.filter((p) => p.displayName !== p.email).map((p) => [p.email, p.displayName]));
  return { reply: await propose(request, req.date, names, deps) };
}

function dateDraft(spec: Extract<DateSpec, { kind: 'dates' }>, nowMs: number): { from?: string; to?: string } {
  const year = new Date(nowMs).getUTCFullYear();
  const iso = (d: { year?: number; month: number; day: number }) =>
    `${d.year ?? year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
  return { from: iso(spec.from), ...(spec.to ? { to: iso(spec.to) } : {}) };
}

/** Searches the panel's free times and answers with a proposals card (or why there is none). */
async function propose(request: ProposalRequest, spec: DateSpec, names: Record<string, string>, deps: ConversationDeps): Promise<Reply> {
  const nowMs = deps.now();
  const wide = widestWindow(spec, nowMs);
  if (wide.endMs <= nowMs) return say(pastText());
  const response: AvailabilityResponse = await slow(
    deps.service.findAvailability({
      panel: request.panel,
      durationMinutes: request.durationMinutes,
      window: { start: new Date(Math.max(wide.startMs, nowMs)).toISOString(), end: new Date(wide.endMs).toISOString() },
      stepMinutes: 30,
      maxSlots: 2000,
      ...(request.candidate.timeZone ? { candidate: { timeZone: request.candidate.timeZone } } : {}),
    }),
    deps,
  );
  const zone = response.organizer.timeZone;
  // The search covered the window in every zone; keep what the words mean in the coordinator's.
  const exact = resolveWindow(spec, nowMs, isIanaZone(zone) ? zone : 'UTC');
  if (exact.endMs <= nowMs) return say(pastText());
  const inside = response.slots.filter((s) => Date.parse(s.start) >= Math.max(exact.startMs, nowMs) && Date.parse(s.end) <= exact.endMs);

  const cardId = deps.newId();
  await deps.cards.create({ id: cardId, tid: deps.user.tid, userOid: deps.user.oid, kind: 'proposals', request, createdAtMs: nowMs });
  return show(
    proposalsCard({
      cardId,
      request,
      zone,
      organizerEmail: response.organizer.email,
      slots: spread(inside, zone, MAX_PROPOSALS),
      attendees: response.attendees,
      names,
      // The wide search found nothing, so its reason holds for the coordinator's window too.
      ...(response.slots.length === 0 && response.noSlotsReason ? { noSlotsReason: response.noSlotsReason.message } : {}),
    }),
  );
}

/** Records a new form card bound to the coordinator (tid + oid); returns its id. */
async function newFormCard(deps: ConversationDeps): Promise<string> {
  const cardId = deps.newId();
  await deps.cards.create({ id: cardId, tid: deps.user.tid, userOid: deps.user.oid, kind: 'form', request: null, createdAtMs: deps.now() });
  return cardId;
}

function pastText(): string {
  return 'That date is in the past. Pick a day from today on, e.g. "tomorrow" or "next week".';
}

/** Up to `max` slots spread over the days (at least two hours apart within a day), in start order. */
export function spread(slots: ShownSlot[], zone: string, max: number): ShownSlot[] {
  const byDay = new Map<string, ShownSlot[]>();
  for (const s of slots) {
    const day = DateTime.fromISO(s.start, { zone }).toISODate() ?? s.start.slice(0, 10);
    const list = byDay.get(day) ?? [];
    const last = list[list.length - 1];
    if (!last || Date.parse(s.start) - Date.parse(last.start) >= 2 * 3600_000) list.push(s);
    byDay.set(day, list);
  }
  const days = [...byDay.values()];
  const picked: ShownSlot[] = [];
  for (let round = 0; picked.length < max && days.some((d) => d.length > round); round++)
    for (const d of days) {
      const s = d[round];
      if (s && picked.length < max) picked.push(s);
    }
  return picked.sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}

/** Runs a slow call; when it takes longer than the threshold, tells the user first. */
async function slow<T>(p: Promise<T>, deps: ConversationDeps): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), deps.stillWorkingAfterMs ?? 2000);
  });
  const first = await Promise.race([
    p.then(
      () => 'done' as const,
      () => 'done' as const,
    ),
    late,
  ]);
  clearTimeout(timer);
  if (first === 'late')
    await deps.progress(say('Still working on it: Microsoft 365 is asking me to slow down. I will post the answer here.'));
  return p;
}

async function onAction(verb: string, data: Record<string, unknown>, deps: ConversationDeps): Promise<Outcome> {
  switch (verb) {
    case VERBS.search:
      return onFormSubmit(data, deps);
    case VERBS.book:
      return onBook(data, deps);
    case VERBS.cancel: {
      const id = typeof data.id === 'string' ? data.id : '';
      const cancelled = await deps.service.cancelInterview(id);
      return { replies: [], update: noticeCard('Interview cancelled', cancelledText(cancelled)) };
    }
    default:
      return { replies: [show(helpCard('That button is not one of mine any more.'))] };
  }
}

/** Checks that a card exists, was sent to this user in this tenant, and is recent. */
async function ownCard(data: Record<string, unknown>, deps: ConversationDeps) {
  const id = typeof data.cardId === 'string' ? data.cardId : '';
  const card = id ? await deps.cards.get(deps.user.tid, id) : null;
  if (!card || card.tid !== deps.user.tid || card.userOid !== deps.user.oid)
    return {
      refused: {
        replies: [say('That card was sent to someone else, so I will not act on it. Ask me yourself: type "schedule".')],
      } as Outcome,
    };
  return { card };
}

function expired(): Outcome {
  return {
    replies: [say('Those times are out of date. Ask again for a fresh search, e.g. "schedule … next week".')],
    update: noticeCard('Expired', 'These proposals are out of date. Ask me again for fresh times.'),
  };
}

async function onFormSubmit(data: Record<string, unknown>, deps: ConversationDeps): Promise<Outcome> {
  if (data.form === true) {
    const cardId = await newFormCard(deps);
    return { replies: [show(formCard(cardId, { panel: [], ambiguous: [] }, []))] };
  }
  const own = await ownCard(data, deps);
  if (own.refused) return own.refused;
  if (deps.now() - own.card.createdAtMs > CARD_TTL_MS) return expired();

  const str = (k: string) =>
    typeof data[k] === 'string' ? (data[k] as string).trim() : typeof data[k] === 'number' ? String(data[k]) : '';
  const list = (k: string) =>
    str(k)
      .split(/[,;\s]+/)
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
  const picked = Object.keys(data)
    .filter((k) => /^who\d+$/.test(k))
    .flatMap(list);
  const emails = [...new Set([...list('panel'), ...picked, ...list('panelEmails')])];
  const bad = emails.filter((e) => !Email.safeParse(e).success);
  const duration = Number(str('durationMinutes'));
  const zone = str('candidateTimeZone');
  const from = parseIsoDate(str('from'));
  const to = parseIsoDate(str('to'));
  const req: ParsedRequest = {
    ...(str('candidateName') ? { candidateName: str('candidateName').slice(0, 200) } : {}),
    ...(Email.safeParse(str('candidateEmail').toLowerCase()).success ? { candidateEmail: str('candidateEmail').toLowerCase() } : {}),
    ...(zone && isIanaZone(zone) ? { candidateTimeZone: zone } : {}),
    ...(Number.isInteger(duration) ? { durationMinutes: duration } : {}),
    panel: emails.filter((e) => !bad.includes(e)).map((email) => ({ email })),
    date: from ? { kind: 'dates', from, ...(to ? { to } : {}) } : { kind: 'default' },
  };
  if (bad.length || (zone && !req.candidateTimeZone)) {
    const cardId = await newFormCard(deps);
    const notes = [
      ...(bad.length ? [`Not email addresses: ${bad.join(', ')}.`] : []),
      ...(zone && !req.candidateTimeZone ? [`"${zone}" is not an IANA time zone (e.g. Asia/Tokyo).`] : []),
    ];
    return {
      replies: [],
      update: formCard(
        cardId,
        {
          ...draftOf(req),
          panel: req.panel.map((p) => ({ email: (p as { email: string }).email, displayName: (p as { email: string }).email })),
          ambiguous: [],
        },
        notes,
      ),
    };
  }
  const result = await schedule(req, deps);
  return result.reply.type === 'card' ? { replies: [], update: result.reply.card } : { replies: [result.reply] };
}

function draftOf(req: ParsedRequest): Omit<FormDraft, 'panel' | 'ambiguous'> {
  return {
    ...(req.candidateName ? { candidateName: req.candidateName } : {}),
    ...(req.candidateEmail ? { candidateEmail: req.candidateEmail } : {}),
    ...(req.durationMinutes !== undefined ? { durationMinutes: req.durationMinutes } : {}),
  };
}

function parseIsoDate(s: string): { year: number; month: number; day: number } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : undefined;
}

async function onBook(data: Record<string, unknown>, deps: ConversationDeps): Promise<Outcome> {
  const own = await ownCard(data, deps);
  if (own.refused) return own.refused;
  const { card } = own;
  const request = card.request;
  if (card.kind !== 'proposals' || !request) return { replies: [say('That card cannot book anything.')] };
  const start = typeof data.start === 'string' ? Date.parse(data.start) : NaN;
  const end = typeof data.end === 'string' ? Date.parse(data.end) : NaN;
  if (!Number.isFinite(start) || end - start !== request.durationMinutes * 60_000)
    return { replies: [say('That slot does not belong to this card.')] };

  const nowMs = deps.now();
  if (!card.chosenStart && (nowMs - card.createdAtMs > CARD_TTL_MS || start < nowMs)) return expired();

  // One slot per card: a second click (same slot or another) replays the first booking.
  const chosen = await deps.cards.choose(card.tid, card.id, new Date(start).toISOString());
  const chosenMs = Date.parse(chosen);
  try {
    const booking = await slow(
      deps.service.bookInterview(
        {
          candidate: request.candidate,
          panel: request.panel,
          start: new Date(chosenMs).toISOString(),
          end: new Date(chosenMs + request.durationMinutes * 60_000).toISOString(),
          teamsMeeting: true,
        },
        `bot-card:${card.id}`,
      ),
      deps,
    );
    if (!card.interviewId) await deps.cards.setInterview(card.tid, card.id, booking.interview.id);
    return { replies: [], update: bookedCard(booking.interview, booking.warnings, booking.replayed) };
  } catch (e) {
    if (!isConveneError(e, 'slot_taken')) throw e;
    const fresh = await propose(request, { kind: 'default' }, {}, deps);
    const taken = say('Someone took that time a moment ago, so nothing was booked. Here are fresh times.');
    return fresh.type === 'card' ? { replies: [taken], update: fresh.card } : { replies: [taken, fresh] };
  }
}

async function onSearch(dataset: string, queryText: string, top: number, deps: ConversationDeps): Promise<Outcome> {
  if (dataset !== PEOPLE_DATASET || queryText.trim().length === 0) return { replies: [], searchResults: [] };
  const people = await deps.service.searchPeople(queryText.trim().slice(0, 100));
  return {
    replies: [],
    searchResults: people.slice(0, Math.max(1, Math.min(top, 20))).map((p) => ({ title: `${p.displayName} (${p.email})`, value: p.email })),
  };
}
