/**
 * A small client for Convene's HTTP API v1 from a browser page: JSON in and out, the bearer token
 * from the page's sign-in, and errors as {@link ApiError} carrying the API's
 * `{"error":{code,message,requestId}}` (DESIGN.md "HTTP API v1"). Pages talk only to Convene's API,
 * never to Graph.
 */

/** An error answer of Convene's API (or a network failure, code `network_error`). */
export class ApiError extends Error {
  /** HTTP status; 0 when the request never got an answer. */
  readonly status: number;
  /** The API's error code (`forbidden`, `invalid_request`, ...). */
  readonly code: string;
  /** The request id to quote in a report, when the server sent one. */
  readonly requestId: string | undefined;

  constructor(status: number, code: string, message: string, requestId?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }
}

export interface ApiClientOptions {
  /** Origin of Convene's API; default: the page's own origin (relative URLs). */
  baseUrl?: string;
  /** The current access token for Convene's API, or null when signed out (no Authorization header). */
  getToken: () => Promise<string | null>;
  /** Transport (default: the browser's fetch). */
  fetch?: typeof fetch;
}

export interface ApiClient {
  /**
   * Sends `method path` with an optional JSON body and returns the parsed JSON answer (undefined for 204).
   * @throws ApiError for any non-2xx answer (with the API's code and request id) or a network failure
   */
  request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

/** Builds an {@link ApiClient}. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const base = (options.baseUrl ?? '').replace(/\/+$/, '');
  return {
    async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
      const token = await options.getToken();
      const headers: Record<string, string> = { accept: 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      try {
        res = await fetchImpl(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      } catch {
        throw new ApiError(0, 'network_error', 'Convene could not be reached. Check your connection and try again.');
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      if (!res.ok) {
        const err = (json as { error?: { code?: unknown; message?: unknown; requestId?: unknown } } | undefined)?.error;
        throw new ApiError(
          res.status,
          typeof err?.code === 'string' ? err.code : `http_${res.status}`,
          typeof err?.message === 'string' ? err.message : `Convene answered HTTP ${res.status}.`,
          typeof err?.requestId === 'string' ? err.requestId : (res.headers.get('x-request-id') ?? undefined),
        );
      }
      return json as T;
    },
  };
}
