/**
 * The taskpane's calls to Convene's HTTP API v1 (never Graph): typed with `src/shared/api.ts`,
 * every booking with an `Idempotency-Key` and `x-convene-channel: addin`.
 *
 * A 401 first re-acquires the token silently and retries once; if that fails it throws
 * {@link SignInRequired} so the page can prompt without losing what the user typed.
 */
import type {
  AvailabilityRequestInput,
  AvailabilityResponse,
  BookedInterview,
  CreateInterviewRequestInput,
  Interview,
  Person,
} from '../../shared/api';
import type { Me } from '../../shared/me';
import { ApiError } from '../common/api-client';
import type { TaskpaneAuth } from './auth';

export { ApiError };

/** The user must sign in again (the token expired and could not be renewed silently). */
export class SignInRequired extends Error {
  constructor() {
    super('Your sign-in expired. Sign in again to continue; what you typed is kept.');
    this.name = 'SignInRequired';
  }
}

/** Field-level problems of a 400 `invalid_request` (`details`), by path (`panel.1`, `window.end`). */
export interface FieldProblem {
  path: string;
  message: string;
}

/** An API error with the field problems of a 400, when the server listed them. */
export class ApiProblem extends ApiError {
  readonly details: FieldProblem[];
  readonly retryAfterSeconds: number | undefined;
  constructor(status: number, code: string, message: string, requestId: string | undefined, details: FieldProblem[], retryAfter?: number) {
    super(status, code, message, requestId);
    this.details = details;
    this.retryAfterSeconds = retryAfter;
  }
}

export interface TaskpaneApi {
  me(): Promise<Me>;
  people(q: string, signal?: AbortSignal): Promise<Person[]>;
  availability(body: AvailabilityRequestInput): Promise<AvailabilityResponse>;
  /** Books with `idempotencyKey` (make it once per booking attempt; reuse it when retrying that attempt). */
  book(body: CreateInterviewRequestInput, idempotencyKey: string): Promise<BookedInterview>;
  interviews(fromIso: string): Promise<Interview[]>;
  cancel(id: string): Promise<Interview>;
}

/** Builds the client over `fetch` (default: the browser's) against `baseUrl` (default: this origin). */
export function createTaskpaneApi(auth: TaskpaneAuth, options: { baseUrl?: string; fetch?: typeof fetch } = {}): TaskpaneApi {
  const base = (options.baseUrl ?? '').replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? ((i, init) => fetch(i, init));

  async function send(method: 'GET' | 'POST', path: string, body?: unknown, extra: Record<string, string> = {}, signal?: AbortSignal) {
    const attempt = async (token: string) =>
      fetchImpl(`${base}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...extra,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal ? { signal } : {}),
      });
    const token = await auth.getToken();
    if (!token) throw new SignInRequired();
    let res: Response;
    try {
      res = await attempt(token);
      if (res.status === 401) {
        // Expired or revoked: renew silently once, then ask the user.
        auth.invalidate();
        const renewed = await auth.silent().catch(() => null);
        if (!renewed) throw new SignInRequired();
        res = await attempt(renewed);
        if (res.status === 401) {
          auth.invalidate();
          throw new SignInRequired();
        }
      }
    } catch (e) {
      if (e instanceof SignInRequired || (e as Error).name === 'AbortError') throw e;
      throw new ApiProblem(
        0,
        'network_error',
        'Convene could not be reached. Check your connection and try again; your entries are kept.',
        undefined,
        [],
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string; requestId?: string; details?: FieldProblem[] } } | undefined)
        ?.error;
      const retry = Number(res.headers.get('retry-after'));
      throw new ApiProblem(
        res.status,
        err?.code ?? `http_${res.status}`,
        err?.message ??
          (res.status >= 500
            ? 'Convene is not answering right now. Try again in a moment; your entries are kept.'
            : `Convene answered HTTP ${res.status}.`),
        err?.requestId ?? res.headers.get('x-request-id') ?? undefined,
        Array.isArray(err?.details) ? err.details : [],
        Number.isFinite(retry) && retry > 0 ? retry : undefined,
      );
    }
    return json;
  }

  return {
    me: async () => (await send('GET', '/api/me')) as Me,
    people: async (q, signal) => (await send('GET', `/api/people?q=${encodeURIComponent(q)}`, undefined, {}, signal)) as Person[],
    availability: async (body) => (await send('POST', '/api/availability', body)) as AvailabilityResponse,
    book: async (body, key) =>
      (await send('POST', '/api/interviews', body, { 'idempotency-key': key, 'x-convene-channel': 'addin' })) as BookedInterview,
    interviews: async (fromIso) => (await send('GET', `/api/interviews?from=${encodeURIComponent(fromIso)}`)) as Interview[],
    cancel: async (id) => (await send('POST', `/api/interviews/${encodeURIComponent(id)}/cancel`, {})) as Interview,
  };
}
