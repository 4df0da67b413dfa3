/**
 * The admin consent flow (issue 3, item 1): `GET /admin/consent/start` sends the admin to
 * Microsoft Entra ID's admin consent endpoint, `GET /admin/consent/callback` receives the answer.
 *
 * Start: `<login host>/<tenant id | domain | organizations>/v2.0/adminconsent?client_id&scope=<graph host>/.default&redirect_uri&state`.
 * `state` is 32 random bytes, single use, valid 10 minutes, and bound to the admin's browser by
 * an HttpOnly, SameSite=Lax cookie (Secure when Convene is served over https) holding another 32
 * random bytes. Both live only as SHA-256 hashes in `consent_states` (shared by every instance).
 *
 * Callback, in this order:
 * 1. `error`: Microsoft can send `admin_consent=True` together with an error, so an error wins;
 *    its AADSTS code picks the result page. Nothing is recorded.
 * 2. `state`: missing, unknown (never issued or already used), bound to another browser, or
 *    expired: refused, nothing recorded.
 * 3. The `tenant` parameter is not trusted: it must be a GUID, match the tenant the admin named
 *    at start (a domain is resolved through the tenant's OpenID metadata), and Convene must get
 *    an app-only token for it (a forced refresh, not a cached one). The token's `roles` are the
 *    granted permissions.
 * 4. The tenant is recorded `granted` (even after a disconnect), with its name from Graph
 *    `/organization` when permitted, else its verified domain.
 * The admin always lands on Convene's own `/admin` page (a relative `Location`): no parameter
 * can redirect elsewhere. A failure never touches an earlier valid consent record.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/v2-admin-consent
 * @see https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 * @see https://datatracker.ietf.org/doc/html/rfc6749#section-10.12 (CSRF and `state`)
 */
import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { ConsentStartQuery, type ConsentResultCode } from '../../shared/admin';
import { ConveneError, invalidRequest, isConveneError } from '../../shared/errors';
import type { AppTokenSource } from '../auth/app-tokens';
import type { Logger } from '../log';
import type { FetchLike } from '../net';
import type { ConsentStateStore, TenantStore } from '../store/types';
import type { OrganizationNameReader } from './organization';
import type { TenantRegistry } from './tenant-registry';

/** How long a started consent may take, ms. */
export const CONSENT_STATE_TTL_MS = 10 * 60 * 1000;
/** The browser-binding cookie. */
export const CONSENT_COOKIE = 'convene_consent';
/** Path of the callback (the redirect URI registered on Convene's app registration). */
export const CONSENT_CALLBACK_PATH = '/admin/consent/callback';

/** A redirect the route answers with: `Location` and one `Set-Cookie`. */
export interface ConsentRedirect {
  location: string;
  setCookie: string;
}

export interface ConsentFlowOptions {
  clientId: string;
  loginEndpoint: string;
  graphEndpoint: string;
  /** Cloud name recorded with the tenant. */
  cloud: string;
  /** Convene's public base URL (`https://convene.contoso.example`), without trailing slash. */
  publicUrl: () => string;
  states: ConsentStateStore;
  tenants: TenantStore;
  tokens: AppTokenSource;
  registry: TenantRegistry;
  organizationName: OrganizationNameReader;
  fetch: FetchLike;
  now: () => number;
  logger: Logger;
}

export interface ConsentFlow {
  /**
   * Starts a consent. @param query the request's query (`tenant` optional)
   * @throws ConveneError `invalid_request` for an unknown parameter or a malformed tenant
   */
  start(query: Record<string, string>): Promise<ConsentRedirect>;
  /** Finishes one; never throws for bad input: every outcome is a redirect to `/admin?result=...`. */
  callback(query: Record<string, string>, cookieHeader: string | undefined, requestId: string): Promise<ConsentRedirect>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The result page for an AADSTS code of the consent endpoint's `error_description`. */
export function consentErrorResult(aadsts: string | undefined, error: string | undefined): ConsentResultCode {
  switch (aadsts) {
    case '65004':
      return 'declined';
    case '700016':
      return 'app_not_in_tenant';
    case '90094':
    case '90095':
      return 'approval_required';
    case '7000215':
    case '7000222':
      return 'convene_credential_rejected';
    case '90002':
      return 'tenant_not_found';
    default:
      return aadsts === undefined && error === 'access_denied' ? 'declined' : 'consent_failed';
  }
}

/** Creates the flow. */
export function createConsentFlow(options: ConsentFlowOptions): ConsentFlow {
  const log = options.logger.child({ module: 'consent' });
  const hash = (s: string) => createHash('sha256').update(s).digest('base64url');
  const secure = () => options.publicUrl().startsWith('https://');
  const cookie = (value: string, maxAgeSeconds: number) =>
    `${CONSENT_COOKIE}=${value}; Path=/admin/consent; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure() ? '; Secure' : ''}`;
  const clearCookie = () => cookie('', 0);
  const done = (result: ConsentResultCode, extra: Record<string, string> = {}): ConsentRedirect => {
    const q = new URLSearchParams({ ...extra, result });
    return { location: `/admin?${q.toString()}`, setCookie: clearCookie() };
  };

  /**
   * The tenant id a tenant id or domain names, from its OpenID metadata `issuer`: `unknown` when
   * Entra ID does not know it (400, AADSTS90002), `unavailable` when Entra ID cannot be reached.
   */
  async function resolveTenant(idOrDomain: string): Promise<string | 'unknown' | 'unavailable'> {
    try {
      const res = await options.fetch(`${options.loginEndpoint}/${encodeURIComponent(idOrDomain)}/v2.0/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status >= 500) return 'unavailable';
      if (!res.ok) return 'unknown';
      const issuer = ((await res.json()) as { issuer?: unknown }).issuer;
      const tid = typeof issuer === 'string' ? /\/([0-9a-f-]{36})\/v2\.0\/?$/i.exec(issuer)?.[1] : undefined;
      return tid && GUID.test(tid) ? tid.toLowerCase() : 'unknown';
    } catch {
      return 'unavailable';
    }
  }

  return {
    async start(query) {
      const parsed = ConsentStartQuery.safeParse(query);
      if (!parsed.success)
        throw new ConveneError(invalidRequest, 'Use /admin/consent/start or /admin/consent/start?tenant=<tenant id or verified domain>.', {
          details: parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'query', message: i.message })),
        });
      const tenantHint = parsed.data.tenant?.toLowerCase() ?? null;
      const state = randomBytes(32).toString('base64url');
      const binding = randomBytes(32).toString('base64url');
      const nowMs = options.now();
      await options.states.create({
        stateHash: hash(state),
        bindingHash: hash(binding),
        tenantHint,
        createdAt: new Date(nowMs).toISOString(),
        expiresAt: new Date(nowMs + CONSENT_STATE_TTL_MS).toISOString(),
      });
      const url = new URL(`${options.loginEndpoint}/${encodeURIComponent(tenantHint ?? 'organizations')}/v2.0/adminconsent`);
      url.searchParams.set('client_id', options.clientId);
      url.searchParams.set('scope', `${options.graphEndpoint}/.default`);
      url.searchParams.set('redirect_uri', `${options.publicUrl()}${CONSENT_CALLBACK_PATH}`);
      url.searchParams.set('state', state);
      return { location: url.toString(), setCookie: cookie(binding, CONSENT_STATE_TTL_MS / 1000) };
    },

    async callback(query, cookieHeader, requestId) {
      const binding = readCookie(cookieHeader, CONSENT_COOKIE);
      const state = query.state;

      // 1. An error wins over admin_consent=True. Use up the state, if it is this browser's.
      if (query.error !== undefined) {
        const aadsts = /AADSTS(\d{4,8})/.exec(query.error_description ?? '')?.[1];
        if (state && binding) await options.states.take(hash(state), hash(binding), new Date(options.now()).toISOString());
        const result = consentErrorResult(aadsts, query.error);
        log.info({ requestId, result, aadsts }, 'admin consent refused');
        return done(result, aadsts ? { aadsts } : {});
      }

      // 2. The state: issued by us, to this browser, not used, not expired.
      if (!state) return done('state_missing');
      if (!binding) return done('state_invalid');
      const taken = await options.states.take(hash(state), hash(binding), new Date(options.now()).toISOString());
      if (taken.outcome === 'expired') return done('state_expired');
      if (taken.outcome !== 'ok') {
        log.warn({ requestId, outcome: taken.outcome }, 'admin consent callback with a state not of this browser');
        return done('state_invalid');
      }
      if ((query.admin_consent ?? '').toLowerCase() !== 'true') return done('consent_failed');

      // 3. Prove the tenant: it must be the one named at start, and give Convene an app token.
      const tid = (query.tenant ?? '').toLowerCase();
      if (!GUID.test(tid)) return done('tenant_unverified');
      if (taken.tenantHint && GUID.test(taken.tenantHint) && taken.tenantHint !== tid) {
        log.warn({ requestId, tid }, 'admin consent callback for another tenant than the one started');
        return done('tenant_unverified');
      }
      // The tenant must exist in this cloud (and be the domain's, when a domain was named).
      const resolved = await resolveTenant(taken.tenantHint && !GUID.test(taken.tenantHint) ? taken.tenantHint : tid);
      if (resolved === 'unavailable') return done('entra_unavailable');
      if (resolved !== tid) {
        log.warn({ requestId, tid }, 'admin consent callback for an unknown tenant or another one than the one started');
        return done('tenant_unverified');
      }
      let roles: string[];
      let accessToken: string;
      try {
        const token = await options.tokens.acquire(tid, true);
        if (String(decodeJwt(token.accessToken).tid ?? '').toLowerCase() !== tid) return done('tenant_unverified');
        roles = token.roles;
        accessToken = token.accessToken;
      } catch (e) {
        const result: ConsentResultCode = isConveneError(e, 'graph_unavailable')
          ? 'entra_unavailable'
          : isConveneError(e, 'internal')
            ? 'convene_credential_rejected'
            : isConveneError(e) && /AADSTS90002\b/.test(e.message)
              ? 'tenant_not_found'
              : 'tenant_unverified';
        log.info({ requestId, tid, result, err: e instanceof Error ? e.message : String(e) }, 'admin consent not proven');
        return done(result);
      }

      // 4. Record it.
      const existing = await options.tenants.get(tid);
      const name =
        (await options.organizationName({ tid, accessToken, actorOid: 'app', requestId })) ??
        (taken.tenantHint && !GUID.test(taken.tenantHint) ? taken.tenantHint : null);
      const wasDisconnected = existing?.consentStatus === 'disconnected';
      await options.tenants.recordConsent({
        tid,
        displayName: name,
        cloud: options.cloud,
        grantedRoles: roles,
        credentialMode: wasDisconnected ? 'multitenant' : (existing?.credentialMode ?? 'multitenant'),
        encryptedCredential: wasDisconnected ? null : (existing?.encryptedCredential ?? null),
      });
      options.registry.forget(tid);
      log.info({ requestId, tid, roles }, 'admin consent recorded');
      return done('connected', { tenant: tid });
    },
  };
}

/** The value of cookie `name` in a `Cookie` header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return value || undefined;
    }
  }
  return undefined;
}
