/**
 * The one place errors become HTTP responses (hono's `errorHandler`): a {@link ConveneError}
 * becomes `{"error":{code,message,requestId}}` with its status; anything else is a bug, logged
 * once here with the request id and answered as a bare 500.
 */
import type { ErrorBody } from '../../shared/api';
import { ConveneError, isConveneError } from '../../shared/errors';
import type { Logger } from '../log';

export interface HttpResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Maps any thrown value to a response. Logs 5xx (with cause) and nothing for expected 4xx. */
export function toErrorResponse(err: unknown, requestId: string, log: Logger): HttpResponse {
  const e = isConveneError(err)
    ? err
    : new ConveneError('internal', 'Something went wrong on our side. Quote the request id if you report it.', { cause: err });
  if (e.status >= 500)
    log.error(
      {
        err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack, cause: describeCause(err) } : String(err),
        requestId,
        code: e.code,
      },
      'request failed',
    );
  const body: ErrorBody = { error: { code: e.code, message: e.message, requestId, ...(e.details ? { details: [...e.details] } : {}) } };
  const headers: Record<string, string> = {};
  if (e.retryAfterMs !== undefined) headers['Retry-After'] = String(Math.max(1, Math.ceil(e.retryAfterMs / 1000)));
  return { status: e.status, body, headers };
}

function describeCause(err: Error): string | undefined {
  const c = (err as { cause?: unknown }).cause;
  if (c instanceof Error) return `${c.name}: ${c.message}`;
  return c === undefined ? undefined : String(c);
}
