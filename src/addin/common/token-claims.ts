/**
 * Reads the claims of an access token for display only (who is signed in, which tenant, which
 * app roles). The browser never trusts them: the server verifies every token it receives.
 */

/** The claims a page shows or routes by. */
export interface TokenClaims {
  /** Tenant id (`tid`). */
  tid: string | undefined;
  /** User object id (`oid`). */
  oid: string | undefined;
  /** Sign-in name (`preferred_username`, else `upn`). */
  username: string | undefined;
  /** Display name (`name`). */
  name: string | undefined;
  /** App roles (`roles`), e.g. `Convene.Admin`. */
  roles: string[];
  /** Expiry, epoch ms (`exp`); 0 when absent. */
  expiresAtMs: number;
}

function base64UrlDecode(part: string): string {
  const b64 = part
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(part.length / 4) * 4, '=');
  const binary = atob(b64);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/**
 * The display claims of a JWT (unverified).
 * @throws Error when `token` is not a JWT with a JSON payload
 */
export function readTokenClaims(token: string): TokenClaims {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('Not a JSON Web Token.');
  const c = JSON.parse(base64UrlDecode(payload)) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    tid: str(c.tid),
    oid: str(c.oid),
    username: str(c.preferred_username) ?? str(c.upn),
    name: str(c.name),
    roles: Array.isArray(c.roles) ? c.roles.filter((r): r is string => typeof r === 'string') : [],
    expiresAtMs: typeof c.exp === 'number' ? c.exp * 1000 : 0,
  };
}

/** Tokens this close to expiry count as expired (ms). */
const EXPIRY_MARGIN_MS = 60_000;

/** The display claims of `token` when it is a JWT not yet (nearly) expired at `nowMs`; else null. */
export function unexpiredClaims(token: string | null, nowMs: number): TokenClaims | null {
  if (!token) return null;
  try {
    const claims = readTokenClaims(token);
    return claims.expiresAtMs - EXPIRY_MARGIN_MS > nowMs ? claims : null;
  } catch {
    return null;
  }
}
