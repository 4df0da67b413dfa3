/**
 * The bot's Adaptive Cards (schema 1.5, validated in tests against Microsoft's schema). Buttons
 * are `Action.Execute` (universal actions: Teams answers with an `adaptiveCard/action` invoke and
 * shows the card the bot returns) with an `Action.Submit` fallback for hosts without universal
 * actions (the bot then updates the message with `updateActivity`).
 *
 * @see https://learn.microsoft.com/adaptive-cards/authoring-cards/universal-action-model
 * @see https://adaptivecards.io/explorer/
 */
import { type AttendeeResult, type Interview, MAX_DURATION_MINUTES, type Person } from '../../shared/api';
import { safeJoinUrl } from '../../shared/join-url';
import { formatLocalTime, formatSlot } from './dates';
import type { AdaptiveCard, CardElement, ProposalRequest } from './types';

/** The `verb`s the bot's buttons send. */
export const VERBS = { search: 'convene.search', book: 'convene.book', cancel: 'convene.cancel' } as const;

/**
 * Dataset name of the people typeahead (`Data.Query`, answered through the `application/search`
 * invoke). `Data.Query` is Adaptive Cards 1.6 in Microsoft's schema, so the 1.5 cards here use
 * static choices plus a free-text field; a 1.6 card can name this dataset.
 */
export const PEOPLE_DATASET = 'convene.people';

const SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';

function card(body: CardElement[], actions?: CardElement[]): AdaptiveCard {
  return { type: 'AdaptiveCard', $schema: SCHEMA, version: '1.5', body, ...(actions?.length ? { actions } : {}) };
}

const text = (t: string, extra: Record<string, unknown> = {}): CardElement => ({ type: 'TextBlock', text: t, wrap: true, ...extra });
const heading = (t: string): CardElement => text(t, { size: 'Medium', weight: 'Bolder', style: 'heading' });

/**
 * A button: `Action.Execute` with `verb`, falling back to `Action.Submit` whose data carries the
 * verb as `convene` (Submit has no verb of its own).
 */
export function button(title: string, verb: string, data: Record<string, unknown>, style?: 'positive' | 'destructive'): CardElement {
  return {
    type: 'Action.Execute',
    title,
    verb,
    data,
    ...(style ? { style } : {}),
    fallback: { type: 'Action.Submit', title, data: { ...data, convene: verb }, ...(style ? { style } : {}) },
  };
}

/** The help card: what to type. */
export function helpCard(intro?: string): AdaptiveCard {
  return card(
    [
      heading('Convene schedules interviews'),
      ...(intro ? [text(intro)] : []),
      text('Tell me who and when, for example:'),
      text('**schedule a 45 minute interview for Jane Doe jane@example.com with Bob and Carol next week**', { fontType: 'Monospace' }),
      {
        type: 'FactSet',
        facts: [
          { title: 'schedule …', value: 'find times when the whole panel is free, then book one' },
          { title: 'my interviews', value: 'the interviews you organize' },
          { title: 'cancel <id>', value: 'cancel one of them (attendees are told)' },
          { title: 'help', value: 'this card' },
        ],
      },
      text('Durations in minutes or hours; dates as tomorrow, next week, a weekday, or a date such as Dec 3.', { isSubtle: true }),
    ],
    [button('Start with a form', VERBS.search, { form: true })],
  );
}

/** What the form starts with. */
export interface FormDraft {
  candidateName?: string;
  candidateEmail?: string;
  candidateTimeZone?: string;
  durationMinutes?: number;
  /** Panel members already resolved. */
  panel: Person[];
  /** Names with several matches: pick one each. */
  ambiguous: Array<{ name: string; options: Person[] }>;
  /** `yyyy-MM-dd` in the coordinator's zone, or absent. */
  from?: string;
  to?: string;
}

/**
 * The form for a request with missing or ambiguous parts: candidate, panel (the people already
 * found as a multi-select, more as addresses), one "which one?" choice per ambiguous name,
 * duration, dates.
 */
export function formCard(cardId: string, draft: FormDraft, notes: string[]): AdaptiveCard {
  const panelChoices = draft.panel.map((p) => ({ title: `${p.displayName} (${p.email})`, value: p.email }));
  return card(
    [
      heading('Schedule an interview'),
      ...notes.map((n) => text(n, { color: 'Attention' })),
      {
        type: 'Input.Text',
        id: 'candidateName',
        label: 'Candidate name',
        isRequired: true,
        errorMessage: 'The candidate needs a name',
        maxLength: 200,
        value: draft.candidateName ?? '',
      },
      {
        type: 'Input.Text',
        id: 'candidateEmail',
        label: 'Candidate email',
        style: 'Email',
        isRequired: true,
        errorMessage: 'The candidate needs an email address',
        maxLength: 254,
        value: draft.candidateEmail ?? '',
      },
      {
        type: 'Input.Text',
        id: 'candidateTimeZone',
        label: 'Candidate time zone (IANA, optional)',
        placeholder: 'e.g. Asia/Tokyo',
        maxLength: 64,
        value: draft.candidateTimeZone ?? '',
      },
      {
        type: 'Input.ChoiceSet',
        id: 'panel',
        label: 'Panel',
        isMultiSelect: true,
        style: 'expanded',
        choices: panelChoices,
        value: draft.panel.map((p) => p.email).join(','),
      },
      ...draft.ambiguous.map((a, i): CardElement => ({
        type: 'Input.ChoiceSet',
        id: `who${i}`,
        label: `Which ${a.name}?`,
        style: 'expanded',
        isRequired: true,
        errorMessage: `Pick one ${a.name}`,
        choices: a.options.map((p) => ({ title: `${p.displayName} (${p.email})`, value: p.email })),
      })),
      {
        type: 'Input.Text',
        id: 'panelEmails',
        label: 'More panel members (emails, comma-separated)',
        maxLength: 2000,
      },
      {
        type: 'Input.Number',
        id: 'durationMinutes',
        label: 'Duration (minutes)',
        min: 5,
        max: MAX_DURATION_MINUTES,
        isRequired: true,
        errorMessage: `Between 5 and ${MAX_DURATION_MINUTES} minutes`,
        value: draft.durationMinutes ?? 60,
      },
      { type: 'Input.Date', id: 'from', label: 'From', ...(draft.from ? { value: draft.from } : {}) },
      { type: 'Input.Date', id: 'to', label: 'To (inclusive)', ...(draft.to ? { value: draft.to } : {}) },
    ],
    [button('Find times', VERBS.search, { cardId }, 'positive')],
  );
}

/** One proposed slot, as shown. */
export interface ShownSlot {
  start: string;
  end: string;
  local: Record<string, string>;
}

/** Everything the proposals card shows. */
export interface ProposalsView {
  cardId: string;
  request: ProposalRequest;
  zone: string;
  organizerEmail: string;
  slots: ShownSlot[];
  attendees: AttendeeResult[];
  names: Record<string, string>;
  /** Why no time works, from the availability API's `noSlotsReason` (free/busy only, never subjects). */
  noSlotsReason?: string;
}

/**
 * Up to 8 slots in the coordinator's zone, each with every panelist's and the candidate's local
 * time, warnings for calendars that could not be read (never counted as free), one button per
 * slot.
 */
export function proposalsCard(v: ProposalsView): AdaptiveCard {
  const unreadable = v.attendees.filter((a) => a.status !== 'ok');
  const who = (email: string) => v.names[email] ?? email;
  const body: CardElement[] = [
    heading(`${v.request.durationMinutes}-minute interview: ${v.request.candidate.name}`),
    text(`Panel: ${v.request.panel.map(who).join(', ')}. Times in your zone (${v.zone}).`, { isSubtle: true }),
    ...unreadable.map((a) =>
      text(`⚠ ${who(a.email)}: calendar ${statusWord(a.status)}, not checked. ${a.reason ?? ''}`.trim(), { color: 'Warning' }),
    ),
  ];
  if (v.slots.length === 0)
    body.push(
      text(
        v.noSlotsReason
          ? `No time works for the whole panel: ${v.noSlotsReason}`
          : 'No time works for the whole panel in that window. Try a longer window or another day.',
      ),
    );
  v.slots.forEach((s, i) => {
    const startMs = Date.parse(s.start);
    const locals = [
      ...v.request.panel
        .filter((e) => s.local[e] && e !== v.organizerEmail)
        .map((e) => `${who(e)} ${formatLocalTime(s.local[e] as string, startMs, v.zone)}`),
      s.local.candidate
        ? `${v.request.candidate.name} (candidate) ${formatLocalTime(s.local.candidate, startMs, v.zone)}`
        : `${v.request.candidate.name} (candidate): time zone not given`,
    ];
    body.push({
      type: 'Container',
      separator: true,
      spacing: 'Medium',
      items: [
        {
          type: 'ColumnSet',
          columns: [
            {
              type: 'Column',
              width: 'stretch',
              items: [
                text(`**${formatSlot(startMs, v.zone)}–${formatSlot(Date.parse(s.end), v.zone).slice(-5)}**`),
                text(locals.join(' · '), { isSubtle: true, size: 'Small', spacing: 'None' }),
              ],
            },
            {
              type: 'Column',
              width: 'auto',
              verticalContentAlignment: 'Center',
              items: [
                { type: 'ActionSet', actions: [button('Book', VERBS.book, { cardId: v.cardId, slot: i, start: s.start, end: s.end })] },
              ],
            },
          ],
        },
      ],
    });
  });
  return card(body);
}

function statusWord(s: AttendeeResult['status']): string {
  switch (s) {
    case 'blocked':
      return 'blocked by the organization’s access policy';
    case 'notFound':
      return 'not found';
    case 'error':
      return 'unreadable';
    case 'ok':
      return 'read';
  }
}

/** The card a proposals card becomes once booked: the time, the panel and the Teams link. */
export function bookedCard(i: Interview, warnings: AttendeeResult[], replayed: boolean): AdaptiveCard {
  const startMs = Date.parse(i.start);
  // Only an https Teams link (or the local simulator's) becomes a button: shared/join-url.ts.
  const joinUrl = safeJoinUrl(i.joinUrl);
  return card(
    [
      heading(`Booked: ${i.subject}`),
      text(`**${formatSlot(startMs, i.timeZone)}–${formatSlot(Date.parse(i.end), i.timeZone).slice(-5)}** (${i.timeZone})`),
      {
        type: 'FactSet',
        facts: [
          { title: 'Candidate', value: `${i.candidate.name} (${i.candidate.email})` },
          { title: 'Panel', value: i.panel.join(', ') },
          { title: 'Organizer', value: `${i.organizer.email} (you)` },
          { title: 'Interview id', value: i.id },
        ],
      },
      ...warnings.map((w) => text(`⚠ ${w.email}: calendar not checked (${w.status}). ${w.reason ?? ''}`.trim(), { color: 'Warning' })),
      ...(replayed ? [text('This interview was already booked from this card; nothing new was sent.', { isSubtle: true })] : []),
    ],
    [
      ...(joinUrl ? [{ type: 'Action.OpenUrl', title: 'Join Teams meeting', url: joinUrl }] : []),
      button('Cancel interview', VERBS.cancel, { id: i.id }, 'destructive'),
    ],
  );
}

/** The coordinator's interviews, each with a cancel button. */
export function interviewsCard(list: Interview[]): AdaptiveCard {
  if (list.length === 0) return card([heading('Your interviews'), text('You have no interviews booked through Convene.')]);
  return card([
    heading('Your interviews'),
    ...list.slice(0, 20).map((i): CardElement => ({
      type: 'Container',
      separator: true,
      items: [
        text(`**${i.subject}** — ${formatSlot(Date.parse(i.start), i.timeZone)} (${i.timeZone}) · ${i.status}`),
        text(`Panel: ${i.panel.join(', ')} · id ${i.id}`, { isSubtle: true, size: 'Small', spacing: 'None' }),
        ...(i.status === 'scheduled'
          ? [{ type: 'ActionSet', actions: [button('Cancel', VERBS.cancel, { id: i.id }, 'destructive')] }]
          : []),
      ],
    })),
  ]);
}

/** A short card replacing one whose action can no longer be used. */
export function noticeCard(title: string, message: string): AdaptiveCard {
  return card([heading(title), text(message)]);
}
