/**
 * Verification of the user access tokens sent to Convene's API (the first part of the dual lock).
 *
 * A token is accepted only when its RS256 signature verifies against the signing keys of the
 * tenant named in it (`<login host>/<tid>/discovery/v2.0/keys`), its issuer is exactly
 * `<login host>/<tid>/v2.0`, its audience is Convene's app (`<client id>` or `api://<client id>`),
 * `exp`/`nbf` hold (60 s skew), and it carries `tid`, `oid` and the delegated scope
 * `access_as_user` (so an app-only token for our API is refused).
 *
 * Keys are fetched with jose's remote JWK set per tenant: cached, refetched when a token names an
 * unknown `kid` (Entra rolls keys; new keys appear in the set before they sign), at most once
 * per cooldown, so a flood of forged `kid`s cannot hammer Entra.
 *
 * Verified tokens are remembered (see {@link verifiedTokenCacheSize}): a client sends the same
 * token on every call for up to an hour, and the RS256 verification was about 5% of the server's
 * CPU per availability request under load. An entry is keyed by the SHA-256 of the token (the
 * token itself is not kept), holds only what verification produced, and is used only until the
 * token's `exp` (never the skew after it: from then on the token is verified again, with the
 * skew). Refusals are never remembered. This trusts a verified token until its expiry even if
 * its signing key leaves the tenant's key set meanwhile, which the key set cache (24 h) already
 * does.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-tokens
 * @see https://learn.microsoft.com/entra/identity-platform/signing-key-rollover
 */
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, customFetch, decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { ConveneError } from '../../shared/errors';
import type { FetchLike } from '../net';

/** Who is calling: the only identity the server trusts. */
export interface AuthContext {
  /** Entra tenant id (GUID). */
  tid: string;
  /** The user's object id (GUID) in that tenant. */
  oid: string;
  /** `preferred_username` (usually the UPN); display only, never used for authorization. */
  username: string;
  /** `name` claim, display only. */
  name: string;
  /** App roles of Convene assigned to the user (`roles` claim), e.g. `Convene.Admin`. */
  roles: string[];
  /** Token expiry, epoch seconds. */
  exp: number;
}

export interface UserTokenVerifierOptions {
  /** Entra login host, e.g. `https://login.microsoftonline.com`. */
  loginEndpoint: string;
  /** Convene's application (client) id. */
  clientId: string;
  fetch: FetchLike;
  /** Allowed clock skew, seconds (default 60). */
  clockToleranceSeconds?: number;
  /** For tests: the current time, epoch ms. */
  now?: () => number;
  /** Verified tokens remembered at most (least recently used leave first); default {@link verifiedTokenCacheSize}, 0 turns it off. */
  cacheSize?: number;
}

/** Default number of verified tokens a verifier remembers (about 1 KB each). */
export const verifiedTokenCacheSize = 10_000;

/** Verifies bearer tokens; one instance per process (it holds the per-tenant key caches). */
export interface UserTokenVerifier {
  /**
   * @param authorization the `Authorization` header value
   * @throws ConveneError `unauthenticated` (401) with a message that names what failed;
   *   `graph_unavailable` (503) when the tenant's signing keys cannot be fetched
   */
  verify(authorization: string | undefined): Promise<AuthContext>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TENANT_KEY_SETS = 1000;

/** Creates a verifier. @example const verifier = createUserTokenVerifier({ loginEndpoint, clientId, fetch }); */
export function createUserTokenVerifier(options: UserTokenVerifierOptions): UserTokenVerifier {
  const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  const skew = options.clockToleranceSeconds ?? 60;
  const now = () => options.now?.() ?? Date.now();
  const cacheSize = Math.max(0, options.cacheSize ?? verifiedTokenCacheSize);
  // Map order is insertion order: a hit is re-inserted, so the first key is the least recently used.
  const verified = new Map<string, { auth: AuthContext; untilMs: number }>();

  function remembered(key: string): AuthContext | undefined {
    const hit = verified.get(key);
    if (!hit) return undefined;
    verified.delete(key);
    if (now() >= hit.untilMs) return undefined;
    verified.set(key, hit);
    return copy(hit.auth);
  }

  function remember(key: string, auth: AuthContext): void {
    if (cacheSize === 0) return;
    const untilMs = auth.exp * 1000;
    if (!(untilMs > now())) return; // accepted only thanks to the skew: verify again next time
    verified.delete(key);
    while (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string);
    verified.set(key, { auth: copy(auth), untilMs });
  }

  function keysFor(tid: string): ReturnType<typeof createRemoteJWKSet> {
    let set = keySets.get(tid);
    if (!set) {
      if (keySets.size >= MAX_TENANT_KEY_SETS) keySets.delete(keySets.keys().next().value as string);
      set = createRemoteJWKSet(new URL(`${options.loginEndpoint}/${tid}/discovery/v2.0/keys`), {
        cacheMaxAge: 24 * 60 * 60 * 1000,
        // An unknown kid refetches the set at most every 30 s: fast pickup of rolled keys, bounded load on Entra.
        cooldownDuration: 30_000,
        timeoutDuration: 5000,
        [customFetch]: (url: string, init: RequestInit) => options.fetch(url, init),
      });
      keySets.set(tid, set);
    }
    return set;
  }

  return {
    async verify(authorization) {
      const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(authorization?.trim() ?? '');
      if (!match) throw unauth('A bearer token is required: send "Authorization: Bearer <token>".');
      const token = match[1] as string;
      const cacheKey = createHash('sha256').update(token).digest('base64url');
      const hit = remembered(cacheKey);
      if (hit) return hit;

      let unverified: JWTPayload;
      try {
        unverified = decodeJwt(token);
      } catch (e) {
        throw unauth('The token is not a well-formed JWT.', e);
      }
      const tid = unverified.tid;
      if (typeof tid !== 'string' || !GUID.test(tid)) throw unauth('The token has no valid tenant (tid) claim.');

      let payload: JWTPayload;
      try {
        const currentMs = options.now?.();
        const result = await jwtVerify(token, keysFor(tid.toLowerCase()), {
          algorithms: ['RS256'],
          issuer: `${options.loginEndpoint}/${tid}/v2.0`,
          audience: [options.clientId, `api://${options.clientId}`],
          clockTolerance: skew,
          requiredClaims: ['exp', 'iat', 'tid', 'oid'],
          ...(currentMs === undefined ? {} : { currentDate: new Date(currentMs) }),
        });
        payload = result.payload;
      } catch (e) {
        // Entra's key endpoint unreachable is an outage, not the caller's fault: 503, retry later.
        if (e instanceof joseErrors.JWKSTimeout || !(e instanceof joseErrors.JOSEError))
          throw new ConveneError('graph_unavailable', "Microsoft Entra ID's signing keys could not be fetched; try again shortly.", {
            cause: e,
            retryAfterMs: 5000,
          });
        throw unauth(describeJoseError(e), e);
      }

      const oid = payload.oid;
      if (typeof oid !== 'string' || !GUID.test(oid)) throw unauth('The token has no valid user object id (oid) claim.');
      if (payload.tid !== tid) throw unauth('The token tenant changed during verification.');
      const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
      if (!scopes.includes('access_as_user'))
        throw unauth('The token is not a delegated user token for Convene (scope access_as_user is missing).');
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
      const auth: AuthContext = {
        tid: tid.toLowerCase(),
        oid: oid.toLowerCase(),
        username: typeof payload.preferred_username === 'string' ? payload.preferred_username : '',
        name: typeof payload.name === 'string' ? payload.name : '',
        roles,
        exp: payload.exp as number,
      };
      remember(cacheKey, auth);
      return auth;
    },
  };
}

/** A caller may change what it got; the remembered identity must not change with it. */
function copy(auth: AuthContext): AuthContext {
  return { ...auth, roles: [...auth.roles] };
}

function unauth(message: string, cause?: unknown): ConveneError {
  return new ConveneError('unauthenticated', message, cause === undefined ? {} : { cause });
}

/** Turns jose's typed failures into messages a developer can act on (never echoing the token). */
function describeJoseError(e: unknown): string {
  if (e instanceof joseErrors.JWTExpired) return 'The token has expired.';
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    switch (e.claim) {
      case 'aud':
        return 'The token is for another audience, not Convene.';
      case 'iss':
        return 'The token was not issued by Microsoft Entra ID for its tenant.';
      case 'nbf':
        return 'The token is not valid yet.';
      default:
        return `The token's "${e.claim}" claim is missing or invalid.`;
    }
  }
  if (e instanceof joseErrors.JWKSNoMatchingKey) return "The token is signed by a key that is not one of the tenant's signing keys.";
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return 'The token signature does not verify.';
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return 'The token is not signed with RS256.';
  if (e instanceof joseErrors.JOSEError) return `The token could not be verified (${e.code}).`;
  return 'The token could not be verified.';
}
