/**
 * The HTTP transport seam (msal `INetworkModule`): every outbound call Convene makes (Entra ID,
 * JWKS, Microsoft Graph) goes through one injected `fetch`, so tests and the local simulator can
 * supply a transport that trusts the simulator's self-signed certificate without touching globals.
 *
 * Speed: WHATWG `fetch` costs two to three times the CPU of undici's dispatcher API per call
 * (measured on loopback TLS with a 28 KB getSchedule-sized answer: ~650-800 µs against ~210-300
 * µs): web streams for both bodies, the request body written as an async iterable, a `Response`
 * whose `text()` reads through a web stream. Every availability request makes a Graph call,
 * so {@link createFetch} answers what Convene sends (GET/POST with a string or byte body) with
 * `Dispatcher.dispatch`, collects the body chunks as they arrive and returns a {@link Response}
 * subclass that reads from them. Anything else goes to undici's `fetch` on the same keep-alive
 * connection pool.
 */
import { Agent, fetch as undiciFetch, interceptors, type Dispatcher } from 'undici';

/** The WHATWG fetch signature. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Options of {@link createFetch}. */
export interface CreateFetchOptions {
  /**
   * A certificate (PEM) to trust INSTEAD of the platform's CA store (the simulator's self-signed
   * certificate). Absent: the platform's store, which includes `NODE_EXTRA_CA_CERTS`.
   */
  caPem?: string;
}

/** Idle keep-alive time of pooled connections, ms (a server's shorter `Keep-Alive: timeout` wins). */
const KEEP_ALIVE_TIMEOUT_MS = 10_000;
/** WHATWG fetch's redirect limit. */
const MAX_REDIRECTIONS = 20;
/** Statuses whose Response has a null body (the Response constructor refuses a body for them). */
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/**
 * A fetch over one keep-alive undici connection pool. For what Convene sends it keeps fetch's
 * semantics: status, headers, body, a `signal` (a timeout rejects with the signal's reason, a
 * `TimeoutError`), redirects followed as fetch does (301/302 POST and 303 become GET,
 * `Authorization` dropped across origins) or not (`redirect: 'manual'`). It does not ask for
 * compressed answers (fetch sends `Accept-Encoding: gzip, deflate, br`): Graph then answers
 * uncompressed, which costs bandwidth but no decompression.
 *
 * @example const fetch = createFetch({ caPem: sim.caPem }); const res = await fetch(`${sim.url}/_sim`);
 */
export function createFetch(options: CreateFetchOptions = {}): FetchLike {
  const agent = new Agent({ ...(options.caPem ? { connect: { ca: options.caPem } } : {}), keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS });
  const following = agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS }));
  const slow: FetchLike = (input, init) =>
    undiciFetch(input, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: agent }) as unknown as Promise<Response>;

  return async (input, init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const body = init?.body ?? null;
    const redirect = init?.redirect ?? 'follow';
    const headers = plainHeaders(init?.headers);
    const url = typeof input === 'string' ? URL.parse(input) : input instanceof URL ? input : null;
    // Anything unusual (a Request, streams, FormData, redirect: 'error', ...) keeps the full fetch.
    if (
      url === null ||
      (url.protocol !== 'https:' && url.protocol !== 'http:') ||
      (method !== 'GET' && method !== 'POST') ||
      (body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) ||
      (redirect !== 'follow' && redirect !== 'manual') ||
      headers === null
    ) {
      return slow(input, init);
    }
    init?.signal?.throwIfAborted();
    // fetch labels a string body this way unless told otherwise.
    if (typeof body === 'string' && headers['content-type'] === undefined) headers['content-type'] = 'text/plain;charset=UTF-8';
    const dispatcher: Dispatcher = redirect === 'follow' ? following : agent;
    const res = await exchange(
      dispatcher,
      { origin: url.origin, path: `${url.pathname}${url.search}`, method, headers, body },
      init?.signal ?? undefined,
    );
    const response = new BufferedResponse(NULL_BODY_STATUS.has(res.status) ? null : res.chunks, url.href, {
      status: res.status,
      ...(res.statusText && REASON_PHRASE.test(res.statusText) ? { statusText: res.statusText } : {}),
    });
    // Straight into the response's own Headers (a Headers passed in init would be copied once more).
    for (const [name, value] of Object.entries(res.headers)) {
      if (Array.isArray(value)) for (const v of value) response.headers.append(name, v);
      else if (value !== undefined) response.headers.append(name, value);
    }
    return response;
  };
}

/** A whole HTTP answer: status line, headers (lower-case names) and the body as received. */
interface Exchanged {
  status: number;
  statusText: string;
  headers: Record<string, string | string[] | undefined>;
  /** Body chunks as the socket delivered them (not copied). */
  chunks: Buffer[];
}

/**
 * One request through undici's dispatcher API, the body collected as it arrives: no body stream,
 * no copy into one buffer. `signal` aborts it with the signal's reason, like fetch.
 */
function exchange(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, signal: AbortSignal | undefined): Promise<Exchanged> {
  return new Promise<Exchanged>((resolve, reject) => {
    let controller: Dispatcher.DispatchController | null = null;
    let settled = false;
    const answer: Exchanged = { status: 0, statusText: '', headers: {}, chunks: [] };
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      done();
    };
    // Like fetch, an abort rejects at once, also while the request still waits for a connection
    // (which onRequestStart then aborts).
    const onAbort = () => {
      const reason = signal?.reason as Error;
      controller?.abort(reason);
      settle(() => reject(reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        // Aborted while queued for a connection.
        if (signal?.aborted) c.abort(signal.reason as Error);
      },
      onResponseStart(_c, status, headers, statusText) {
        if (status < 200) return; // 1xx: informational, the answer follows
        answer.status = status;
        answer.statusText = statusText ?? '';
        answer.headers = headers as Exchanged['headers'];
      },
      onResponseData(_c, chunk) {
        answer.chunks.push(chunk);
      },
      onResponseEnd() {
        settle(() => resolve(answer));
      },
      onResponseError(_c, error) {
        settle(() => reject(error));
      },
    };
    try {
      dispatcher.dispatch(options, handler);
    } catch (error) {
      settle(() => reject(error as Error));
    }
  });
}

const utf8 = new TextDecoder();
/** HTTP's reason-phrase characters; the Response constructor refuses others. */
const REASON_PHRASE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * A `Response` over a body already received. The base class is built without a body (no web
 * stream); the read methods answer from the chunks, with fetch's one-read rule. `body` makes a
 * stream only when asked for, and from then on reads go through that stream.
 */
class BufferedResponse extends Response {
  readonly #chunks: Buffer[] | null;
  readonly #url: string;
  readonly #status: { status: number; statusText?: string };
  #used = false;
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | null | undefined;

  /** `init` without headers: the caller adds them to `headers`. `chunks` null: no body. */
  constructor(chunks: Buffer[] | null, url: string, init: { status: number; statusText?: string }) {
    super(null, init);
    this.#chunks = chunks;
    this.#url = url;
    this.#status = init;
  }

  /** Status and headers, for the plain Responses this one hands work to. */
  get #init(): ResponseInit {
    return { ...this.#status, headers: this.headers };
  }

  override get url(): string {
    return this.#url;
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    if (this.#stream === undefined) this.#stream = this.#chunks === null ? null : new Response(joined(this.#chunks)).body;
    return this.#stream;
  }

  /** Read through the chunks, or (approximately) a stream being read. */
  override get bodyUsed(): boolean {
    return this.#used || (this.#stream?.locked ?? false);
  }

  /** The same answer over the stream handed out by `body` (rejects if it was read or cancelled). */
  #viaStream(): Response {
    return new Response(this.#stream ?? null, this.#init);
  }

  /** The chunks, once; a second read fails as fetch's does. */
  #take(): Buffer[] {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.#chunks ?? [];
  }

  override async text(): Promise<string> {
    if (this.#stream !== undefined) return this.#viaStream().text();
    const chunks = this.#take();
    if (chunks.length === 1) return utf8.decode(chunks[0]);
    // Decoded piece by piece (a character may straddle two chunks): no joined copy of the bytes.
    const decoder = new TextDecoder();
    let text = '';
    for (const chunk of chunks) text += decoder.decode(chunk, { stream: true });
    return text + decoder.decode();
  }

  override async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    if (this.#stream !== undefined) return this.#viaStream().arrayBuffer();
    return joined(this.#take()).buffer;
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.arrayBuffer());
  }

  override async blob(): Promise<Blob> {
    return new Blob([await this.arrayBuffer()], { type: this.headers.get('content-type') ?? '' });
  }

  override async formData(): Promise<FormData> {
    if (this.#stream !== undefined) return this.#viaStream().formData();
    return new Response(joined(this.#take()), this.#init).formData();
  }

  override clone(): Response {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    if (this.#stream) {
      const [a, b] = this.#stream.tee();
      this.#stream = a;
      return new Response(b, this.#init);
    }
    // The chunks are never written to (reads copy them out), so both responses can share them.
    const copy = new BufferedResponse(this.#chunks, this.#url, this.#status);
    this.headers.forEach((value, name) => copy.headers.append(name, value));
    return copy;
  }
}

/** The chunks in one new buffer of their own (callers may change it). */
function joined(chunks: readonly Buffer[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Request headers as a plain lower-cased record; null for shapes the fast path does not take. */
function plainHeaders(headers: HeadersInit | undefined): Record<string, string> | null {
  const out: Record<string, string> = {};
  if (headers === undefined) return out;
  if (headers instanceof Headers) {
    headers.forEach((value, name) => (out[name] = value));
    return out;
  }
  if (Array.isArray(headers)) return null;
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    // Two spellings of one name are joined as Headers would; rare enough to let fetch do it.
    if (key in out) return null;
    out[key] = String(value);
  }
  return out;
}
