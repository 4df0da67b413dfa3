/**
 * The admin consent flow (issue 3, item 1): `GET /admin/consent/start` sends the admin to
 * Microsoft Entra ID's admin consent endpoint, `GET /admin/consent/callback` receives the answer.
 *
 * Start: `<login host>/<tenant id | domain | organizations>/v2.0/adminconsent?client_id&scope=<graph host>/.default&redirect_uri&state`.
 * `state` is 32 random bytes, single use, valid 10 minutes, and bound to the admin's browser by
 * an HttpOnly, SameSite=Lax cookie (Secure when Convene is served over https) holding another 32
 * random bytes. Both live only as SHA-256 hashes in `consent_states` (shared by every instance).
 *
 * Starting signed in (`POST /api/admin/consent/start`, a `Convene.Admin` of the tenant): the
 * state is bound to that tenant and to the admin's object id. It is the only start that connects
 * again a tenant an admin disconnected in Convene (an unauthenticated start could otherwise be
 * completed with a forged callback while Convene's enterprise app still exists in Entra ID), and
 * it names the consenting admin. A first-time connect (no record, or `revoked`) may start
 * unauthenticated: a new tenant's admin may not be able to sign in to Convene yet.
 *
 * Pending states are bounded (oldest dropped first, expired ones before all): per client (its
 * address for the unauthenticated start, its object id for the signed-in one) and in all, so the
 * unauthenticated start cannot fill the database.
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
 * 4. A tenant disconnected in Convene connects again only with a signed-in start for it
 *    (`reconnect_requires_admin_sign_in` otherwise, before any token is asked for).
 * 5. The tenant is recorded `granted`, with its name from Graph `/organization` when permitted,
 *    else its verified domain, and the consenting admin when the start was signed in. A tenant
 *    that uses its own app registration keeps it (credential, mode, roles): the consent is proven
 *    with Convene's own app and recorded, and the admin removes their registration explicitly
 *    (`DELETE /api/admin/tenants/{tid}/app-registration`) to switch.
 * The admin always lands on Convene's own `/admin` page (a relative `Location`): no parameter
 * can redirect elsewhere. A failure never touches an earlier valid consent record.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/v2-admin-consent
 * @see https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 * @see https://datatracker.ietf.org/doc/html/rfc6749#section-10.12 (CSRF and `state`)
 */
import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { ConsentStartQuery, ConsentStartRequest, type ConsentResultCode } from '../../shared/admin';
import { ConveneError, graphUnavailable, invalidRequest, isConveneError } from '../../shared/errors';
import type { AppToken, AppTokenSource } from '../auth/app-tokens';
import type { AuthContext } from '../auth/user-token';
import type { Logger } from '../log';
import type { FetchLike } from '../net';
import type { ConsentStateBounds, ConsentStateStore, TenantRecord, TenantStore } from '../store/types';
import { requireTenantAdmin } from './admin-guard';
import type { OrganizationNameReader } from './organization';
import type { TenantRegistry } from './tenant-registry';

/** How long a started consent may take, ms. */
export const CONSENT_STATE_TTL_MS = 10 * 60 * 1000;
/** The browser-binding cookie. */
export const CONSENT_COOKIE = 'convene_consent';
/** Path of the callback (the redirect URI registered on Convene's app registration). */
export const CONSENT_CALLBACK_PATH = '/admin/consent/callback';
/**
 * Default bounds on pending consent states: 20 per client (an admin retrying needs a few) and
 * 10,000 in all (about 2 MB of rows).
 */
export const DEFAULT_CONSENT_STATE_BOUNDS: Readonly<ConsentStateBounds> = Object.freeze({ perClient: 20, total: 10_000 });

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
  /**
   * A fresh app-only token from Convene's own app registration (never a tenant's own), used to
   * prove the consent of a tenant whose calls go through its own registration. Absent: `tokens`.
   */
  proveConveneApp?: (tid: string) => Promise<AppToken>;
  registry: TenantRegistry;
  organizationName: OrganizationNameReader;
  fetch: FetchLike;
  now: () => number;
  logger: Logger;
  /** Most pending states per client and in all (default {@link DEFAULT_CONSENT_STATE_BOUNDS}). */
  stateBounds?: ConsentStateBounds;
}

/** `POST /api/admin/consent/start` answer: the URL for the page, and the cookie to set. */
export interface ConsentStartAnswer {
  url: string;
  setCookie: string;
}

export interface ConsentFlow {
  /**
   * Starts a consent without sign-in (`GET /admin/consent/start`).
   * @param query the request's query (`tenant` optional)
   * @param clientKey who asks (the client's address): bounds its pending states
   * @throws ConveneError `invalid_request` for an unknown parameter or a malformed tenant
   */
  start(query: Record<string, string>, clientKey?: string): Promise<ConsentRedirect>;
  /**
   * Starts a consent signed in (`POST /api/admin/consent/start`): the state is bound to the
   * admin's tenant and object id, so its callback may connect a disconnected tenant again and
   * names the admin.
   * @param body {@link ConsentStartRequest}: `tenant` (id or verified domain) must be the token's own tenant
   * @throws ConveneError `unauthenticated` (401) without a token; `forbidden` (403) for a non-admin
   *   or another tenant; `invalid_request` (400) for a bad body or an unknown domain;
   *   `graph_unavailable` (503) when the domain cannot be resolved now
   */
  startAuthenticated(auth: AuthContext | undefined, body: unknown): Promise<ConsentStartAnswer>;
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

  /** Records a new state and answers the admin consent URL with the browser-binding cookie. */
  async function begin(
    tenantHint: string | null,
    clientKey: string | undefined,
    admin: { oid: string; name: string | null } | undefined,
  ): Promise<ConsentRedirect> {
    const state = randomBytes(32).toString('base64url');
    const binding = randomBytes(32).toString('base64url');
    const nowMs = options.now();
    await options.states.create(
      {
        stateHash: hash(state),
        bindingHash: hash(binding),
        tenantHint,
        createdAt: new Date(nowMs).toISOString(),
        expiresAt: new Date(nowMs + CONSENT_STATE_TTL_MS).toISOString(),
        ...(admin ? { admin } : {}),
        ...(clientKey !== undefined ? { clientKey } : {}),
      },
      options.stateBounds ?? DEFAULT_CONSENT_STATE_BOUNDS,
    );
    const url = new URL(`${options.loginEndpoint}/${encodeURIComponent(tenantHint ?? 'organizations')}/v2.0/adminconsent`);
    url.searchParams.set('client_id', options.clientId);
    url.searchParams.set('scope', `${options.graphEndpoint}/.default`);
    url.searchParams.set('redirect_uri', `${options.publicUrl()}${CONSENT_CALLBACK_PATH}`);
    url.searchParams.set('state', state);
    return { location: url.toString(), setCookie: cookie(binding, CONSENT_STATE_TTL_MS / 1000) };
  }

  /** A fresh app-only token proving consent: Convene's own app for a tenant that uses its own registration. */
  async function prove(tid: string, record: TenantRecord | null): Promise<AppToken> {
    if (record?.credentialMode === 'tenant' && record.encryptedCredential && options.proveConveneApp) return options.proveConveneApp(tid);
    return options.tokens.acquire(tid, true);
  }

  return {
    async start(query, clientKey) {
      const parsed = ConsentStartQuery.safeParse(query);
      if (!parsed.success)
        throw new ConveneError(invalidRequest, 'Use /admin/consent/start or /admin/consent/start?tenant=<tenant id or verified domain>.', {
          details: parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'query', message: i.message })),
        });
      return begin(parsed.data.tenant?.toLowerCase() ?? null, clientKey === undefined ? undefined : `ip:${clientKey}`, undefined);
    },

    async startAuthenticated(auth, body) {
      // Who first: a non-admin learns nothing about the body's checks.
      requireTenantAdmin(auth, auth?.tid ?? '');
      const admin = auth as AuthContext;
      const parsed = ConsentStartRequest.safeParse(body ?? {});
      if (!parsed.success)
        throw new ConveneError(invalidRequest, 'The body must be {} or {"tenant": "<your tenant id or verified domain>"}.', {
          details: parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message })),
        });
      const named = parsed.data.tenant?.toLowerCase();
      let tid = admin.tid.toLowerCase();
      if (named !== undefined) {
        const resolved = GUID.test(named) ? named : await resolveTenant(named);
        if (resolved === 'unavailable')
          throw new ConveneError(graphUnavailable, 'Microsoft Entra ID did not answer; try again shortly.', { retryAfterMs: 5000 });
        if (resolved === 'unknown') throw new ConveneError(invalidRequest, `Microsoft Entra ID does not know the domain "${named}".`);
        tid = resolved;
      }
      // The named tenant must be the admin's own.
      requireTenantAdmin(admin, tid);
      const r = await begin(tid, `oid:${admin.oid.toLowerCase()}`, {
        oid: admin.oid.toLowerCase(),
        name: admin.name || admin.username || null,
      });
      return { url: r.location, setCookie: r.setCookie };
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
      // 4. A tenant an admin disconnected in Convene comes back only through a signed-in start for
      // it: otherwise anyone could start unauthenticated and forge `admin_consent=True&tenant=...`.
      const before = await options.tenants.get(tid);
      if (before?.consentStatus === 'disconnected' && !(taken.admin && taken.tenantHint === tid)) {
        log.warn({ requestId, tid }, 'admin consent callback for a disconnected tenant without a signed-in start');
        return done('reconnect_requires_admin_sign_in', { tenant: tid });
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
        const token = await prove(tid, before);
        if (String(decodeJwt(token.accessToken).tid ?? '').toLowerCase() !== tid) return done('tenant_unverified');
        roles = token.roles;
        accessToken = token.accessToken;
      } catch (e) {
        const message = e instanceof Error ? e.message : '';
        const result: ConsentResultCode = isConveneError(e, 'graph_unavailable')
          ? 'entra_unavailable'
          : isConveneError(e, 'internal') || /AADSTS(7000215|7000222|700027)\b/.test(message)
            ? 'convene_credential_rejected'
            : /AADSTS90002\b/.test(message)
              ? 'tenant_not_found'
              : 'tenant_unverified';
        log.info({ requestId, tid, result, err: e instanceof Error ? e.message : String(e) }, 'admin consent not proven');
        return done(result);
      }

      // 5. Record it. A disconnect already deleted any tenant credential; one stored now stays
      // (`keepTenantApp`, decided in the same statement as the write).
      const name =
        (await options.organizationName({ tid, accessToken, actorOid: taken.admin?.oid ?? 'app', requestId })) ??
        (taken.tenantHint && !GUID.test(taken.tenantHint) ? taken.tenantHint : null);
      const recorded = await options.tenants.recordConsent({
        tid,
        displayName: name,
        cloud: options.cloud,
        grantedRoles: roles,
        credentialMode: 'multitenant',
        encryptedCredential: null,
        keepTenantApp: true,
        consentedBy: taken.admin,
      });
      options.registry.forget(tid);
      const ownApp = recorded.credentialMode === 'tenant';
      log.info({ requestId, tid, roles, ownApp, signedIn: taken.admin !== null }, 'admin consent recorded');
      return done(ownApp ? 'connected_tenant_app' : 'connected', { tenant: tid });
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
