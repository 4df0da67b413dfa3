/**
 * The conversation's contract: what a turn brings in, what the bot answers, and the ports it
 * calls. Plain data, no Bot Framework types: `botbuilder-adapter.ts` maps botbuilder's
 * TurnContext to these, so the bot can move to the Teams SDK or the Agents SDK by replacing
 * that one file.
 */
import type { AvailabilityRequestInput, AvailabilityResponse, AttendeeResult, Interview, Person } from '../../shared/api';

/** An Adaptive Card (schema 1.5) as JSON. */
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema?: string;
  version: '1.5';
  body: CardElement[];
  actions?: CardElement[];
  [extra: string]: unknown;
}

/** Any Adaptive Card element or action, as JSON. */
export type CardElement = { type: string } & Record<string, unknown>;

/** Who sent the turn, as the channel says (verified by the adapter before `handle` runs). */
export interface BotUser {
  /** Entra tenant id of the verified user token. */
  tid: string;
  /** Entra object id of the verified user token. */
  oid: string;
  /** Display name, for greetings only. */
  name: string;
}

/**
 * One incoming turn:
 * - `message`: the user typed `text`.
 * - `action`: the user pressed a card button; `verb` and `data` come from the card, `inputs` are
 *   the card's input values; `via` says whether it came as `Action.Execute` (universal action
 *   invoke, answered with a card) or as the `Action.Submit` fallback (a message whose card is
 *   updated in place with `updateActivity`).
 * - `search`: a typeahead query from an `Input.ChoiceSet` whose `choices.data` is `Data.Query`.
 */
export type Incoming =
  | { kind: 'message'; text: string }
  | { kind: 'action'; verb: string; data: Record<string, unknown>; via: 'execute' | 'submit' }
  | { kind: 'search'; dataset: string; queryText: string; top: number };

/** Something the bot says in the conversation. */
export type Reply = { type: 'text'; text: string } | { type: 'card'; card: AdaptiveCard };

/** What a turn produced. */
export interface Outcome {
  /** New messages, in order. */
  replies: Reply[];
  /** For `action` turns: the card that replaces the one whose button was pressed. */
  update?: AdaptiveCard;
  /** For `search` turns: the choices found (`title` shown, `value` submitted). */
  searchResults?: Array<{ title: string; value: string }>;
}

/** A booking as the bot sees it. */
export interface BotBooking {
  interview: Interview;
  replayed: boolean;
  warnings: AttendeeResult[];
}

/**
 * The Calendar Service bound to the turn's verified user (the dual lock applies inside: the
 * service checks consent and schemas on every call). Errors are `ConveneError`s.
 */
export interface SchedulingPort {
  findAvailability(input: AvailabilityRequestInput): Promise<AvailabilityResponse>;
  bookInterview(input: unknown, idempotencyKey: string): Promise<BotBooking>;
  listInterviews(query: { from?: string; to?: string }): Promise<Interview[]>;
  cancelInterview(id: string): Promise<Interview>;
  searchPeople(q: string): Promise<Person[]>;
}

/** What a proposals card remembers (never calendar data: only what the coordinator asked for). */
export interface ProposalRequest {
  candidate: { name: string; email: string; timeZone?: string };
  panel: string[];
  durationMinutes: number;
}

/** A card the bot sent, bound to the user and tenant it was sent to. */
export interface BotCard {
  id: string;
  tid: string;
  userOid: string;
  kind: 'proposals' | 'form' | 'interviews';
  /** For `proposals`: what to book. */
  request: ProposalRequest | null;
  /** Epoch ms. */
  createdAtMs: number;
  /** The slot chosen (ISO start), once a button was pressed. */
  chosenStart: string | null;
  /** The interview booked from this card. */
  interviewId: string | null;
}

/** Where cards are remembered (store table `bot_cards`, migration 3). */
export interface CardStorePort {
  create(card: Omit<BotCard, 'chosenStart' | 'interviewId'>): Promise<void>;
  get(tid: string, id: string): Promise<BotCard | null>;
  /**
   * Records `start` as the chosen slot unless another slot was chosen first.
   * @returns the chosen slot after the call (this one, or the earlier choice)
   */
  choose(tid: string, id: string, start: string): Promise<string>;
  setInterview(tid: string, id: string, interviewId: string): Promise<void>;
}

/** Everything `handle` needs besides the turn. */
export interface ConversationDeps {
  user: BotUser;
  service: SchedulingPort;
  cards: CardStorePort;
  /** Epoch ms. */
  now: () => number;
  newId: () => string;
  /**
   * Sends a message at once, before the turn ends (the "still working" note while Graph is
   * throttled).
   */
  progress: (reply: Reply) => Promise<void>;
  /** After how long a slow Graph call earns a "still working" note (default 2000 ms). */
  stillWorkingAfterMs?: number;
}
