/**
 * The store port: what Convene keeps (DESIGN.md, "Data"). Only what Convene created or needs to
 * act: tenants (consent records, encrypted credentials), the interviews it booked, and the
 * append-only audit log of Graph calls. Never calendar data, tokens or event bodies.
 *
 * Implemented once over SQL (`sql-store.ts`) for both PGlite (embedded, default) and PostgreSQL
 * (`DATABASE_URL`): one schema, one dialect, the same migrations.
 */
import type { Channel, InterviewStatus } from '../../shared/api';
import type { ConversationStore } from './conversations';

/** A tenant's consent record. */
export interface TenantRecord {
  tid: string;
  displayName: string | null;
  /** `global` | `usgov` | `usgovdod` | `china` */
  cloud: string;
  consentStatus: 'granted' | 'revoked' | 'disconnected';
  /** Application permissions seen in the tenant's app-only token `roles` claim. */
  grantedRoles: string[];
  consentedAt: string;
  /** `multitenant`: Convene's own app registration; `tenant`: the tenant's own (issue 3). */
  credentialMode: 'multitenant' | 'tenant';
  /** AES-256-GCM envelope of the tenant-provided credential, or null (see `crypto.ts`). */
  encryptedCredential: string | null;
  offboardedAt: string | null;
  updatedAt: string;
  /** Why consent was seen revoked (set with status `revoked`, cleared when granted again). */
  revokedReason?: RevocationReason | null;
  /** The admin who consented through Convene's signed-in consent start (absent when not known). */
  consentedBy?: { oid: string; name: string | null };
  /** Graph refused every mailbox of a request (absent when not, or cleared by a later success). Not revocation. */
  accessWarning?: { at: string; reason: string };
}

/** `token`: Entra ID refused app tokens (AADSTS700016, 7000112); `graph_forbidden`: Graph refused every mailbox of a request. */
export type RevocationReason = 'token' | 'graph_forbidden';

/** A started admin consent (`consent_states`); hashes only. Instants ISO 8601 UTC. */
export interface ConsentStateInput {
  stateHash: string;
  bindingHash: string;
  tenantHint: string | null;
  createdAt: string;
  expiresAt: string;
  /** The signed-in `Convene.Admin` who started it (`POST /api/admin/consent/start`), else absent. */
  admin?: { oid: string; name: string | null };
  /** Who asked (client address, or `oid:<oid>`): at most `bounds.perClient` pending states each. */
  clientKey?: string;
}

/** Most pending consent states kept: per client key, and in all (the oldest beyond are dropped). */
export interface ConsentStateBounds {
  perClient: number;
  total: number;
}

/** What taking a consent state found. */
export type ConsentStateTake =
  | { outcome: 'ok'; tenantHint: string | null; admin: { oid: string; name: string | null } | null }
  | { outcome: 'expired' }
  | { outcome: 'otherBrowser' }
  | { outcome: 'unknown' };

/** The one-time `state` values of the admin consent flow (issue 3). */
export interface ConsentStateStore {
  /** Store a new state (and drop states expired before `createdAt`, then the oldest beyond `bounds`). */
  create(input: ConsentStateInput, bounds?: ConsentStateBounds): Promise<void>;
  /**
   * Use a state once: deletes it when `bindingHash` matches and answers `ok` (or `expired` when
   * `nowIso` is past its expiry); `otherBrowser` (kept) when the binding differs; `unknown` when
   * there is no such state (never issued, or already used).
   */
  take(stateHash: string, bindingHash: string, nowIso: string): Promise<ConsentStateTake>;
}

/** Fields to write when a tenant's consent is (re)confirmed. */
export interface TenantConsentInput {
  tid: string;
  displayName: string | null;
  cloud: string;
  grantedRoles: string[];
  credentialMode: 'multitenant' | 'tenant';
  encryptedCredential: string | null;
  /** The admin who consented through Convene's signed-in start; absent or null: not known. */
  consentedBy?: { oid: string; name: string | null } | null;
  /**
   * Admin consent to Convene's own app for a tenant that may use its own app registration: a
   * stored tenant credential, its mode and the roles its token carries are kept as they are (in
   * the same statement, so a credential stored meanwhile is not lost); `credentialMode`,
   * `encryptedCredential` and `grantedRoles` apply only to a tenant without one.
   */
  keepTenantApp?: boolean;
}

/** An interview row. Instants as ISO 8601 UTC strings. */
export interface InterviewRecord {
  id: string;
  tid: string;
  organizerOid: string;
  organizerEmail: string;
  candidateName: string;
  candidateEmail: string;
  candidateTimeZone: string | null;
  panel: string[];
  subject: string;
  start: string;
  end: string;
  /** Organizer's IANA zone at booking time. */
  timeZone: string;
  status: InterviewStatus;
  channel: Channel;
  /** Graph `transactionId` sent with the event (derived from `id`). */
  transactionId: string;
  idempotencyKey: string | null;
  /** SHA-256 of the canonical request, to detect a key reused with another body. */
  requestHash: string | null;
  graphEventId: string | null;
  iCalUId: string | null;
  joinUrl: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What a new interview row needs; the store fills timestamps. */
export type NewInterview = Omit<InterviewRecord, 'createdAt' | 'updatedAt' | 'graphEventId' | 'iCalUId' | 'joinUrl'>;

/** One Graph call, as an IT admin reads it. No bodies, tokens or subjects. */
export interface AuditEntry {
  tid: string;
  /** Object id of the user Convene acted for (`app` for Convene's own background work). */
  actorOid: string;
  /** e.g. `calendar.getSchedule`, `mailboxSettings.get`, `events.create`, `events.cancel`, `users.get`, `users.list`. */
  operation: string;
  /** The mailbox (UPN, email or object id) the call touched, or null for tenant-wide reads. */
  targetMailbox: string | null;
  /** HTTP status Graph answered (0 when no answer came). */
  status: number;
  /** Graph's `request-id` response header, when Graph answered. */
  graphRequestId: string | null;
  /** Convene's own request id. */
  requestId: string | null;
  /** ISO 8601 UTC. */
  at: string;
}

export interface AuditQuery {
  tid: string;
  /** ISO instants, inclusive lower / exclusive upper bound. */
  from?: string;
  to?: string;
  limit?: number;
}

export interface TenantStore {
  get(tid: string): Promise<TenantRecord | null>;
  /** Insert or update as `granted`; clears `offboardedAt`. */
  recordConsent(input: TenantConsentInput): Promise<TenantRecord>;
  setStatus(tid: string, status: TenantRecord['consentStatus']): Promise<void>;
  /**
   * Flip a `granted` tenant to `revoked` with the reason (and, when given, the roles its app token
   * carried then); false when it was not `granted` (or unknown).
   */
  markRevoked(tid: string, reason: RevocationReason, grantedRoles?: string[]): Promise<boolean>;
  /** Record that Graph refused every mailbox of a request (`granted` tenants only); false when not recorded. */
  recordAccessWarning(tid: string, reason: string): Promise<boolean>;
  /** Clear that warning after a successful Graph call; false when there was none. */
  clearAccessWarning(tid: string): Promise<boolean>;
  /**
   * Offboarding: in one transaction delete every row of {@link TENANT_SCOPED_TABLES} for `tid`,
   * clear its credential and set it `disconnected` (the audit log is kept). Returns rows deleted per table.
   */
  disconnect(tid: string): Promise<Record<string, number>>;
  /** A user's own rows of the tenant-scoped tables that have a user column (the audit log is kept). */
  deleteUserData(tid: string, oid: string): Promise<Record<string, number>>;
}

/** A tenant's sealed credential, as stored (an envelope; see `crypto/sealer.ts`). */
export interface SealedTenantCredential {
  tid: string;
  encryptedCredential: string;
}

/** Tenant-provided app registrations (issue 3); see `tenant-credentials.ts`. */
export interface TenantCredentialStore {
  /** Back to Convene's multi-tenant app: drops the credential, status `revoked` (re-proved on next use). False when the tenant had none. */
  clear(tid: string): Promise<boolean>;
  /** Every stored envelope (for `convene keys rotate`). */
  listSealed(): Promise<SealedTenantCredential[]>;
  /** Replace `expected` by `next`; false (nothing written) when the stored envelope is no longer `expected`. */
  replaceSealed(tid: string, expected: string, next: string): Promise<boolean>;
}

export interface InterviewStore {
  /**
   * Insert a new interview. When `(tid, organizerOid, idempotencyKey)` already exists, nothing is
   * written and the existing row is returned with `created: false`.
   */
  create(input: NewInterview): Promise<{ created: boolean; interview: InterviewRecord }>;
  get(tid: string, id: string): Promise<InterviewRecord | null>;
  findByIdempotencyKey(tid: string, organizerOid: string, key: string): Promise<InterviewRecord | null>;
  /** The organizer's interviews overlapping `[from, to)` (either bound optional), by start. */
  listForOrganizer(tid: string, organizerOid: string, from?: string, to?: string): Promise<InterviewRecord[]>;
  /**
   * The tenant's live interviews (`scheduled` or `pending`, any organizer) with any of `mailboxes`
   * (lower-case) on the panel, starting in `[from, to)`, by start: for per-day interview limits.
   */
  listForPanel(tid: string, mailboxes: readonly string[], from: string, to: string): Promise<InterviewRecord[]>;
  /** Record the created Graph event and set status `scheduled`. */
  markScheduled(
    tid: string,
    id: string,
    event: { graphEventId: string; iCalUId: string; joinUrl: string | null },
  ): Promise<InterviewRecord>;
  setStatus(tid: string, id: string, status: InterviewStatus): Promise<InterviewRecord>;
  /** Delete a row that never reached Graph (e.g. slot taken at re-check). */
  delete(tid: string, id: string): Promise<void>;
}

export interface AuditStore {
  /** Append entries in one statement. Never updates or deletes. */
  append(entries: AuditEntry[]): Promise<void>;
  list(query: AuditQuery): Promise<AuditEntry[]>;
}

/** One claimed run of a scheduled job (table `job_runs`, migration 4). */
export interface JobRunRecord {
  /** e.g. `audit-purge`, `user-archive`. */
  job: string;
  /** The period the run is for, e.g. `2026-11-23` for a daily job (UTC day). */
  period: string;
  /** The server instance that claimed it. */
  instanceId: string;
  status: 'running' | 'succeeded' | 'failed';
  /** 1 for the first claim; a failed or abandoned run may be claimed again. */
  attempts: number;
  startedAt: string;
  finishedAt: string | null;
  /** What the job reports (counts), never personal data. */
  result: Record<string, unknown> | null;
  error: string | null;
}

/** The scheduled jobs' queries (src/server/jobs). */
export interface JobStore {
  /**
   * Claims `(job, period)` for `instanceId`: succeeds for exactly one of any number of concurrent
   * callers; later ones get null unless the earlier run failed or stayed `running` longer than
   * `leaseMs` (its instance died), and fewer than `maxAttempts` claims were made.
   */
  claimRun(claim: {
    job: string;
    period: string;
    instanceId: string;
    leaseMs: number;
    maxAttempts: number;
  }): Promise<{ attempt: number } | null>;
  /** Records the end of a claimed run. */
  finishRun(run: {
    job: string;
    period: string;
    instanceId: string;
    attempt: number;
    status: 'succeeded' | 'failed';
    result: Record<string, unknown> | null;
    error: string | null;
  }): Promise<void>;
  /** Recent runs (newest first, at most 500), of one job or all. */
  listRuns(job?: string): Promise<JobRunRecord[]>;
  /**
   * Deletes audit entries older than `cutoff` (ISO instant) and never any younger than one day
   * (the database refuses). Returns how many were deleted.
   */
  purgeAuditBefore(cutoff: string): Promise<number>;
  /** Distinct organizers of consented tenants with a pending or scheduled interview starting after `after`. */
  organizersWithUpcomingInterviews(after: string): Promise<Array<{ tid: string; organizerOid: string }>>;
  /** Sets the organizer's pending or scheduled interviews starting after `after` to `archived`; returns how many. */
  archiveUpcomingInterviews(tid: string, organizerOid: string, after: string): Promise<number>;
}

/** The whole store. */
export interface Store {
  readonly kind: 'pglite' | 'postgres';
  readonly tenants: TenantStore;
  readonly tenantCredentials: TenantCredentialStore;
  readonly interviews: InterviewStore;
  readonly audit: AuditStore;
  readonly consentStates: ConsentStateStore;
  /** Scheduled jobs: run claims, audit purge, user archive. */
  readonly jobs: JobStore;
  /** The Teams bot's conversation references and cards (migration 3). */
  readonly conversations: ConversationStore;
  /** Resolves when the database answers a trivial query (for `/healthz`). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
