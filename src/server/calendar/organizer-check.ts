/**
 * "The user leaves the tenant: the token stops working, and so does Convene for them."
 *
 * An access token stays valid for up to about 60–90 minutes after its user was removed from the
 * tenant (Entra ID issues no new ones, but cannot take back the one in hand). So before acting
 * for a signed-in user, Convene asks Microsoft Graph whether the organizer (the token's `oid`)
 * still exists: `GET /users/{oid}` with the tenant's app-only token (User.ReadBasic.All), audited
 * like every Graph call. Availability, booking and `/api/me` put that lookup in the `$batch` of
 * their own work; the other routes ask through {@link OrganizerCheck.ensurePresent}.
 *
 * A found user earns a short positive verdict per (tenant, oid) kept in memory
 * ({@link createOrganizerVerdictCache}: 60 s, bounded LRU), so listing and reading interviews do
 * not add a Graph call each time; the departed user's token therefore keeps working there for at
 * most that long. Only `200` counts as "still here": a 404 answers 401 `unauthenticated` and is
 * never cached; a failed lookup (Graph throttling or down, timeout, an answer Convene cannot read)
 * answers 503 `graph_unavailable` and proves nothing either way.
 *
 * @see https://learn.microsoft.com/graph/api/user-get
 * @see https://learn.microsoft.com/entra/identity-platform/access-tokens#token-lifetime
 */
import { ConveneError } from '../../shared/errors';
import type { CalendarProvider, CallContext, DirectoryUser, DirectoryUserResult } from './provider';

/** What a departed user is told (availability, booking, `/api/me` and the rest say the same). */
export const userLeftMessage = 'Your account is no longer in this organization, so Convene no longer acts for it.';

/** Seconds a client is asked to wait after an inconclusive lookup (`Retry-After`). */
const inconclusiveRetryAfterMs = 5_000;

/** Short-lived positive verdicts "this organizer still exists", per (tenant, oid). */
export interface OrganizerVerdictCache {
  /** True when the organizer was found less than `ttlMs` ago (and not forgotten since). */
  isFresh(tid: string, oid: string): boolean;
  /** Records that Graph found the organizer just now. */
  recordPresent(tid: string, oid: string): void;
  /** Drops any verdict (the organizer was not found, or could not be confirmed). */
  forget(tid: string, oid: string): void;
  /** Verdicts held (expired ones included until evicted), for tests and metrics. */
  readonly size: number;
}

/** Options of {@link createOrganizerVerdictCache}. */
export interface OrganizerVerdictCacheOptions {
  /** How long a positive verdict holds, ms. Default 60 000. 0 turns the cache off. */
  ttlMs?: number;
  /** Verdicts kept at most; the least recently used goes first. Default 10 000. */
  maxEntries?: number;
  /** Epoch ms (injected for tests). */
  now: () => number;
}

/**
 * An in-memory LRU of positive verdicts. Per server instance: a verdict another instance holds
 * does not help here, which only costs one more lookup.
 * @throws Error when `ttlMs` or `maxEntries` is negative or not a whole number
 */
export function createOrganizerVerdictCache(options: OrganizerVerdictCacheOptions): OrganizerVerdictCache {
  const ttlMs = options.ttlMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  if (!Number.isInteger(ttlMs) || ttlMs < 0) throw new Error(`ttlMs must be a whole number >= 0, not ${ttlMs}`);
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new Error(`maxEntries must be a whole number >= 1, not ${maxEntries}`);
  /** key -> epoch ms the verdict was recorded; Map order = least recently used first. */
  const verdicts = new Map<string, number>();
  const key = (tid: string, oid: string) => `${tid.toLowerCase()}/${oid.toLowerCase()}`;

  return {
    isFresh(tid, oid) {
      const k = key(tid, oid);
      const at = verdicts.get(k);
      if (at === undefined) return false;
      const age = options.now() - at;
      // A clock that went backwards proves nothing about freshness either.
      if (age >= ttlMs || age < 0) {
        verdicts.delete(k);
        return false;
      }
      verdicts.delete(k);
      verdicts.set(k, at);
      return true;
    },
    recordPresent(tid, oid) {
      if (ttlMs === 0) return;
      const k = key(tid, oid);
      verdicts.delete(k);
      verdicts.set(k, options.now());
      while (verdicts.size > maxEntries) {
        const oldest = verdicts.keys().next().value;
        if (oldest === undefined) break;
        verdicts.delete(oldest);
      }
    },
    forget(tid, oid) {
      verdicts.delete(key(tid, oid));
    },
    get size() {
      return verdicts.size;
    },
  };
}

/** The organizer check the Calendar Service runs before acting for a signed-in user. */
export interface OrganizerCheck {
  /**
   * Resolves when the organizer `ctx.actorOid` still exists in tenant `ctx.tenantId`: from a
   * fresh positive verdict, else by `GET /users/{oid}` (one audited Graph call).
   * @param options.fresh Ask Graph even with a fresh verdict (before a write, e.g. a cancel).
   * @throws ConveneError unauthenticated (401: the user left the tenant) | forbidden (403: Graph
   *   refused the lookup, e.g. User.ReadBasic.All missing) | graph_unavailable (503: no answer
   *   to trust) | tenant_not_consented (no app-only token for the tenant)
   */
  ensurePresent(ctx: CallContext, options?: { fresh?: boolean }): Promise<void>;
  /**
   * Judges a lookup made elsewhere (inside a `$batch` with other work): records a found organizer,
   * forgets one that was not, and returns the user or throws as {@link ensurePresent} does.
   */
  judge(ctx: CallContext, result: DirectoryUserResult): DirectoryUser;
  /** True when a fresh positive verdict exists (no Graph call). */
  isFresh(ctx: CallContext): boolean;
}

/** Dependencies of {@link createOrganizerCheck}. */
export interface OrganizerCheckDeps {
  provider: Pick<CalendarProvider, 'getUser'>;
  verdicts: OrganizerVerdictCache;
}

/** Creates the check over a provider and a verdict cache. */
export function createOrganizerCheck(deps: OrganizerCheckDeps): OrganizerCheck {
  function judge(ctx: CallContext, result: DirectoryUserResult): DirectoryUser {
    if (result.status === 'ok') {
      deps.verdicts.recordPresent(ctx.tenantId, ctx.actorOid);
      return result.user;
    }
    deps.verdicts.forget(ctx.tenantId, ctx.actorOid);
    switch (result.status) {
      case 'notFound':
        throw new ConveneError('unauthenticated', userLeftMessage);
      case 'blocked':
        throw new ConveneError('forbidden', `Convene cannot read your account: ${result.reason}`);
      case 'error':
        throw new ConveneError(
          'graph_unavailable',
          'Microsoft Graph could not confirm that your account is still in this organization; try again later.',
          { retryAfterMs: inconclusiveRetryAfterMs },
        );
      default:
        return assertNever(result);
    }
  }

  return {
    async ensurePresent(ctx, options = {}) {
      if (!options.fresh && deps.verdicts.isFresh(ctx.tenantId, ctx.actorOid)) return;
      let result: DirectoryUserResult;
      try {
        result = await deps.provider.getUser(ctx, ctx.actorOid);
      } catch (e) {
        // Throttled, unreachable, no token: never "still here".
        deps.verdicts.forget(ctx.tenantId, ctx.actorOid);
        throw e;
      }
      judge(ctx, result);
    },
    judge,
    isFresh(ctx) {
      return deps.verdicts.isFresh(ctx.tenantId, ctx.actorOid);
    },
  };
}

function assertNever(x: never): never {
  throw new Error(`Unexpected lookup result: ${JSON.stringify(x)}`);
}
