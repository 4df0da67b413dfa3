/**
 * The bot's tables (migration 3): `conversation_references` (for proactive messages) and
 * `bot_cards` (cards with buttons, bound to the tenant and user they were sent to). Both are
 * tenant-scoped: offboarding and "delete my data" remove them (see `TENANT_SCOPED_TABLES`).
 */
import type { SqlClient } from './db';
import { isoFromDb, isoOrNullFromDb, isUuid } from './rows';

/**
 * Bot Framework's `ConversationReference` (routing data only: service URL, channel,
 * conversation, bot and user ids), kept as JSON.
 * @see https://learn.microsoft.com/azure/bot-service/bot-builder-howto-proactive-message
 */
export type StoredConversationReference = Record<string, unknown>;

/** A card the bot sent. Instants ISO 8601 UTC. */
export interface BotCardRecord {
  id: string;
  tid: string;
  userOid: string;
  kind: 'proposals' | 'form' | 'interviews';
  /** What the coordinator asked for (candidate, panel, duration), for `proposals`. */
  request: Record<string, unknown> | null;
  createdAt: string;
  chosenStart: string | null;
  interviewId: string | null;
}

/** The bot's store (see the module comment). */
export interface ConversationStore {
  /** Insert or replace the user's conversation reference. */
  saveReference(tid: string, userOid: string, reference: StoredConversationReference): Promise<void>;
  getReference(tid: string, userOid: string): Promise<StoredConversationReference | null>;
  createCard(card: Omit<BotCardRecord, 'chosenStart' | 'interviewId'>): Promise<void>;
  /** The card `id` of tenant `tid`, or null (also for a malformed id). */
  getCard(tid: string, id: string): Promise<BotCardRecord | null>;
  /** Sets `chosen_start` unless already set; returns the value after the call. */
  chooseSlot(tid: string, id: string, start: string): Promise<string>;
  setInterview(tid: string, id: string, interviewId: string): Promise<void>;
  /** Deletes cards created before `before` (ISO); returns how many. */
  purgeCards(before: string): Promise<number>;
}

interface CardRow {
  id: string;
  tid: string;
  user_oid: string;
  kind: BotCardRecord['kind'];
  request: unknown;
  created_at: unknown;
  chosen_start: unknown;
  interview_id: string | null;
}

function json(value: unknown): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;
}

/** {@link ConversationStore} over SQL (PGlite or PostgreSQL). */
export function createConversationStore(db: SqlClient): ConversationStore {
  return {
    async saveReference(tid, userOid, reference) {
      await db.query(
        `INSERT INTO conversation_references (tid, user_oid, reference, updated_at) VALUES ($1, $2, $3::jsonb, now())
         ON CONFLICT (tid, user_oid) DO UPDATE SET reference = EXCLUDED.reference, updated_at = now()`,
        [tid, userOid, JSON.stringify(reference)],
      );
    },
    async getReference(tid, userOid) {
      const { rows } = await db.query<{ reference: unknown }>(
        'SELECT reference FROM conversation_references WHERE tid = $1 AND user_oid = $2',
        [tid, userOid],
      );
      return rows[0] ? json(rows[0].reference) : null;
    },
    async createCard(card) {
      await db.query('INSERT INTO bot_cards (id, tid, user_oid, kind, request, created_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6)', [
        card.id,
        card.tid,
        card.userOid,
        card.kind,
        card.request === null ? null : JSON.stringify(card.request),
        card.createdAt,
      ]);
    },
    async getCard(tid, id) {
      if (!isUuid(id)) return null;
      const { rows } = await db.query<CardRow>(
        'SELECT id, tid, user_oid, kind, request, created_at, chosen_start, interview_id FROM bot_cards WHERE id = $1 AND tid = $2',
        [id, tid],
      );
      const r = rows[0];
      return r
        ? {
            id: r.id,
            tid: r.tid,
            userOid: r.user_oid,
            kind: r.kind,
            request: json(r.request),
            createdAt: isoFromDb(r.created_at),
            chosenStart: isoOrNullFromDb(r.chosen_start),
            interviewId: r.interview_id,
          }
        : null;
    },
    async chooseSlot(tid, id, start) {
      // One statement: of two concurrent clicks, the first sets the slot and both read it back.
      const { rows } = await db.query<{ chosen_start: unknown }>(
        `UPDATE bot_cards SET chosen_start = COALESCE(chosen_start, $3::timestamptz) WHERE id = $1 AND tid = $2 RETURNING chosen_start`,
        [id, tid, start],
      );
      const chosen = rows[0] ? isoOrNullFromDb(rows[0].chosen_start) : null;
      if (!chosen) throw new Error(`bot card ${id} vanished`);
      return chosen;
    },
    async setInterview(tid, id, interviewId) {
      await db.query('UPDATE bot_cards SET interview_id = $3 WHERE id = $1 AND tid = $2', [id, tid, interviewId]);
    },
    async purgeCards(before) {
      const { rows } = await db.query<{ n: number }>(
        'WITH d AS (DELETE FROM bot_cards WHERE created_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM d',
        [before],
      );
      return Number(rows[0]?.n ?? 0);
    },
  };
}
