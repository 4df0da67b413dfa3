/**
 * The store port: what Convene keeps (DESIGN.md, "Data"). Only what Convene created or needs to
 * act: tenants (consent records, encrypted credentials), the interviews it booked, and the
 * append-only audit log of Graph calls. Never calendar data, tokens or event bodies.
 *
 * Implemented once over SQL (`sql-store.ts`) for both PGlite (embedded, default) and PostgreSQL
 * (`DATABASE_URL`): one schema, one dialect, the same migrations.
 */
import type { Channel, InterviewStatus } from '../../shared/api';

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
}

/** Fields to write when a tenant's consent is (re)confirmed. */
export interface TenantConsentInput {
  tid: string;
  displayName: string | null;
  cloud: string;
  grantedRoles: string[];
  credentialMode: 'multitenant' | 'tenant';
  encryptedCredential: string | null;
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

/** The whole store. */
export interface Store {
  readonly kind: 'pglite' | 'postgres';
  readonly tenants: TenantStore;
  readonly interviews: InterviewStore;
  readonly audit: AuditStore;
  /** Resolves when the database answers a trivial query (for `/healthz`). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
