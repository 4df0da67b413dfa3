/**
 * Convene's error codes and the one error class that carries them.
 *
 * Codes are stable snake_case strings (the API contract in DESIGN.md, "HTTP API v1"); only
 * `src/server/http/errors.ts` turns a {@link ConveneError} into `{"error":{code,message,requestId}}`.
 * Shaped after msal-common's `AuthError` + `*ErrorCodes.ts` constants.
 */

/** 400: the body, query or a header does not pass its schema. */
export const invalidRequest = 'invalid_request';
/** 401: no token, or a token whose signature, issuer, audience, expiry or tenant does not verify. */
export const unauthenticated = 'unauthenticated';
/** 403: the caller's tenant has no valid admin consent (or was disconnected). */
export const tenantNotConsented = 'tenant_not_consented';
/** 403: authenticated, but not allowed to do this (wrong tenant, missing app role, left the tenant). */
export const forbidden = 'forbidden';
/** 404: no such resource for this caller. */
export const notFound = 'not_found';
/** 405 */
export const methodNotAllowed = 'method_not_allowed';
/** 409: the panel is no longer free for the requested slot (re-checked at booking time). */
export const slotTaken = 'slot_taken';
/** 409: an `Idempotency-Key` was reused with a different request body. */
export const idempotencyKeyReused = 'idempotency_key_reused';
/** 409: the interview's state does not allow the operation (e.g. cancelling a cancelled interview). */
export const conflict = 'conflict';
/** 413: the request body is larger than the route accepts. */
export const payloadTooLarge = 'payload_too_large';
/** 415: the body is not `application/json`. */
export const unsupportedMediaType = 'unsupported_media_type';
/** 422: the request is well formed but cannot be scheduled (e.g. the organizer's zone cannot be mapped). */
export const unprocessable = 'unprocessable';
/** 429: too many requests from this caller. */
export const tooManyRequests = 'too_many_requests';
/** 502: Microsoft Graph answered with something Convene cannot use. */
export const graphError = 'graph_error';
/** 503: Microsoft Graph or Entra ID is throttling or unavailable; carries `Retry-After`. */
export const graphUnavailable = 'graph_unavailable';
/** 500: a bug; logged with the request id, never with details in the response. */
export const internal = 'internal';

/** Every code Convene answers with. */
export type ErrorCode =
  | typeof invalidRequest
  | typeof unauthenticated
  | typeof tenantNotConsented
  | typeof forbidden
  | typeof notFound
  | typeof methodNotAllowed
  | typeof slotTaken
  | typeof idempotencyKeyReused
  | typeof conflict
  | typeof payloadTooLarge
  | typeof unsupportedMediaType
  | typeof unprocessable
  | typeof tooManyRequests
  | typeof graphError
  | typeof graphUnavailable
  | typeof internal;

/** HTTP status for each code. */
export const statusOf: Readonly<Record<ErrorCode, number>> = Object.freeze({
  invalid_request: 400,
  unauthenticated: 401,
  tenant_not_consented: 403,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  slot_taken: 409,
  idempotency_key_reused: 409,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  too_many_requests: 429,
  graph_error: 502,
  graph_unavailable: 503,
  internal: 500,
});

/** Optional details of a {@link ConveneError}. */
export interface ConveneErrorOptions {
  /** The underlying error, kept for logs; never sent to clients. */
  cause?: unknown;
  /** For 429/503: how long the client should wait, in ms (sent as `Retry-After` seconds). */
  retryAfterMs?: number;
  /** Field-level problems for `invalid_request` (path -> message), safe to send to clients. */
  details?: ReadonlyArray<{ path: string; message: string }>;
}

/**
 * The one error type Convene throws on purpose. `message` is written for the caller
 * (safe to show: no tokens, secrets or event bodies).
 */
export class ConveneError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  readonly details: ReadonlyArray<{ path: string; message: string }> | undefined;

  constructor(code: ErrorCode, message: string, options: ConveneErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConveneError';
    this.code = code;
    this.status = statusOf[code];
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
  }
}

/** True when `e` is a {@link ConveneError}, optionally with the given code. */
export function isConveneError(e: unknown, code?: ErrorCode): e is ConveneError {
  return e instanceof ConveneError && (code === undefined || e.code === code);
}
