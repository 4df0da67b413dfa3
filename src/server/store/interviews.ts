/**
 * The `interviews` table: the interviews Convene booked (DESIGN.md, "Data").
 */
import type { InterviewStatus } from '../../shared/api';
import { ConveneError, conflict, internal, notFound } from '../../shared/errors';
import type { SqlClient } from './db';
import { isoFromDb, isUuid, textArrayFromDb } from './rows';
import type { InterviewRecord, InterviewStore, NewInterview } from './types';

interface InterviewRow {
  id: string;
  tid: string;
  organizer_oid: string;
  organizer_email: string;
  candidate_name: string;
  candidate_email: string;
  candidate_time_zone: string | null;
  panel: unknown;
  subject: string;
  start_at: unknown;
  end_at: unknown;
  time_zone: string;
  status: InterviewStatus;
  channel: InterviewRecord['channel'];
  transaction_id: string;
  idempotency_key: string | null;
  request_hash: string | null;
  graph_event_id: string | null;
  ical_uid: string | null;
  join_url: string | null;
  created_at: unknown;
  updated_at: unknown;
}

const columns = `id, tid, organizer_oid, organizer_email, candidate_name, candidate_email, candidate_time_zone,
  panel, subject, start_at, end_at, time_zone, status, channel, transaction_id, idempotency_key, request_hash,
  graph_event_id, ical_uid, join_url, created_at, updated_at`;

function toRecord(r: InterviewRow): InterviewRecord {
  return {
    id: r.id,
    tid: r.tid,
    organizerOid: r.organizer_oid,
    organizerEmail: r.organizer_email,
    candidateName: r.candidate_name,
    candidateEmail: r.candidate_email,
    candidateTimeZone: r.candidate_time_zone,
    panel: textArrayFromDb(r.panel),
    subject: r.subject,
    start: isoFromDb(r.start_at),
    end: isoFromDb(r.end_at),
    timeZone: r.time_zone,
    status: r.status,
    channel: r.channel,
    transactionId: r.transaction_id,
    idempotencyKey: r.idempotency_key,
    requestHash: r.request_hash,
    graphEventId: r.graph_event_id,
    iCalUId: r.ical_uid,
    joinUrl: r.join_url,
    createdAt: isoFromDb(r.created_at),
    updatedAt: isoFromDb(r.updated_at),
  };
}

/**
 * How often {@link InterviewStore.create} retries when the row that beat it disappeared before it
 * could be read (the winner's booking failed and it deleted its row). Each retry is a fresh
 * insert, so more than one is already unlikely.
 */
const createAttempts = 3;

/**
 * {@link InterviewStore} over SQL. Every read and write is scoped by `tid`: an id from another
 * tenant reads as absent. Ids that are not UUIDs read as absent too (they come from URLs).
 */
export function createInterviewStore(db: SqlClient): InterviewStore {
  async function findByIdempotencyKey(tid: string, organizerOid: string, key: string): Promise<InterviewRecord | null> {
    const { rows } = await db.query<InterviewRow>(
      `SELECT ${columns} FROM interviews WHERE tid = $1 AND organizer_oid = $2 AND idempotency_key = $3`,
      [tid, organizerOid, key],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async function update(tid: string, id: string, set: string, params: readonly unknown[]): Promise<InterviewRecord> {
    if (!isUuid(id)) throw new ConveneError(notFound, 'no such interview');
    const { rows } = await db.query<InterviewRow>(
      `UPDATE interviews SET ${set}, updated_at = now() WHERE tid = $1 AND id = $2 RETURNING ${columns}`,
      [tid, id, ...params],
    );
    if (!rows[0]) throw new ConveneError(notFound, 'no such interview');
    return toRecord(rows[0]);
  }

  return {
    async create(input: NewInterview) {
      const params = [
        input.id,
        input.tid,
        input.organizerOid,
        input.organizerEmail,
        input.candidateName,
        input.candidateEmail,
        input.candidateTimeZone,
        input.panel,
        input.subject,
        input.start,
        input.end,
        input.timeZone,
        input.status,
        input.channel,
        input.transactionId,
        input.idempotencyKey,
        input.requestHash,
      ];
      for (let attempt = 0; attempt < createAttempts; attempt++) {
        // Race-safe without a transaction: of concurrent inserts with one (tid, organizer, key),
        // PostgreSQL lets exactly one through; the others wait for it to commit and then skip.
        // Only that constraint is tolerated: a duplicate id or transactionId is a bug and throws.
        const inserted = await db.query<InterviewRow>(
          `INSERT INTO interviews (id, tid, organizer_oid, organizer_email, candidate_name, candidate_email,
             candidate_time_zone, panel, subject, start_at, end_at, time_zone, status, channel, transaction_id,
             idempotency_key, request_hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9, $10, $11, $12, $13, $14, $15, $16, $17)
           ON CONFLICT (tid, organizer_oid, idempotency_key) DO NOTHING
           RETURNING ${columns}`,
          params,
        );
        if (inserted.rows[0]) return { created: true, interview: toRecord(inserted.rows[0]) };
        if (input.idempotencyKey === null) break; // cannot happen: NULL keys never conflict
        const existing = await findByIdempotencyKey(input.tid, input.organizerOid, input.idempotencyKey);
        if (existing) return { created: false, interview: existing };
      }
      throw new ConveneError(internal, 'the interview could be neither inserted nor read back under its idempotency key');
    },

    async get(tid, id) {
      if (!isUuid(id)) return null;
      const { rows } = await db.query<InterviewRow>(`SELECT ${columns} FROM interviews WHERE tid = $1 AND id = $2`, [tid, id]);
      return rows[0] ? toRecord(rows[0]) : null;
    },

    findByIdempotencyKey,

    async listForOrganizer(tid, organizerOid, from, to) {
      // Overlap with [from, to): ends after `from` and starts before `to`. The (tid,
      // organizer_oid, start_at) index serves the filter and the order.
      const { rows } = await db.query<InterviewRow>(
        `SELECT ${columns} FROM interviews
         WHERE tid = $1 AND organizer_oid = $2
           AND ($3::timestamptz IS NULL OR end_at > $3::timestamptz)
           AND ($4::timestamptz IS NULL OR start_at < $4::timestamptz)
         ORDER BY start_at, id`,
        [tid, organizerOid, from ?? null, to ?? null],
      );
      return rows.map(toRecord);
    },

    async listForPanel(tid, mailboxes, from, to) {
      if (mailboxes.length === 0) return [];
      // Panels are stored lower-case (the calendar service dedupes them so); `&&` is array overlap.
      const { rows } = await db.query<InterviewRow>(
        `SELECT ${columns} FROM interviews
         WHERE tid = $1 AND panel && $2::text[] AND status IN ('scheduled', 'pending')
           AND start_at >= $3::timestamptz AND start_at < $4::timestamptz
         ORDER BY start_at, id`,
        [tid, mailboxes.map((m) => m.toLowerCase()), from, to],
      );
      return rows.map(toRecord);
    },

    markScheduled(tid, id, event) {
      return update(tid, id, `graph_event_id = $3, ical_uid = $4, join_url = $5, status = 'scheduled'`, [
        event.graphEventId,
        event.iCalUId,
        event.joinUrl,
      ]);
    },

    setStatus(tid, id, status) {
      return update(tid, id, 'status = $3', [status]);
    },

    async delete(tid, id) {
      if (!isUuid(id)) return;
      // Only rows that never reached Graph: deleting one with an event would lose the link to a
      // real meeting in people's calendars (cancel it instead). Deleting an absent row is a no-op,
      // so a retried cleanup succeeds.
      const { rows } = await db.query<{ graph_event_id: string | null }>(
        `WITH gone AS (DELETE FROM interviews WHERE tid = $1 AND id = $2 AND graph_event_id IS NULL RETURNING id)
         SELECT i.graph_event_id FROM interviews i WHERE i.tid = $1 AND i.id = $2 AND NOT EXISTS (SELECT 1 FROM gone)`,
        [tid, id],
      );
      if (rows.length > 0) {
        throw new ConveneError(conflict, 'the interview has a calendar event; cancel it instead of deleting it');
      }
    },
  };
}
