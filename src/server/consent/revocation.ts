/**
 * Detecting that a tenant revoked Convene's consent, from what Entra ID and Graph answer.
 *
 * A token without Calendars roles is NOT revocation: RBAC for Applications in Exchange Online
 * can grant "Application Calendars.ReadWrite" to Convene's service principal for a management
 * scope while the tenant-wide Entra grant is removed (Microsoft recommends exactly that). So
 * revocation is read only from:
 * - token failures: AADSTS700016 (the app is no longer in the tenant: consent removed, enterprise
 *   app deleted) and AADSTS7000112 (the app was disabled in the tenant);
 * - Graph refusing every mailbox of one request with a plain 403 access denied that does not name
 *   an application access policy or RBAC scope (a scoped-out mailbox is a `blocked` attendee,
 *   not revocation).
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
import type { RevocationReason, TenantStore } from '../store/types';
import type { TenantRegistry } from './tenant-registry';

/** Called when revocation is seen; must not throw into the caller's request. */
export type RevocationListener = (tid: string, reason: RevocationReason) => Promise<void>;

/** AADSTS codes that mean Convene's consent in the tenant is gone (not "never given"). */
const REVOKING_AADSTS = /AADSTS(700016|7000112)\b/;

/** True when `e` is a token refusal that means revoked consent. */
export function isRevokingTokenError(e: unknown): boolean {
  return isConveneError(e, 'tenant_not_consented') && REVOKING_AADSTS.test(e.message);
}

/**
 * Builds the listener that records revocation: flips a `granted` tenant to `revoked` and drops
 * the registry's cached verdict, so the dual lock re-checks (and refuses) on the next request.
 * For `graph_forbidden` it records the roles the app token carried at that moment: the registry
 * takes a later token with other roles (an admin granted a permission again) as consent proven
 * again, and the same roles as still revoked.
 */
export function createRevocationRecorder(options: {
  tenants: TenantStore;
  registry: () => TenantRegistry;
  tokens: () => AppTokenSource;
  logger: Logger;
}): RevocationListener {
  return async (tid, reason) => {
    try {
      const roles =
        reason === 'graph_forbidden'
          ? await options
              .tokens()
              .acquire(tid)
              .then(
                (t) => t.roles,
                () => undefined,
              )
          : undefined;
      const flipped = await options.tenants.markRevoked(tid.toLowerCase(), reason, roles);
      options.registry().forget(tid.toLowerCase());
      if (flipped) options.logger.warn({ tid, reason }, 'tenant consent revoked');
    } catch (err) {
      options.logger.error({ tid, reason, err: err instanceof Error ? err.message : String(err) }, 'cannot record revocation');
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

/** The calendar provider, telling `onRevoked` when Graph refuses every mailbox of one call. */
export function withGraphRevocation(provider: CalendarProvider, onRevoked: RevocationListener): CalendarProvider {
  // Every other method is the provider's own (looked up through the prototype), so methods the
  // port gains later pass through unchanged.
  const wrapped = Object.create(provider) as CalendarProvider;
  wrapped.getSchedule = async (ctx, organizer, schedules, startMs, endMs) => {
    const results = await provider.getSchedule(ctx, organizer, schedules, startMs, endMs);
    if (allPlainlyDenied(results)) await onRevoked(ctx.tenantId, 'graph_forbidden');
    return results;
  };
  wrapped.getMailboxSettings = async (ctx, mailboxes) => {
    const results = await provider.getMailboxSettings(ctx, mailboxes);
    if (allPlainlyDenied(results)) await onRevoked(ctx.tenantId, 'graph_forbidden');
    return results;
  };
  wrapped.getOrganizerAndMailboxSettings = async (ctx, organizerOid, mailboxes) => {
    const r = await provider.getOrganizerAndMailboxSettings(ctx, organizerOid, mailboxes);
    if (allPlainlyDenied([r.organizerSettings, ...r.attendees])) await onRevoked(ctx.tenantId, 'graph_forbidden');
    return r;
  };
  wrapped.getScheduleAndMailboxSettings = async (ctx, organizerOid, schedules, startMs, endMs) => {
    const r = await provider.getScheduleAndMailboxSettings(ctx, organizerOid, schedules, startMs, endMs);
    if (allPlainlyDenied([r.organizerSettings, ...r.attendees])) await onRevoked(ctx.tenantId, 'graph_forbidden');
    return r;
  };
  return wrapped;
}
