/**
 * App-only tokens for Microsoft Graph, one per tenant, with @azure/msal-node client credentials
 * (authority `<login host>/<tid>`, scope `<graph host>/.default`). A token for a tenant exists
 * only after that tenant's admin consent, which makes this the second part of the dual lock.
 *
 * Tokens are kept in memory per tenant and handed out without asking MSAL until
 * {@link appTokenRefreshMarginMs} before they expire (or MSAL's `refreshOn`, if earlier): every
 * Graph call needs one, and MSAL's cache lookup per call (request validation, cache key
 * building, logging) was 5-7% of the server's CPU under load. MSAL refreshes its own cached
 * tokens on the same 5-minute margin, so when a token changes is unchanged. Concurrent first
 * calls for a tenant share one MSAL request; failures are never kept.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 * @see https://learn.microsoft.com/entra/msal/javascript/node/
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import {
  AuthError,
  ConfidentialClientApplication,
  type Configuration,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import { decodeJwt } from 'jose';
import { ConveneError } from '../../shared/errors';
import type { FetchLike } from '../net';

/**
 * An app registration's credential: a client secret, a certificate file (PEM with private key and
 * certificate), or a certificate and private key given as PEM text (tenant-provided registrations).
 */
export type AppCredential =
  | { kind: 'secret'; secret: string }
  | { kind: 'certificate'; path: string }
  | { kind: 'certificatePem'; certificatePem: string; privateKeyPem: string };

/** A tenant's own app registration, used instead of Convene's multi-tenant app for that tenant. */
export interface TenantAppRegistration {
  clientId: string;
  credential: AppCredential;
}

/** An app-only access token and what it grants. */
export interface AppToken {
  accessToken: string;
  /** Application permissions granted in the tenant (the token's `roles` claim). */
  roles: string[];
  /** Expiry, epoch ms. */
  expiresOnMs: number;
}

/** Where Graph tokens come from. */
export interface AppTokenSource {
  /**
   * An access token for Graph in `tenantId`, from MSAL's cache when still valid.
   * @throws ConveneError `tenant_not_consented` when Entra refuses (no consent, app removed, tenant unknown),
   *   `graph_unavailable` when Entra cannot be reached, `internal` when Convene's own credential is rejected.
   */
  getAppToken(tenantId: string): Promise<string>;
  /** Like getAppToken, with the granted roles; `forceRefresh` skips every cache (consent checks). */
  acquire(tenantId: string, forceRefresh?: boolean): Promise<AppToken>;
  /** Forget cached tokens for a tenant (after Graph answered 401). */
  invalidate(tenantId: string): void;
}

/** A kept token is handed out until this long before it expires, ms (MSAL's own refresh margin). */
export const appTokenRefreshMarginMs = 5 * 60 * 1000;

export interface AppTokenSourceOptions {
  clientId: string;
  credential: AppCredential;
  loginEndpoint: string;
  graphEndpoint: string;
  fetch: FetchLike;
  /** Current time, epoch ms (default `Date.now`). */
  now?: () => number;
  /**
   * The tenant's own app registration, or null for Convene's multi-tenant app (issue 3). Read
   * once per tenant until {@link AppTokenSource.invalidate}; a failure fails the token request.
   */
  tenantRegistration?: (tid: string) => Promise<TenantAppRegistration | null>;
}

/** AADSTS codes that mean "this tenant has not (or no longer) consented to Convene". */
const NOT_CONSENTED = new Map<string, string>([
  ['700016', 'Convene is not registered in this tenant: an administrator has not given admin consent, or removed it.'],
  ['7000229', 'Convene has no service principal in this tenant: an administrator has not given admin consent.'],
  ['65001', 'An administrator has not consented to Convene in this tenant.'],
  ['90002', 'This tenant does not exist in this Microsoft cloud.'],
  ['90094', 'An administrator must approve Convene in this tenant.'],
  ['500011', 'Microsoft Graph is not available to Convene in this tenant.'],
  ['700024', 'The tenant refused the token request.'],
  ['7000112', 'Convene is disabled in this tenant.'],
]);
const BAD_CREDENTIAL = new Set(['7000215', '7000222', '700027', '700023']);

/** Creates the per-tenant token source. @example const tokens = createAppTokenSource({ clientId, credential, loginEndpoint, graphEndpoint, fetch }); */
export function createAppTokenSource(options: AppTokenSourceOptions): AppTokenSource {
  const apps = new Map<string, ConfidentialClientApplication>();
  const networkClient = fetchNetworkModule(options.fetch);
  const auth = credentialConfig(options.credential);
  const now = options.now ?? Date.now;
  /** Per tenant: the token kept and until when (epoch ms) it is handed out. */
  const kept = new Map<string, { token: AppToken; untilMs: number }>();
  /** Per tenant: the MSAL request in flight for a cached read, shared by concurrent callers. */
  const pending = new Map<string, Promise<AppToken>>();
  /** Per tenant: bumped by `invalidate`, so an answer asked for before it is not kept after it. */
  const generations = new Map<string, number>();

  /** Per tenant: the MSAL app (Convene's, or the tenant's own registration). */
  const appsPending = new Map<string, Promise<ConfidentialClientApplication>>();

  function appFor(tid: string): Promise<ConfidentialClientApplication> {
    const ready = apps.get(tid);
    if (ready) return Promise.resolve(ready);
    let pendingApp = appsPending.get(tid);
    if (!pendingApp) {
      const generation = generations.get(tid) ?? 0;
      pendingApp = (async () => {
        const own = options.tenantRegistration ? await options.tenantRegistration(tid) : null;
        const app = own
          ? buildMsalApp(own.clientId, credentialConfig(own.credential), options.loginEndpoint, tid, networkClient)
          : buildMsalApp(options.clientId, auth, options.loginEndpoint, tid, networkClient);
        if ((generations.get(tid) ?? 0) === generation) apps.set(tid, app);
        return app;
      })().finally(() => appsPending.delete(tid));
      appsPending.set(tid, pendingApp);
    }
    return pendingApp;
  }

  /** Asks MSAL (its cache unless `forceRefresh`), then keeps the answer unless the tenant was invalidated meanwhile. */
  async function fromMsal(tid: string, forceRefresh: boolean): Promise<AppToken> {
    const generation = generations.get(tid) ?? 0;
    const { token, refreshOnMs } = await acquireFromMsal(tid, forceRefresh);
    if ((generations.get(tid) ?? 0) === generation) {
      const untilMs = Math.min(token.expiresOnMs - appTokenRefreshMarginMs, refreshOnMs ?? Infinity);
      if (untilMs > now()) kept.set(tid, { token, untilMs });
      else kept.delete(tid);
    }
    return token;
  }

  async function acquire(tenantId: string, forceRefresh = false): Promise<AppToken> {
    const tid = tenantId.toLowerCase();
    if (forceRefresh) return copy(await fromMsal(tid, true));
    const hit = kept.get(tid);
    if (hit && hit.untilMs > now()) return copy(hit.token);
    let inflight = pending.get(tid);
    if (!inflight) {
      const started: Promise<AppToken> = fromMsal(tid, false).finally(() => {
        if (pending.get(tid) === started) pending.delete(tid);
      });
      inflight = started;
      pending.set(tid, inflight);
    }
    return copy(await inflight);
  }

  async function acquireFromMsal(tid: string, forceRefresh: boolean): Promise<{ token: AppToken; refreshOnMs: number | undefined }> {
    try {
      const result = await (
        await appFor(tid)
      ).acquireTokenByClientCredential({
        scopes: [`${options.graphEndpoint}/.default`],
        skipCache: forceRefresh,
      });
      if (!result?.accessToken)
        throw new ConveneError('graph_unavailable', 'Microsoft Entra ID returned no token.', { retryAfterMs: 5000 });
      const claims = decodeJwt(result.accessToken);
      const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
      return {
        token: { accessToken: result.accessToken, roles, expiresOnMs: result.expiresOn?.getTime() ?? now() + 3_000_000 },
        refreshOnMs: result.refreshOn?.getTime(),
      };
    } catch (e) {
      throw mapMsalError(e);
    }
  }

  return {
    acquire,
    async getAppToken(tenantId) {
      const hit = kept.get(tenantId.toLowerCase());
      if (hit && hit.untilMs > now()) return hit.token.accessToken;
      return (await acquire(tenantId)).accessToken;
    },
    invalidate(tenantId) {
      const tid = tenantId.toLowerCase();
      apps.delete(tid);
      appsPending.delete(tid);
      kept.delete(tid);
      pending.delete(tid);
      generations.set(tid, (generations.get(tid) ?? 0) + 1);
    },
  };
}

function buildMsalApp(
  clientId: string,
  auth: Pick<NonNullable<Configuration['auth']>, 'clientSecret' | 'clientCertificate'>,
  loginEndpoint: string,
  tid: string,
  networkClient: INetworkModule,
): ConfidentialClientApplication {
  const config: Configuration = {
    auth: { clientId, authority: `${loginEndpoint}/${tid}`, knownAuthorities: [new URL(loginEndpoint).host], ...auth },
    system: { networkClient },
  };
  return new ConfidentialClientApplication(config);
}

/**
 * Proves an app registration's credential for one tenant: acquires a fresh app-only token for
 * Graph with it (authority `<login host>/<tid>`, no cache), before Convene stores it.
 *
 * @returns The token's granted roles and expiry (the token itself is dropped by callers).
 * @throws ConveneError `tenant_not_consented` when the app is unknown in the tenant or not
 *   consented (AADSTS700016, 7000229, 65001, ...), `invalid_request` when the certificate or key
 *   cannot be read, `internal` when Entra rejects the secret or certificate (AADSTS7000215,
 *   7000222, 700027), `graph_unavailable` when Entra cannot be reached.
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 */
export async function probeAppRegistration(
  registration: TenantAppRegistration,
  tid: string,
  endpoints: { loginEndpoint: string; graphEndpoint: string; fetch: FetchLike; now?: () => number },
): Promise<AppToken> {
  const auth = credentialConfig(registration.credential);
  const app = buildMsalApp(registration.clientId, auth, endpoints.loginEndpoint, tid, fetchNetworkModule(endpoints.fetch));
  try {
    const result = await app.acquireTokenByClientCredential({ scopes: [`${endpoints.graphEndpoint}/.default`], skipCache: true });
    if (!result?.accessToken) throw new ConveneError('graph_unavailable', 'Microsoft Entra ID returned no token.', { retryAfterMs: 5000 });
    const claims = decodeJwt(result.accessToken);
    const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
    return {
      accessToken: result.accessToken,
      roles,
      expiresOnMs: result.expiresOn?.getTime() ?? (endpoints.now ?? Date.now)() + 3_000_000,
    };
  } catch (e) {
    const mapped = mapMsalError(e);
    if (mapped.code === 'graph_unavailable' || mapped.code === 'invalid_request') throw mapped;
    // The admin's input was refused: say which part, in the admin's terms (never the secret).
    const aadsts = /AADSTS(\d+)/.exec(mapped.message)?.[1];
    const why =
      aadsts && BAD_CREDENTIAL.has(aadsts)
        ? 'Microsoft Entra ID rejected the client secret or certificate of this app registration'
        : 'Microsoft Entra ID did not issue an app-only token for this app registration in this tenant (is the client id right, and has an administrator granted admin consent to its application permissions?)';
    throw new ConveneError('invalid_request', `${why}${aadsts ? ` (AADSTS${aadsts})` : ''}.`, { cause: e });
  }
}

/** Callers get their own roles array; the kept token must not change with theirs. */
function copy(token: AppToken): AppToken {
  return { ...token, roles: [...token.roles] };
}

function credentialConfig(credential: AppCredential): Pick<NonNullable<Configuration['auth']>, 'clientSecret' | 'clientCertificate'> {
  if (credential.kind === 'secret') return { clientSecret: credential.secret };
  if (credential.kind === 'certificatePem')
    return certificateConfig(credential.certificatePem, credential.privateKeyPem, 'the certificate');
  const pem = readFileSync(credential.path, 'utf8');
  return certificateConfig(pem, pem, `AZURE_CLIENT_CERTIFICATE_PATH (${credential.path})`);
}

/**
 * MSAL's certificate credential (SHA-256 thumbprint, PKCS#8 key, x5c) from PEM text.
 * @throws ConveneError `invalid_request` naming `what` when no certificate or no readable key is found (never echoing the key).
 */
function certificateConfig(certText: string, keyText: string, what: string): Pick<NonNullable<Configuration['auth']>, 'clientCertificate'> {
  const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(certText)?.[0];
  if (!certPem) throw new ConveneError('invalid_request', `${what}: no PEM certificate found`);
  let cert: X509Certificate;
  let privateKey: string;
  try {
    cert = new X509Certificate(certPem);
  } catch (cause) {
    throw new ConveneError('invalid_request', `${what}: the certificate cannot be read`, { cause });
  }
  try {
    privateKey = createPrivateKey(keyText).export({ format: 'pem', type: 'pkcs8' }).toString();
  } catch (cause) {
    throw new ConveneError('invalid_request', `${what}: the private key cannot be read (PEM, unencrypted)`, { cause });
  }
  if (!cert.checkPrivateKey(createPrivateKey(privateKey)))
    throw new ConveneError('invalid_request', `${what}: the private key does not belong to the certificate`);
  return { clientCertificate: { thumbprintSha256: cert.fingerprint256.replace(/:/g, ''), privateKey, x5c: certPem } };
}

/** Maps MSAL failures to Convene errors, keeping the AADSTS code in the message (never the secret). */
export function mapMsalError(e: unknown): ConveneError {
  if (e instanceof ConveneError) return e;
  if (e instanceof AuthError) {
    const text = `${e.errorCode} ${e.errorMessage}`;
    const code = /AADSTS(\d+)/.exec(text)?.[1];
    if (code && NOT_CONSENTED.has(code))
      return new ConveneError('tenant_not_consented', `${NOT_CONSENTED.get(code)} (AADSTS${code})`, { cause: e });
    if (code && BAD_CREDENTIAL.has(code))
      return new ConveneError('internal', `Convene's own app credential was rejected by Microsoft Entra ID (AADSTS${code}).`, { cause: e });
    if (code)
      return new ConveneError('tenant_not_consented', `Microsoft Entra ID refused an app token for this tenant (AADSTS${code}).`, {
        cause: e,
      });
    return new ConveneError('graph_unavailable', `Microsoft Entra ID could not be reached (${e.errorCode}).`, {
      cause: e,
      retryAfterMs: 5000,
    });
  }
  return new ConveneError('graph_unavailable', 'Microsoft Entra ID could not be reached.', { cause: e, retryAfterMs: 5000 });
}

/** MSAL's `INetworkModule` over the injected fetch. */
function fetchNetworkModule(fetchImpl: FetchLike): INetworkModule {
  async function send<T>(
    method: 'GET' | 'POST',
    url: string,
    options?: NetworkRequestOptions,
    timeoutMs?: number,
  ): Promise<NetworkResponse<T>> {
    const init: RequestInit = { method, headers: options?.headers ?? {} };
    if (options?.body !== undefined) init.body = options.body;
    if (timeoutMs) init.signal = AbortSignal.timeout(timeoutMs);
    const res = await fetchImpl(url, init);
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { error: 'invalid_response', error_description: `Non-JSON response (HTTP ${res.status})` };
    }
    return { headers, body: body as T, status: res.status };
  }
  return {
    sendGetRequestAsync: (url, options, timeout) => send('GET', url, options, timeout),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}
