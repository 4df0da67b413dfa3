/**
 * The tenant registry: is this tenant consented? (the second part of the dual lock).
 *
 * A tenant counts as consented when an app-only token can be acquired for it: checked on first
 * use and recorded (an admin may have consented in the Entra admin center rather than through
 * Convene's consent page), re-checked when Graph starts refusing. A tenant an IT admin
 * disconnected in Convene stays refused until an admin connects it again through the consent
 * page, even if Entra would still issue a token.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/v2-admin-consent
 */
import { ConveneError } from '../../shared/errors';
import type { AppTokenSource } from '../auth/app-tokens';
import type { TenantRecord, TenantStore } from '../store/types';

export interface TenantRegistry {
  /**
   * Resolves when `tid` is consented, recording it on first use.
   * @throws ConveneError `tenant_not_consented` (403) when it is not, or was disconnected; `graph_unavailable` when Entra is down.
   */
  ensureConsented(tid: string): Promise<TenantRecord>;
  /** Drop the cached verdict (after Graph refused the tenant's token). */
  forget(tid: string): void;
}

export interface TenantRegistryOptions {
  tenants: TenantStore;
  tokens: AppTokenSource;
  /** Cloud name recorded with the tenant. */
  cloud: string;
  now: () => number;
  /**
   * How long a positive verdict is trusted before the store is read again, ms (default 60 s).
   * 0: read the store on every call, for N instances on one database, where another instance
   * may record a disconnect or revocation that this one's `forget` never hears of.
   */
  cacheTtlMs?: number;
}

/** Creates the registry. */
export function createTenantRegistry(options: TenantRegistryOptions): TenantRegistry {
  const ttl = options.cacheTtlMs ?? 60_000;
  const cache = new Map<string, { record: TenantRecord; untilMs: number }>();
  const inflight = new Map<string, Promise<TenantRecord>>();

  async function check(tid: string): Promise<TenantRecord> {
    const existing = await options.tenants.get(tid);
    if (existing && existing.consentStatus === 'disconnected')
      throw new ConveneError(
        'tenant_not_consented',
        'This organization was disconnected from Convene. An administrator can connect it again on the Convene admin page.',
      );
    if (existing && existing.consentStatus === 'granted') return existing;
    // First use, or consent was seen revoked (Entra ID refused the token): prove consent by
    // acquiring an app-only token. Graph refusing every mailbox is never revocation (see
    // revocation.ts): it is an access warning on the status page, and the tenant stays usable.
    const token = await options.tokens.acquire(tid, existing !== null);
    return options.tenants.recordConsent({
      tid,
      displayName: existing?.displayName ?? null,
      cloud: options.cloud,
      grantedRoles: token.roles,
      credentialMode: existing?.credentialMode ?? 'multitenant',
      encryptedCredential: existing?.encryptedCredential ?? null,
    });
  }

  return {
    async ensureConsented(tid) {
      const hit = cache.get(tid);
      if (hit && hit.untilMs > options.now()) return hit.record;
      let pending = inflight.get(tid);
      if (!pending) {
        pending = check(tid).finally(() => inflight.delete(tid));
        inflight.set(tid, pending);
      }
      const record = await pending;
      cache.set(tid, { record, untilMs: options.now() + ttl });
      return record;
    },
    forget(tid) {
      cache.delete(tid);
    },
  };
}
