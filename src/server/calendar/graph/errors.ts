/**
 * Microsoft Graph failures, in two shapes:
 *
 * - {@link GraphError}: a whole call failed. It is a {@link ConveneError} (`graph_error`, or
 *   `graph_unavailable` with `retryAfterMs` when Graph kept throttling), so `http/errors.ts` maps it
 *   like any other, and it carries what an operator needs to open a ticket with Microsoft: Graph's
 *   HTTP status, Graph's `error.code` and the `request-id` response header. Never the body: Graph
 *   error messages can quote mailbox addresses, subjects or tokens' claims.
 * - {@link MailboxFailure} (from `provider.ts`): ONE mailbox could not be read. A value, never an
 *   exception, and never read as free (cal.com dropped such sub-responses and showed people as free).
 *
 * @see https://learn.microsoft.com/graph/errors
 * @see https://learn.microsoft.com/graph/auth-limit-mailbox-access
 */
import { ConveneError } from '../../../shared/errors';
import type { MailboxFailure, MailboxFailureStatus } from '../provider';

/** Convene codes a {@link GraphError} can carry. */
export type GraphErrorCode = 'graph_error' | 'graph_unavailable';

/** What a {@link GraphError} is made from. */
export interface GraphErrorInit {
  /** HTTP status Graph answered; 0 when no answer came (network error, timeout). */
  graphStatus: number;
  /** Graph's `error.code`, e.g. `ErrorAccessDenied`. */
  graphCode?: string | undefined;
  /** Graph's `request-id` response header. */
  graphRequestId?: string | null | undefined;
  /** How long to wait before trying again, in ms (from `Retry-After` or the backoff). */
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

/**
 * A whole Graph call that failed. `status` (inherited) is Convene's HTTP status for `code`
 * (502 / 503); Graph's own status is {@link GraphError.graphStatus}.
 *
 * @example
 * throw new GraphError('graph_error', 'Microsoft Graph answered 500 to events.create.', { graphStatus: 500, graphRequestId: 'c0ffee…' });
 */
export class GraphError extends ConveneError {
  /** HTTP status Graph answered; 0 when no answer came. */
  readonly graphStatus: number;
  /** Graph's `error.code`, when the body had one. */
  readonly graphCode: string | undefined;
  /** Graph's `request-id` response header (quote it to Microsoft support). */
  readonly graphRequestId: string | undefined;

  constructor(code: GraphErrorCode, message: string, init: GraphErrorInit) {
    super(code, message, { cause: init.cause, retryAfterMs: init.retryAfterMs });
    this.name = 'GraphError';
    this.graphStatus = init.graphStatus;
    this.graphCode = init.graphCode || undefined;
    this.graphRequestId = init.graphRequestId ?? undefined;
  }
}

/** True when `e` is a {@link GraphError}. */
export function isGraphError(e: unknown): e is GraphError {
  return e instanceof GraphError;
}

/** Graph's `{ error: { code, message, innerError: { 'request-id' } } }`, read defensively. */
export interface GraphErrorBody {
  code: string | undefined;
  /** For classification only (see {@link classifyMailboxFailure}); never stored, logged or audited. */
  message: string | undefined;
  innerRequestId: string | undefined;
}

/** Reads Graph's error envelope from a parsed JSON body; every field is undefined when absent. */
export function readGraphErrorBody(body: unknown): GraphErrorBody {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const inner = error && isRecord(error.innerError) ? error.innerError : undefined;
  return {
    code: typeof error?.code === 'string' && error.code !== '' ? error.code : undefined,
    message: typeof error?.message === 'string' ? error.message : undefined,
    innerRequestId: typeof inner?.['request-id'] === 'string' ? inner['request-id'] : undefined,
  };
}

/** Graph's answer that a whole call failed with, as {@link graphErrorFromResponse} needs it. */
export interface FailedGraphResponse {
  status: number;
  requestId: string | null;
  body: unknown;
}

/**
 * A {@link GraphError} for a non-success answer to `operation` (e.g. `events.create`):
 * `graph_unavailable` for 429/503/504 (with `retryAfterMs` when given), `graph_error` otherwise.
 * The message names the status and Graph code only.
 */
export function graphErrorFromResponse(operation: string, res: FailedGraphResponse, retryAfterMs?: number): GraphError {
  const { code, innerRequestId } = readGraphErrorBody(res.body);
  const unavailable = res.status === 429 || res.status === 503 || res.status === 504;
  const what = code ? `${res.status} ${code}` : String(res.status);
  return new GraphError(
    unavailable ? 'graph_unavailable' : 'graph_error',
    unavailable
      ? `Microsoft Graph is throttling or unavailable (${what} to ${operation}); try again later.`
      : `Microsoft Graph answered ${what} to ${operation}.`,
    { graphStatus: res.status, graphCode: code, graphRequestId: res.requestId ?? innerRequestId, retryAfterMs },
  );
}

/** One mailbox's failure as Graph reported it. */
export interface GraphMailboxFailureInput {
  /**
   * HTTP status of the answer about this mailbox (a sub-response's status in a `$batch`); 0 when
   * there is none, as for a getSchedule `scheduleInformation.error`, which arrives inside a 200.
   */
  status: number;
  /** Graph `error.code`, or getSchedule's `freeBusyError.responseCode`. */
  code?: string | null | undefined;
  /** Graph's message, used only to recognise application access policy denials; never kept. */
  message?: string | null | undefined;
}

/** Admin-readable reason for `blocked`. */
export const blockedReason =
  "Convene is not allowed to read this mailbox: the tenant's application access policy or RBAC for Applications scope excludes it.";

/** Admin-readable reason for a 403 that does not name the access policy. */
export const accessDeniedReason =
  "Microsoft Graph denied access to this mailbox: Convene may lack an application permission (Calendars.ReadWrite, MailboxSettings.Read) in this tenant, or the tenant's application access policy or RBAC for Applications scope excludes it.";

/**
 * Graph codes that mean "no such mailbox" (or none Graph can reach: `MailboxNotEnabledForRESTAPI`
 * is an inactive, soft-deleted or on-premises mailbox). `5009` is getSchedule's
 * `freeBusyError.responseCode` for an address that does not resolve to a directory object.
 */
const notFoundCodes: ReadonlySet<string> = new Set([
  'ErrorInvalidUser',
  'ErrorMailRecipientNotFound',
  'ErrorNonExistentMailbox',
  'MailboxNotEnabledForRESTAPI',
  'MailboxNotSupportedForRESTAPI',
  'Request_ResourceNotFound',
  'ResourceNotFound',
  'ErrorItemNotFound',
  '5009',
]);

/**
 * How an application access policy (or RBAC for Applications scope) denial shows up: 403
 * `ErrorAccessDenied` "Access to OData is disabled." (documented), sometimes with
 * "[RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings", or 403 `ExtensionError`
 * "... Reason: Access to OData is disabled." (reported in msgraph-sdk-javascript#252).
 */
const accessPolicyMessage = /access to odata is disabled|\bRAOP\b|appOnly accesspolicy/i;

/**
 * Which {@link MailboxFailureStatus} a Graph answer about one mailbox means.
 * `blocked`: access policy / RBAC scope (403 `ErrorAccessDenied`, `ExtensionError`, "Access to
 * OData is disabled", RAOP); `notFound`: 404 or a no-such-mailbox code; `error`: anything else.
 */
export function classifyMailboxFailure(input: GraphMailboxFailureInput): MailboxFailureStatus {
  const code = input.code?.trim() ?? '';
  const message = input.message ?? '';
  if (accessPolicyMessage.test(message)) return 'blocked';
  if (code === 'ErrorAccessDenied' && (input.status === 403 || input.status === 0)) return 'blocked';
  if (code === 'ExtensionError' && input.status === 403) return 'blocked';
  if (input.status === 404 || notFoundCodes.has(code)) return 'notFound';
  // getSchedule reports unresolvable addresses by message, sometimes with a numeric code only.
  if (input.status === 0 && /unable to resolve e-?mail address/i.test(message)) return 'notFound';
  return 'error';
}

/**
 * A Graph answer about ONE mailbox as a {@link MailboxFailure} with an admin-readable reason
 * (never Graph's message: it may quote other people's data).
 */
export function toMailboxFailure(input: GraphMailboxFailureInput): MailboxFailure {
  const status = classifyMailboxFailure(input);
  const code = input.code?.trim() || undefined;
  const detail = [input.status ? `HTTP ${input.status}` : undefined, code].filter((x) => x !== undefined).join(', ');
  let reason: string;
  switch (status) {
    case 'blocked':
      // A 403 without the access-policy wording can also be a missing application permission.
      reason = accessPolicyMessage.test(input.message ?? '') ? blockedReason : accessDeniedReason;
      break;
    case 'notFound':
      reason = `No Exchange Online mailbox that Microsoft Graph can reach was found for this address (${detail || 'not found'}).`;
      break;
    case 'error':
      reason = `Microsoft Graph could not read this mailbox (${detail || 'no details'}).`;
      break;
    default:
      return assertNever(status);
  }
  return code ? { status, reason, graphCode: code } : { status, reason };
}

/** A per-mailbox `error` with a reason of Convene's own (missing sub-response, malformed data). */
export function mailboxError(reason: string): MailboxFailure {
  return { status: 'error', reason };
}

function assertNever(x: never): never {
  throw new Error(`Unexpected mailbox failure status: ${String(x)}`);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
