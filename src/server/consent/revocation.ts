/**
 * Detecting that a tenant revoked Convene's consent, from what Entra ID and Graph answer.
 *
 * A token without Calendars roles is NOT revocation: RBAC for Applications in Exchange Online
 * can grant "Application Calendars.ReadWrite" to Convene's service principal for a management
 * scope while the tenant-wide Entra grant is removed (Microsoft recommends exactly that). So
 * revocation is read only from token failures: AADSTS700016 (the app is no longer in the tenant:
 * consent removed, enterprise app deleted) and AADSTS7000112 (the app was disabled in the tenant).
 *
 * Graph refusing every mailbox of one request with a plain 403 access denied that does not name
 * an application access policy or RBAC scope is only an access WARNING: recorded and shown on the
 * status page, never a reason for the dual lock to refuse the tenant. RBAC for Applications may
 * answer a plain 403 for out-of-scope mailboxes (Microsoft does not document the wording), so a
 * request naming only out-of-scope interviewers must not lock out the whole tenant. A later
 * Graph call that reaches a mailbox clears the warning.
 *
 * Both are decorators over the ports (the token source and the calendar provider), wired in the
 * composition root, so the Graph adapter stays unaware of consent bookkeeping.
 *
 * @see https://learn.microsoft.com/exchange/permissions-exo/application-rbac
 * @see https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 */
import { isConveneError } from '../../shared/errors';
import type { AppTokenSource } from '../auth/app-tokens';
import { accessDeniedReason } from '../calendar/graph/errors';
import type { CalendarProvider, DirectoryUserResult, MailboxSettingsResult, ScheduleResult } from '../calendar/provider';
import type { Logger } from '../log';
import { ACCESS_WARNING_REASON } from '../../shared/admin';
import type { TenantStore } from '../store/types';
import type { TenantRegistry } from './tenant-registry';

/**
 * What the decorators report about a tenant's access:
 * - `token`: Entra ID refused its app token with a revoking AADSTS code (revocation);
 * - `graph_forbidden`: Graph refused every mailbox of one request with a plain 403 (a warning);
 * - `graph_reached`: Graph answered for at least one mailbox (clears the warning).
 */
export type AccessSignal = 'token' | 'graph_forbidden' | 'graph_reached';

/** Called with what was seen; must not throw into the caller's request. */
export type RevocationListener = (tid: string, signal: AccessSignal) => Promise<void>;

/** After clearing a tenant's warning, this long passes before a successful call clears it again (another instance may have set it), ms. */
export const ACCESS_WARNING_CLEAR_INTERVAL_MS = 60_000;

/** AADSTS codes that mean Convene's consent in the tenant is gone (not "never given"). */
const REVOKING_AADSTS = /AADSTS(700016|7000112)\b/;

/** True when `e` is a token refusal that means revoked consent. */
export function isRevokingTokenError(e: unknown): boolean {
  return isConveneError(e, 'tenant_not_consented') && REVOKING_AADSTS.test(e.message);
}

/**
 * Builds the listener that records what was seen:
 * - `token`: flips a `granted` tenant to `revoked` and drops the registry's cached verdict, so the
 *   dual lock re-checks (and refuses while Entra ID refuses) on the next request;
 * - `graph_forbidden`: records the access warning ({@link ACCESS_WARNING_REASON}); consent stays;
 * - `graph_reached`: clears the warning: at once after this instance recorded one, else at most
 *   once per {@link ACCESS_WARNING_CLEAR_INTERVAL_MS} per tenant (one indexed UPDATE), so a
 *   warning another instance recorded is cleared too without a write on every Graph call.
 */
export function createRevocationRecorder(options: {
  tenants: TenantStore;
  registry: () => TenantRegistry;
  logger: Logger;
  /** Clock, epoch ms (default `Date.now`). */
  now?: () => number;
}): RevocationListener {
  const now = options.now ?? Date.now;
  /** Per tenant: when this instance last cleared (or found clear) its warning. */
  const clearedAt = new Map<string, number>();
  return async (rawTid, signal) => {
    const tid = rawTid.toLowerCase();
    try {
      if (signal === 'graph_reached') {
        const last = clearedAt.get(tid);
        if (last !== undefined && now() - last < ACCESS_WARNING_CLEAR_INTERVAL_MS) return;
        clearedAt.set(tid, now());
        if (await options.tenants.clearAccessWarning(tid)) options.logger.info({ tid }, 'tenant access warning cleared');
        return;
      }
      if (signal === 'graph_forbidden') {
        clearedAt.delete(tid);
        if (await options.tenants.recordAccessWarning(tid, ACCESS_WARNING_REASON))
          options.logger.warn({ tid }, 'Graph refused every mailbox of a request');
        return;
      }
      const flipped = await options.tenants.markRevoked(tid, 'token');
      options.registry().forget(tid);
      if (flipped) options.logger.warn({ tid, reason: signal }, 'tenant consent revoked');
    } catch (err) {
      options.logger.error({ tid, signal, err: err instanceof Error ? err.message : String(err) }, 'cannot record tenant access');
    }
  };
}

/** The token source, telling `onRevoked` when Entra ID refuses a tenant with a revoking AADSTS code. */
export function withTokenRevocation(tokens: AppTokenSource, onRevoked: RevocationListener): AppTokenSource {
  const watch = async <T>(tid: string, p: Promise<T>): Promise<T> => {
    try {
      return await p;
    } catch (e) {
      if (isRevokingTokenError(e)) await onRevoked(tid, 'token');
      throw e;
    }
  };
  return {
    getAppToken: (tid) => watch(tid, tokens.getAppToken(tid)),
    acquire: (tid, forceRefresh) => watch(tid, tokens.acquire(tid, forceRefresh)),
    invalidate: (tid) => tokens.invalidate(tid),
  };
}

type MailboxOutcome = ScheduleResult | MailboxSettingsResult | DirectoryUserResult;

/** True when every outcome (at least one) is a plain 403 access denial, none naming a policy or scope. */
export function allPlainlyDenied(outcomes: readonly MailboxOutcome[]): boolean {
  return outcomes.length > 0 && outcomes.every((o) => o.status === 'blocked' && o.reason === accessDeniedReason);
}

/** What one call's outcomes say about access: a warning, a success, or nothing new. */
export function accessSignalOf(outcomes: readonly MailboxOutcome[]): AccessSignal | null {
  if (allPlainlyDenied(outcomes)) return 'graph_forbidden';
  return outcomes.some((o) => o.status === 'ok') ? 'graph_reached' : null;
}

/**
 * The calendar provider, telling `onAccess` when Graph refuses every mailbox of one call
 * (`graph_forbidden`) or reaches at least one (`graph_reached`).
 */
export function withGraphRevocation(provider: CalendarProvider, onAccess: RevocationListener): CalendarProvider {
  const report = async (tid: string, outcomes: readonly MailboxOutcome[]) => {
    const signal = accessSignalOf(outcomes);
    if (signal) await onAccess(tid, signal);
  };
  // Every other method is the provider's own (looked up through the prototype), so methods the
  // port gains later pass through unchanged.
  const wrapped = Object.create(provider) as CalendarProvider;
  wrapped.getSchedule = async (ctx, organizer, schedules, startMs, endMs) => {
    const results = await provider.getSchedule(ctx, organizer, schedules, startMs, endMs);
    await report(ctx.tenantId, results);
    return results;
  };
  wrapped.getMailboxSettings = async (ctx, mailboxes) => {
    const results = await provider.getMailboxSettings(ctx, mailboxes);
    await report(ctx.tenantId, results);
    return results;
  };
  wrapped.getOrganizerAndMailboxSettings = async (ctx, organizerOid, mailboxes) => {
    const r = await provider.getOrganizerAndMailboxSettings(ctx, organizerOid, mailboxes);
    await report(ctx.tenantId, [r.organizerSettings, ...r.attendees]);
    return r;
  };
  wrapped.getScheduleAndMailboxSettings = async (ctx, organizerOid, schedules, startMs, endMs) => {
    const r = await provider.getScheduleAndMailboxSettings(ctx, organizerOid, schedules, startMs, endMs);
    await report(ctx.tenantId, [r.organizerSettings, ...r.attendees]);
    return r;
  };
  return wrapped;
}
