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

/** Convene's credential: a client secret, or a certificate (PEM with private key and certificate). */
export type AppCredential = { kind: 'secret'; secret: string } | { kind: 'certificate'; path: string };

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
  const loginHost = new URL(options.loginEndpoint).host;
  const auth = credentialConfig(options.credential);
  const now = options.now ?? Date.now;
  /** Per tenant: the token kept and until when (epoch ms) it is handed out. */
  const kept = new Map<string, { token: AppToken; untilMs: number }>();
  /** Per tenant: the MSAL request in flight for a cached read, shared by concurrent callers. */
  const pending = new Map<string, Promise<AppToken>>();
  /** Per tenant: bumped by `invalidate`, so an answer asked for before it is not kept after it. */
  const generations = new Map<string, number>();

  function appFor(tid: string): ConfidentialClientApplication {
    let app = apps.get(tid);
    if (!app) {
      const config: Configuration = {
        auth: { clientId: options.clientId, authority: `${options.loginEndpoint}/${tid}`, knownAuthorities: [loginHost], ...auth },
        system: { networkClient },
      };
      app = new ConfidentialClientApplication(config);
      apps.set(tid, app);
    }
    return app;
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
      const result = await appFor(tid).acquireTokenByClientCredential({
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
      kept.delete(tid);
      pending.delete(tid);
      generations.set(tid, (generations.get(tid) ?? 0) + 1);
    },
  };
}

/** Callers get their own roles array; the kept token must not change with theirs. */
function copy(token: AppToken): AppToken {
  return { ...token, roles: [...token.roles] };
}

function credentialConfig(credential: AppCredential): Pick<NonNullable<Configuration['auth']>, 'clientSecret' | 'clientCertificate'> {
  if (credential.kind === 'secret') return { clientSecret: credential.secret };
  const pem = readFileSync(credential.path, 'utf8');
  const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!certPem) throw new ConveneError('invalid_request', `AZURE_CLIENT_CERTIFICATE_PATH: no certificate in ${credential.path}`);
  const cert = new X509Certificate(certPem);
  const privateKey = createPrivateKey(pem).export({ format: 'pem', type: 'pkcs8' }).toString();
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
