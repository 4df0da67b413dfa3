/**
 * The simulator's Entra ID (Microsoft identity platform v2) subset: OIDC metadata, signing keys,
 * instance discovery, the token endpoint (client credentials with a secret or a client assertion;
 * on-behalf-of), the admin consent page, and user access tokens for Convene's API.
 *
 * Errors are shaped like Entra's: HTTP 400 (401 for client authentication failures) with
 * `{error, error_description: "AADSTSnnnn: ... Trace ID ... Correlation ID ... Timestamp ...",
 * error_codes, timestamp, trace_id, correlation_id, error_uri}`.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow
 * @see https://learn.microsoft.com/entra/identity-platform/v2-admin-consent
 * @see https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 * @see https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
 */
import { randomBytes } from 'node:crypto';
import {
  calculateJwkThumbprint,
  compactVerify,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { formBody, newRequestId, type Router, type SimRequest, type SimResponse } from './http';
import { guidFrom, type SimTenant, type SimUser, type SimWorld } from './state';

/** The RSA key the simulator signs every token with (Entra uses one key set for all tenants). */
export interface SigningKeys {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** Public JWK with `kid`, `use`, `alg`. */
  jwk: JWK;
  kid: string;
}

/** Generates the signing key (RS256, 2048 bits) and its `kid` (JWK thumbprint). */
export async function createSigningKeys(): Promise<SigningKeys> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const exported = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(exported);
  return { privateKey, publicKey, kid, jwk: { ...exported, kid, use: 'sig', alg: 'RS256', kty: 'RSA' } };
}

/** What the token service needs. */
export interface TokenServiceDeps {
  world: SimWorld;
  keys: SigningKeys;
  clientId: string;
  clientSecret: string;
  /** The simulator's base URL (`https://127.0.0.1:<port>`), known after listen. */
  url: () => string;
  /** Current time, epoch ms. */
  now: () => number;
}

/** Overrides for a minted user token (tests of the API's token checks). */
export interface UserTokenOverrides {
  /** `aud` (default: the client id). */
  audience?: string;
  /** Lifetime, seconds (default 3600). Negative values mint an expired token. */
  expiresInSeconds?: number;
  /** `nbf` relative to now, seconds (default 0). */
  notBeforeSecondsFromNow?: number;
  /** `roles` (default: the user's appRoles; omitted when empty). */
  roles?: string[];
  /** `scp` (default `access_as_user`). */
  scp?: string;
}

/** An Entra-shaped error, thrown by token minting and turned into a response by the routes. */
export class EntraError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly code: number,
    readonly description: string,
  ) {
    super(`AADSTS${code}: ${description}`);
    this.name = 'EntraError';
  }
}

/** The v2 issuer of a tenant: `<sim url>/<tid>/v2.0`. */
export function issuerFor(url: string, tid: string): string {
  return `${url}/${tid}/v2.0`;
}

/** Microsoft Graph's well-known application id (accepted as a resource besides the simulator's URL). */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

const ONE_HOUR_S = 3600;

/**
 * Mints a v2 access token for Convene's API for a live user, as Entra issues after sign-in.
 * @throws EntraError (400 invalid_grant, AADSTS50034) for unknown or deleted users
 */
export async function mintUserToken(deps: TokenServiceDeps, upn: string, overrides: UserTokenOverrides = {}): Promise<string> {
  const user = deps.world.findUserAnywhere(upn);
  if (!user) {
    throw new EntraError(
      400,
      'invalid_grant',
      50034,
      `The user account {EmailHidden} does not exist in the directory. To sign into this application, the account must be added to the directory.`,
    );
  }
  const tenant = deps.world.tenantOf(user);
  const nowS = Math.floor(deps.now() / 1000);
  const roles = overrides.roles ?? user.appRoles;
  const claims: JWTPayload = {
    aud: overrides.audience ?? deps.clientId,
    iss: issuerFor(deps.url(), tenant.id),
    iat: nowS,
    nbf: nowS + (overrides.notBeforeSecondsFromNow ?? 0),
    exp: nowS + (overrides.expiresInSeconds ?? ONE_HOUR_S),
    aio: randomId(),
    azp: deps.clientId,
    azpacr: '0',
    name: user.displayName,
    oid: user.id,
    preferred_username: user.userPrincipalName,
    rh: randomId(),
    scp: overrides.scp ?? 'access_as_user',
    sid: guidFrom(`sid:${user.id}:${nowS}`),
    sub: pairwiseSub(user.id, deps.clientId),
    tid: tenant.id,
    uti: randomId(),
    ver: '2.0',
    ...(roles.length > 0 ? { roles } : {}),
  };
  return sign(deps.keys, claims);
}

/** The checked claims of a Graph access token, or why it is refused (Graph's 401 message). */
export type GraphTokenCheck =
  | { ok: true; claims: JWTPayload & { tid: string }; tenant: SimTenant; appOnly: boolean; permissions: string[]; user?: SimUser }
  | { ok: false; message: string };

/**
 * Payloads (JSON text) of tokens whose signature verified, by token, per signing key. Convene
 * sends the same app token on every Graph call for an hour, and an RS256 verification was the
 * simulator's largest cost per call after getSchedule itself. Only the signature check is
 * skipped: lifetime, audience, issuer, tenant and consent are checked on every call, and each
 * call gets its own parsed copy of the claims.
 */
const verifiedPayloads = new WeakMap<SigningKeys, Map<string, string>>();
/** Distinct tokens remembered per key before the memo starts over. */
const MAX_VERIFIED_TOKENS = 1000;

/**
 * Checks a bearer token presented to Graph: the simulator's signature, lifetime (5 min skew),
 * audience (the simulator's URL or Graph's app id), issuer, a known tenant that still consents.
 */
export async function checkGraphToken(deps: TokenServiceDeps, authorization: string | undefined): Promise<GraphTokenCheck> {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
  if (!m) return { ok: false, message: 'Access token is empty.' };
  const token = m[1] as string;
  let claims: JWTPayload;
  let verified = verifiedPayloads.get(deps.keys);
  if (!verified) verifiedPayloads.set(deps.keys, (verified = new Map()));
  const known = verified.get(token);
  if (known !== undefined) {
    claims = JSON.parse(known) as JWTPayload;
  } else {
    try {
      const { payload } = await compactVerify(token, deps.keys.publicKey, { algorithms: ['RS256'] });
      const text = new TextDecoder().decode(payload);
      claims = JSON.parse(text) as JWTPayload;
      if (verified.size >= MAX_VERIFIED_TOKENS) verified.clear();
      verified.set(token, text);
    } catch {
      return { ok: false, message: 'Access token validation failure. Invalid signature or not a JWT.' };
    }
  }
  const nowS = deps.now() / 1000;
  const skew = 300;
  if (typeof claims.exp !== 'number' || claims.exp + skew < nowS)
    return { ok: false, message: 'Lifetime validation failed, the token is expired.' };
  if (typeof claims.nbf === 'number' && claims.nbf - skew > nowS)
    return { ok: false, message: 'Lifetime validation failed, the token is not yet valid.' };
  const url = deps.url();
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.some((a) => a === url || a === `${url}/` || a === GRAPH_APP_ID))
    return { ok: false, message: 'Access token validation failure. Invalid audience.' };
  const tid = typeof claims.tid === 'string' ? claims.tid : '';
  const tenant = deps.world.findTenant(tid);
  if (!tenant || claims.iss !== issuerFor(url, tenant.id))
    return { ok: false, message: 'Access token validation failure. Invalid issuer.' };
  // Withdrawn consent deletes Convene's service principal; Graph then refuses its tokens.
  if (!tenant.consentGranted && !tenant.appRegistrations.some((a) => a.clientId === claims.appid))
    return {
      ok: false,
      message: 'Access token validation failure. The application has no service principal in the tenant (consent withdrawn).',
    };
  const appOnly = claims.idtyp === 'app' || (typeof claims.scp !== 'string' && Array.isArray(claims.roles));
  if (appOnly) {
    const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
    return { ok: true, claims: claims as JWTPayload & { tid: string }, tenant, appOnly, permissions: roles };
  }
  const user = typeof claims.oid === 'string' ? deps.world.findUser(tenant, claims.oid) : undefined;
  if (!user) return { ok: false, message: 'Access token validation failure. The signed-in user is not in the tenant.' };
  const scopes = typeof claims.scp === 'string' ? claims.scp.split(' ').filter(Boolean) : [];
  return { ok: true, claims: claims as JWTPayload & { tid: string }, tenant, appOnly, permissions: scopes, user };
}

/** Registers the Entra routes. */
export function registerTokenRoutes(router: Router, deps: TokenServiceDeps): void {
  const T = '(?<tenant>[^/]+)';
  router.on('GET', new RegExp(`^/${T}/v2\\.0/\\.well-known/openid-configuration$`, 'i'), (_req, p) =>
    openIdConfiguration(deps, p.tenant as string),
  );
  router.on('GET', new RegExp(`^/${T}/discovery/v2\\.0/keys$`, 'i'), (_req, p) => keys(deps, p.tenant as string));
  router.on('GET', /^\/common\/discovery\/instance$/i, (req) => instanceDiscovery(deps, req));
  router.on('POST', new RegExp(`^/${T}/oauth2/v2\\.0/token$`, 'i'), (req, p) => tokenEndpoint(deps, req, p.tenant as string));
  router.on('GET', new RegExp(`^/${T}/v2\\.0/adminconsent$`, 'i'), (req, p) => adminConsentPage(deps, req, p.tenant as string));
  router.on('POST', new RegExp(`^/${T}/v2\\.0/adminconsent$`, 'i'), (req, p) => adminConsentDecision(deps, req, p.tenant as string));
  router.on('GET', new RegExp(`^/${T}/oauth2/v2\\.0/authorize$`, 'i'), () => ({
    status: 400,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    text: page(
      'Sign-in is not simulated',
      '<p>The simulator does not run interactive sign-in. Mint a user token with <code>POST /_sim/token {"upn": "..."}</code>.</p>',
    ),
  }));
}

/** The response for an EntraError. */
export function entraErrorResponse(e: EntraError, now: number): SimResponse {
  const traceId = newRequestId();
  const correlationId = newRequestId();
  const timestamp = new Date(now)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return {
    status: e.status,
    body: {
      error: e.error,
      error_description: `AADSTS${e.code}: ${e.description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [e.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `/error?code=${e.code}`,
    },
  };
}

const SPECIAL_TENANTS = new Set(['common', 'organizations', 'consumers']);

function tenantNotFound(name: string): EntraError {
  return new EntraError(
    400,
    'invalid_tenant',
    90002,
    `Tenant '${name}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  );
}

function guard(deps: TokenServiceDeps, fn: () => Promise<SimResponse> | SimResponse): Promise<SimResponse> {
  return Promise.resolve()
    .then(fn)
    .catch((e: unknown) => {
      if (e instanceof EntraError) return entraErrorResponse(e, deps.now());
      throw e;
    });
}

function openIdConfiguration(deps: TokenServiceDeps, tenantSegment: string): Promise<SimResponse> {
  return guard(deps, () => {
    const url = deps.url();
    const special = SPECIAL_TENANTS.has(tenantSegment.toLowerCase());
    const tenant = special ? undefined : deps.world.findTenant(tenantSegment);
    if (!special && !tenant) throw tenantNotFound(tenantSegment);
    const seg = tenant ? tenant.id : tenantSegment.toLowerCase();
    const host = new URL(url).host;
    return {
      status: 200,
      body: {
        token_endpoint: `${url}/${seg}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        jwks_uri: `${url}/${seg}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: tenant ? issuerFor(url, tenant.id) : `${url}/{tenantid}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${url}/oidc/userinfo`,
        authorization_endpoint: `${url}/${seg}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${url}/${seg}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${url}/${seg}/oauth2/v2.0/logout`,
        claims_supported: [
          'sub',
          'iss',
          'cloud_instance_name',
          'cloud_instance_host_name',
          'cloud_graph_host_name',
          'msgraph_host',
          'aud',
          'exp',
          'iat',
          'auth_time',
          'acr',
          'nonce',
          'preferred_username',
          'name',
          'tid',
          'ver',
          'at_hash',
          'c_hash',
          'email',
        ],
        kerberos_endpoint: `${url}/${seg}/kerberos`,
        tenant_region_scope: tenant ? 'NA' : null,
        cloud_instance_name: host,
        cloud_graph_host_name: host,
        msgraph_host: host,
        rbac_url: url,
      },
    };
  });
}

function keys(deps: TokenServiceDeps, tenantSegment: string): Promise<SimResponse> {
  return guard(deps, () => {
    if (!SPECIAL_TENANTS.has(tenantSegment.toLowerCase()) && !deps.world.findTenant(tenantSegment)) throw tenantNotFound(tenantSegment);
    return { status: 200, body: { keys: [{ ...deps.keys.jwk, issuer: `${deps.url()}/{tenantid}/v2.0` }] } };
  });
}

/**
 * Instance discovery as MSAL calls it (`/common/discovery/instance?api-version=1.1&authorization_endpoint=...`):
 * the simulator's host is its own only alias.
 */
function instanceDiscovery(deps: TokenServiceDeps, req: SimRequest): SimResponse {
  const url = deps.url();
  const host = new URL(url).host;
  let tenant = 'common';
  const endpoint = req.query.get('authorization_endpoint');
  if (endpoint) {
    try {
      tenant = new URL(endpoint).pathname.split('/').filter(Boolean)[0] ?? 'common';
    } catch {
      // keep "common": Entra answers for malformed endpoints too
    }
  }
  return {
    status: 200,
    body: {
      tenant_discovery_endpoint: `${url}/${tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    },
  };
}

function tokenEndpoint(deps: TokenServiceDeps, req: SimRequest, tenantSegment: string): Promise<SimResponse> {
  return guard(deps, async () => {
    const form = formBody(req);
    const grantType = form.get('grant_type');
    if (!grantType)
      throw new EntraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
    if (grantType !== 'client_credentials' && grantType !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      throw new EntraError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
    }

    // Client authentication: client_secret_post, client_secret_basic or private_key_jwt.
    let clientId = form.get('client_id') ?? '';
    let secret = form.get('client_secret');
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const [id, pw] = Buffer.from(basic[1] as string, 'base64')
        .toString('utf8')
        .split(':');
      clientId = clientId || decodeURIComponent(id ?? '');
      secret = secret ?? decodeURIComponent(pw ?? '');
    }
    if (!clientId)
      throw new EntraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");

    let tenant: SimTenant | undefined;
    let assertionClaims: JWTPayload | undefined;
    if (grantType === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      assertionClaims = await checkUserAssertion(deps, form.get('assertion'));
    }
    if (SPECIAL_TENANTS.has(tenantSegment.toLowerCase())) {
      if (!assertionClaims)
        throw new EntraError(
          400,
          'invalid_request',
          50059,
          'No tenant-identifying information found in either the request or implied by any provided credentials.',
        );
      tenant = deps.world.findTenant(String(assertionClaims.tid));
    } else {
      tenant = deps.world.findTenant(tenantSegment);
    }
    if (!tenant) throw tenantNotFound(tenantSegment);

    // The tenant's own app registration (seed `appRegistrations`) works there without Convene's consent.
    const ownApp = tenant.appRegistrations.find((a) => a.clientId === clientId.toLowerCase());
    if (!ownApp && (clientId !== deps.clientId || !tenant.consentGranted)) {
      throw new EntraError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    const assertion = form.get('client_assertion');
    let appidacr = '1';
    if (assertion) {
      checkClientAssertion(deps, assertion, form.get('client_assertion_type'), tenant, ownApp?.clientId ?? deps.clientId);
      appidacr = '2';
    } else if (secret === null || secret === undefined) {
      throw new EntraError(
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    } else if (secret !== (ownApp ? ownApp.clientSecret : deps.clientSecret)) {
      throw new EntraError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${deps.clientId}'.`,
      );
    }

    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const url = deps.url();
    const resourceOf = (s: string) => s.replace(/\/[^/]*$/, '');
    const isGraph = (r: string) => r === url || r === `${url}/` || r === GRAPH_APP_ID;
    if (scopes.length === 0)
      throw new EntraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
    const foreign = scopes.find((s) => !['openid', 'profile', 'offline_access', 'email'].includes(s) && !isGraph(resourceOf(s)));
    if (foreign) {
      throw new EntraError(
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${resourceOf(foreign)} was not found in the tenant named ${tenant.displayName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      );
    }

    const nowS = Math.floor(deps.now() / 1000);
    const base: JWTPayload = {
      aud: url,
      iss: issuerFor(url, tenant.id),
      iat: nowS,
      nbf: nowS,
      exp: nowS + ONE_HOUR_S,
      aio: randomId(),
      app_displayname: 'Convene',
      appid: ownApp?.clientId ?? deps.clientId,
      appidacr,
      azp: ownApp?.clientId ?? deps.clientId,
      azpacr: appidacr,
      idp: issuerFor(url, tenant.id),
      rh: randomId(),
      tid: tenant.id,
      uti: randomId(),
      ver: '2.0',
    };
    let claims: JWTPayload;
    if (grantType === 'client_credentials') {
      if (!(scopes.length === 1 && (scopes[0] as string).endsWith('/.default'))) {
        throw new EntraError(
          400,
          'invalid_scope',
          1002012,
          `The provided value for scope ${scopes.join(' ')} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
        );
      }
      claims = { ...base, idtyp: 'app', oid: tenant.servicePrincipalId, sub: tenant.servicePrincipalId, roles: [...tenant.roles] };
    } else {
      const user = deps.world.findUser(tenant, String(assertionClaims?.oid ?? ''));
      if (!user) throw new EntraError(400, 'invalid_grant', 50034, 'The user account {EmailHidden} does not exist in the directory.');
      // Delegated permissions: what the tenant consented to, under the same names.
      claims = {
        ...base,
        idtyp: 'user',
        oid: user.id,
        sub: pairwiseSub(user.id, url),
        upn: user.userPrincipalName,
        unique_name: user.userPrincipalName,
        name: user.displayName,
        scp: tenant.roles.join(' '),
      };
    }
    const accessToken = await sign(deps.keys, claims);
    return {
      status: 200,
      body: { token_type: 'Bearer', expires_in: ONE_HOUR_S - 1, ext_expires_in: ONE_HOUR_S - 1, access_token: accessToken },
    };
  });
}

/** The on-behalf-of `assertion`: a user token for Convene's API signed by the simulator. */
async function checkUserAssertion(deps: TokenServiceDeps, assertion: string | null): Promise<JWTPayload> {
  if (!assertion)
    throw new EntraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'assertion'.");
  let claims: JWTPayload;
  try {
    const { payload } = await compactVerify(assertion, deps.keys.publicKey, { algorithms: ['RS256'] });
    claims = JSON.parse(new TextDecoder().decode(payload)) as JWTPayload;
  } catch {
    throw new EntraError(400, 'invalid_grant', 50013, 'Assertion failed signature validation.');
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < deps.now())
    throw new EntraError(400, 'invalid_grant', 500133, 'Assertion is not within its valid time range.');
  if (claims.aud !== deps.clientId && claims.aud !== `api://${deps.clientId}`)
    throw new EntraError(400, 'invalid_grant', 50013, 'Assertion audience does not match the Client app presenting the assertion.');
  return claims;
}

/**
 * A `private_key_jwt` client assertion: checked for shape, issuer/subject = client id, audience
 * (the token endpoint) and lifetime. The simulator has no registered certificate, so the
 * signature is not verified: this is a test double, not a security boundary.
 */
function checkClientAssertion(
  deps: TokenServiceDeps,
  assertion: string,
  type: string | null,
  tenant: SimTenant,
  expectedClientId: string = deps.clientId,
): void {
  if (type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
    throw new EntraError(400, 'invalid_request', 50027, `Invalid client_assertion_type '${type ?? ''}'.`);
  }
  let claims: JWTPayload;
  try {
    claims = decodeJwt(assertion);
  } catch {
    throw new EntraError(401, 'invalid_client', 50027, 'JWT token is invalid or malformed.');
  }
  if (claims.iss !== expectedClientId || claims.sub !== expectedClientId) {
    throw new EntraError(401, 'invalid_client', 700023, 'Client assertion audience claim does not match Realm issuer.');
  }
  const aud = String(claims.aud ?? '');
  if (!aud.startsWith(deps.url()) || !(aud.includes(tenant.id) || aud.toLowerCase().includes(tenant.domain.toLowerCase()))) {
    throw new EntraError(401, 'invalid_client', 700021, `Client assertion application identifier doesn't match 'client_id' parameter.`);
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < deps.now())
    throw new EntraError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
}

function adminConsentPage(deps: TokenServiceDeps, req: SimRequest, tenantSegment: string): SimResponse {
  const q = req.query;
  const clientId = q.get('client_id') ?? '';
  const redirectUri = q.get('redirect_uri') ?? '';
  if (clientId !== deps.clientId || !redirectUri) {
    return {
      status: 400,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      text: page(
        'Sign in',
        `<p>AADSTS700016: Application with identifier '${escapeHtml(clientId)}' was not found, or redirect_uri is missing.</p>`,
      ),
    };
  }
  const special = SPECIAL_TENANTS.has(tenantSegment.toLowerCase());
  const tenant = special ? undefined : deps.world.findTenant(tenantSegment);
  if (!special && !tenant)
    return {
      status: 400,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      text: page('Sign in', `<p>AADSTS90002: Tenant '${escapeHtml(tenantSegment)}' not found.</p>`),
    };
  // Seeded outcome (`consent.page`): answer at once, as Entra does for a remembered decision.
  if (tenant && tenant.consentPage !== 'ask' && /^https?:\/\//i.test(redirectUri))
    return consentAnswer(deps, tenant, redirectUri, q.get('state'), q.get('scope'), tenant.consentPage);
  const hidden = ['client_id', 'redirect_uri', 'state', 'scope']
    .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(q.get(k) ?? '')}">`)
    .join('');
  const who = tenant
    ? `<p>Tenant: <b>${escapeHtml(tenant.displayName)}</b> (${escapeHtml(tenant.domain)})</p>`
    : `<p><label>Administrator (user principal name): <input name="login_hint" value="${escapeHtml(q.get('login_hint') ?? '')}"></label></p>`;
  const perms = (tenant?.roles ?? ['Calendars.ReadWrite', 'MailboxSettings.Read', 'User.ReadBasic.All'])
    .map((r) => `<li>${escapeHtml(r)}</li>`)
    .join('');
  return {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    text: page(
      'Permissions requested',
      `<p><b>Convene</b> (simulated) asks for these application permissions for your whole organization:</p><ul>${perms}</ul>
<form method="post">${hidden}${who}<button name="action" value="accept">Accept</button> <button name="action" value="cancel">Cancel</button></form>`,
    ),
  };
}

function adminConsentDecision(deps: TokenServiceDeps, req: SimRequest, tenantSegment: string): SimResponse {
  const form = formBody(req);
  const redirectUri = form.get('redirect_uri') ?? '';
  if (form.get('client_id') !== deps.clientId || !/^https?:\/\//i.test(redirectUri)) {
    return {
      status: 400,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      text: page('Sign in', '<p>AADSTS700016: unknown client_id or invalid redirect_uri.</p>'),
    };
  }
  let tenant: SimTenant | undefined;
  if (SPECIAL_TENANTS.has(tenantSegment.toLowerCase())) {
    const admin = deps.world.findUserAnywhere(form.get('login_hint') ?? '');
    tenant = admin ? deps.world.tenantOf(admin) : undefined;
    if (!tenant)
      return {
        status: 400,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        text: page('Sign in', '<p>AADSTS50034: That administrator account does not exist.</p>'),
      };
  } else {
    tenant = deps.world.findTenant(tenantSegment);
  }
  if (!tenant)
    return {
      status: 400,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      text: page('Sign in', `<p>AADSTS90002: Tenant not found.</p>`),
    };
  const decision = tenant.consentPage !== 'ask' ? tenant.consentPage : form.get('action') === 'accept' ? 'approve' : 'decline';
  return consentAnswer(deps, tenant, redirectUri, form.get('state'), form.get('scope'), decision);
}

/** Messages of the AADSTS errors a seed can make the consent page answer with (`consent.page`). */
const CONSENT_ERRORS: Readonly<Record<string, [string, string]>> = Object.freeze({
  '65004': ['access_denied', 'User declined to consent to access the app.'],
  '700016': ['unauthorized_client', 'Application with identifier was not found in the directory.'],
  '90094': ['consent_required', 'Admin consent is required for the permissions requested by this application.'],
  '90095': [
    'consent_required',
    'Admin consent is required for the permissions requested by this application. An admin consent request may be sent to the admin.',
  ],
  '7000215': ['invalid_client', 'Invalid client secret provided.'],
  '7000222': ['invalid_client', 'The provided client secret keys are expired.'],
  '90002': ['invalid_tenant', 'Tenant not found. This may happen if there are no active subscriptions for the tenant.'],
});

/**
 * Redirects back like Entra ID: approve grants consent (`admin_consent=True&tenant&scope`);
 * decline is AADSTS65004 with `admin_consent=False`; an `AADSTS<n>` error comes WITH
 * `admin_consent=True`, as Microsoft sometimes sends it (clients must check `error` first).
 */
function consentAnswer(
  deps: TokenServiceDeps,
  tenant: SimTenant,
  redirectUri: string,
  state: string | null,
  scope: string | null,
  decision: string,
): SimResponse {
  const target = new URL(redirectUri);
  if (decision === 'approve') {
    tenant.consentGranted = true;
    target.searchParams.set('admin_consent', 'True');
    target.searchParams.set('tenant', tenant.id);
    target.searchParams.set('scope', scope || `${deps.url()}/.default`);
  } else if (decision === 'decline') {
    target.searchParams.set('error', 'access_denied');
    target.searchParams.set('error_description', 'AADSTS65004: User declined to consent to access the app.');
    target.searchParams.set('admin_consent', 'False');
    target.searchParams.set('tenant', tenant.id);
  } else {
    const code = decision.replace(/^AADSTS/, '');
    const [error, text] = CONSENT_ERRORS[code] ?? ['server_error', 'The request could not be completed.'];
    target.searchParams.set('error', error);
    target.searchParams.set('error_description', `AADSTS${code}: ${text}`);
    target.searchParams.set('admin_consent', 'True');
    target.searchParams.set('tenant', tenant.id);
  }
  if (state !== null) target.searchParams.set('state', state);
  return { status: 302, headers: { location: target.toString() } };
}

async function sign(keys: SigningKeys, claims: JWTPayload): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: keys.kid }).sign(keys.privateKey);
}

function randomId(): string {
  return randomBytes(16).toString('base64url');
}

/** Entra's `sub` is pairwise: stable per user and app, different across apps. */
function pairwiseSub(userId: string, appId: string): string {
  return Buffer.from(guidFrom(`sub:${userId}:${appId}`).replace(/-/g, ''), 'hex').toString('base64url');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} - Microsoft 365 simulator</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}<p><small>Local Microsoft 365 simulator (Convene dev tool)</small></p></body></html>`;
}
