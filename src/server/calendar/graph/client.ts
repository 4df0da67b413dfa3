/**
 * The Graph transport: one HTTP exchange with Microsoft Graph, app-only, for one tenant.
 *
 * Built on `@microsoft/microsoft-graph-client` (`Client.initWithMiddleware`) with Convene's own
 * middleware chain, so nothing global is touched (msal `INetworkModule` seam):
 *
 *   capture -> app token (+ one retry on 401 with a fresh token) -> injected fetch
 *
 * The library builds `${graphEndpoint}/v1.0/<path>` and the request options; the last middleware
 * makes the HTTP call through the injected `fetch` (undici with the simulator's CA in tests and
 * dev, global fetch in production). Responses come back raw (`ResponseType.RAW`) and are read
 * here. Retry of 429/503/504 (`retry.ts`), the per-mailbox limit (`limiter.ts`) and batching
 * (`batch.ts`) are separate units over {@link GraphTransport}.
 *
 * Two library behaviours are worked around: `GraphRequest.send` replaces any error thrown inside
 * the chain by its own `GraphError` (which would turn `tenant_not_consented` into a generic
 * error), so the first middleware keeps the original and {@link createGraphClient} rethrows it;
 * and the library's default chain (its own auth, retry and fetch) is not used at all.
 *
 * @see https://github.com/microsoftgraph/msgraph-sdk-javascript/blob/dev/docs/CustomMiddlewareChain.md
 */
import { Client, ResponseType, type Context, type Middleware, type MiddlewareOptions } from '@microsoft/microsoft-graph-client';

/** The WHATWG fetch signature (the same as `src/server/net.ts` `FetchLike`). */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * App-only access tokens for Microsoft Graph, per tenant (msal-node client credentials with
 * authority `<login host>/<tenantId>`).
 */
export interface AppTokenSource {
  /**
   * A bearer token for Graph in `tenantId`.
   * @throws ConveneError tenant_not_consented when no token can be had (propagated unchanged)
   */
  getAppToken(tenantId: string): Promise<string>;
  /** Drops a cached token that Graph answered 401 to, so the next `getAppToken` fetches a new one. */
  invalidate?(tenantId: string): void | Promise<void>;
}

/** One request to Graph. */
export interface GraphRequest {
  /** Entra tenant id the app-only token is acquired for. */
  tenantId: string;
  method: 'GET' | 'POST';
  /** What the request does, for error messages (e.g. `calendar.getSchedule`); never a mailbox address. */
  operation?: string;
  /**
   * Path under `/v1.0`, starting with `/`, path segments already percent-encoded, with its query
   * (e.g. `/users/bob@contoso.example/mailboxSettings`).
   */
  path: string;
  headers?: Readonly<Record<string, string>>;
  /** JSON-serialisable body (POST only). */
  body?: unknown;
  /**
   * Mailboxes (UPN, SMTP address or object id) this request acts on, for the per-mailbox
   * concurrency limit (`limiter.ts`); empty or absent for tenant-wide reads.
   */
  mailboxes?: readonly string[];
}

/** Graph's answer. */
export interface GraphResponse {
  status: number;
  /** Response headers, names lower-cased. */
  headers: Readonly<Record<string, string>>;
  /** Graph's `request-id` response header (or the error body's `innerError.request-id`). */
  requestId: string | null;
  /** Parsed JSON body, or null when empty or not JSON. */
  body: unknown;
}

/** Sends one request to Graph; the seam every other unit (retry, limiter, batch) wraps. */
export interface GraphTransport {
  /**
   * Resolves with any HTTP answer, success or not.
   * @throws ConveneError tenant_not_consented from the {@link AppTokenSource}
   * @throws GraphTransportError when no answer came (network error, timeout)
   */
  send(request: GraphRequest): Promise<GraphResponse>;
}

/** No HTTP answer came (connection refused, reset, TLS failure, timeout); `cause` has the detail. */
export class GraphTransportError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'GraphTransportError';
  }
}

/** Options of {@link createGraphClient}. */
export interface GraphClientOptions {
  /** Graph host from configuration, e.g. `https://graph.microsoft.com` or the simulator's `https://127.0.0.1:3001`. */
  graphEndpoint: string;
  fetch: FetchLike;
  tokens: AppTokenSource;
  /** Per-attempt timeout in ms (default 20 000); a timeout counts as "no answer" and is retried by `retry.ts`. */
  requestTimeoutMs?: number;
}

/** The request's own state, handed to the middleware chain as a middleware option. */
class RequestScope implements MiddlewareOptions {
  /** The first error thrown inside the chain, kept before the library wraps it. */
  error: { value: unknown } | undefined;
  constructor(readonly tenantId: string) {}
}

function scopeOf(context: Context): RequestScope {
  const scope = context.middlewareControl?.getMiddlewareOptions(RequestScope) as RequestScope | undefined;
  if (!scope) throw new Error('Graph request sent without its RequestScope');
  return scope;
}

/** Base for the chain's links. */
abstract class Link implements Middleware {
  protected next: Middleware | undefined;
  setNext(next: Middleware): void {
    this.next = next;
  }
  protected async forward(context: Context): Promise<void> {
    if (!this.next) throw new Error('Graph middleware chain ends too early');
    await this.next.execute(context);
  }
  abstract execute(context: Context): Promise<void>;
}

/** First link: remembers the original error so it can be rethrown as is. */
class CaptureLink extends Link {
  async execute(context: Context): Promise<void> {
    try {
      await this.forward(context);
    } catch (e) {
      const scope = scopeOf(context);
      scope.error ??= { value: e };
      throw e;
    }
  }
}

/** Adds the tenant's app token; on 401, drops the token and retries once with a fresh one. */
class AppTokenLink extends Link {
  constructor(private readonly tokens: AppTokenSource) {
    super();
  }

  async execute(context: Context): Promise<void> {
    const { tenantId } = scopeOf(context);
    setAuthorization(context, await this.tokens.getAppToken(tenantId));
    await this.forward(context);
    if (context.response?.status !== 401) return;
    // An expired or revoked token (e.g. consent withdrawn a minute ago): one fresh try, no more.
    await discardBody(context.response);
    await this.tokens.invalidate?.(tenantId);
    setAuthorization(context, await this.tokens.getAppToken(tenantId));
    await this.forward(context);
  }
}

/** Last link: the HTTP call, through the injected fetch. */
class FetchLink extends Link {
  constructor(
    private readonly fetch: FetchLike,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const options = context.options ?? {};
    const init: RequestInit = {
      method: options.method ?? 'GET',
      headers: normalizedHeaders.has(options.headers as object)
        ? { ...(options.headers as Record<string, string>) }
        : plainHeaders(options.headers),
      signal: AbortSignal.timeout(this.timeoutMs),
    };
    if (options.body !== undefined && options.body !== null) init.body = options.body;
    try {
      context.response = await this.fetch(url, init);
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      throw new GraphTransportError(timedOut ? 'Microsoft Graph did not answer in time' : 'Microsoft Graph could not be reached', {
        cause: e,
      });
    }
  }
}

/**
 * A {@link GraphTransport} over `@microsoft/microsoft-graph-client` with the injected fetch and
 * token source. Requests go to `${graphEndpoint}/v1.0${request.path}`.
 *
 * @example
 * const graph = createGraphClient({ graphEndpoint: config.cloud.graphEndpoint, fetch, tokens });
 * const res = await graph.send({ tenantId, method: 'GET', path: '/users/bob@contoso.example/mailboxSettings' });
 */
export function createGraphClient(options: GraphClientOptions): GraphTransport {
  const client = Client.initWithMiddleware({
    baseUrl: options.graphEndpoint.replace(/\/+$/, ''),
    defaultVersion: 'v1.0',
    middleware: [new CaptureLink(), new AppTokenLink(options.tokens), new FetchLink(options.fetch, options.requestTimeoutMs ?? 20_000)],
  });

  return {
    async send(request: GraphRequest): Promise<GraphResponse> {
      const scope = new RequestScope(request.tenantId);
      let builder = client.api(request.path).middlewareOptions([scope]).responseType(ResponseType.RAW);
      for (const [name, value] of Object.entries(request.headers ?? {})) builder = builder.header(name, value);
      let raw: unknown;
      try {
        raw = request.method === 'GET' ? await builder.get() : await builder.post(request.body ?? {});
      } catch (e) {
        if (scope.error) throw scope.error.value;
        throw e;
      }
      return readResponse(raw as Response);
    },
  };
}

async function readResponse(res: Response): Promise<GraphResponse> {
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  const text = await res.text();
  const body = parseJson(text);
  return { status: res.status, headers, requestId: headers['request-id'] ?? innerRequestId(body), body };
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function innerRequestId(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const error = (body as { error?: { innerError?: Record<string, unknown> } }).error;
  const id = error?.innerError?.['request-id'];
  return typeof id === 'string' ? id : null;
}

/** An HTTP token (a header name) and a header value that `Headers` would keep as it is. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const PLAIN_HEADER_VALUE = /^(?:[\x21-\x7e\x80-\xff](?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?$/;

/**
 * Headers as a plain record with lower-case names, as `new Headers(headers)` gives them. A plain
 * object of valid, distinct names and trimmed values (what the library and Convene pass, twice
 * per request) is copied directly; anything else goes through `Headers`, which normalizes,
 * joins and validates.
 */
function plainHeaders(headers: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers !== undefined && !(headers instanceof Headers) && !Array.isArray(headers)) {
    let plain = true;
    for (const [name, value] of Object.entries(headers)) {
      const key = name.toLowerCase();
      if (typeof value !== 'string' || key in out || !HEADER_NAME.test(name) || !PLAIN_HEADER_VALUE.test(value)) {
        plain = false;
        break;
      }
      out[key] = value;
    }
    if (plain) return out;
  }
  const normalized: Record<string, string> = {};
  new Headers(headers).forEach((value, name) => {
    normalized[name] = value;
  });
  return normalized;
}

/** Header records {@link setAuthorization} made: already what `plainHeaders` would make of them. */
const normalizedHeaders = new WeakSet<object>();

function setAuthorization(context: Context, token: string): void {
  const options = (context.options ??= {});
  // The token is not run through the header checks (1.3 KB, twice per call, was ~5% of a Graph
  // call's CPU): it is a JWT (base64url and dots), which Headers would keep as it is.
  const headers = { ...plainHeaders(options.headers), authorization: `Bearer ${token}` };
  normalizedHeaders.add(headers);
  options.headers = headers;
}

async function discardBody(res: Response): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    // Nothing to free.
  }
}
