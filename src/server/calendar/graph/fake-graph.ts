/**
 * Test support (imported only by `*.test.ts`): an injected fake of Microsoft Graph's HTTP side
 * and a fake clock. The fake is a {@link FetchLike} that routes by method and path, records every
 * request and answers with real `Response` objects; no global is touched.
 */
import type { AppTokenSource, FetchLike } from './client';
import type { Clock, Sleep } from './retry';

/** A request the fake received. */
export interface RecordedRequest {
  method: string;
  url: URL;
  /** Path after `/v1.0`, decoded (e.g. `/users/bob@contoso.example/mailboxSettings`). */
  path: string;
  headers: Record<string, string>;
  /** Parsed JSON body, or null. */
  body: unknown;
}

/** What a route answers. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (req: RecordedRequest) => Reply | Promise<Reply>;

/** The fake Graph: `on(...)` routes, `fetch` to inject, `requests` to assert on. */
export class FakeGraph {
  readonly requests: RecordedRequest[] = [];
  private readonly routes: Array<{ method: string; path: string | RegExp; handler: Handler }> = [];
  private seq = 0;

  constructor(readonly base = 'https://graph.test') {}

  /** Adds a route; later routes win over earlier ones for the same request. */
  on(method: string, path: string | RegExp, handler: Handler | Reply): this {
    this.routes.unshift({ method, path, handler: typeof handler === 'function' ? handler : () => handler });
    return this;
  }

  /** Requests whose method and path match. */
  sent(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && matches(path, r.path));
  }

  readonly fetch: FetchLike = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input.href);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
    const text = typeof init?.body === 'string' ? init.body : '';
    const req: RecordedRequest = {
      method: init?.method ?? 'GET',
      url,
      path: decodeURIComponent(url.pathname.replace(/^\/v1\.0/, '')),
      headers,
      body: text ? (JSON.parse(text) as unknown) : null,
    };
    this.requests.push(req);
    const route = this.routes.find((r) => r.method === req.method && matches(r.path, req.path));
    if (!route) throw new Error(`FakeGraph: no route for ${req.method} ${req.path}`);
    const reply = await route.handler(req);
    const replyHeaders = { 'content-type': 'application/json', 'request-id': `req-${++this.seq}`, ...reply.headers };
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), { status: reply.status, headers: replyHeaders });
  };
}

function matches(pattern: string | RegExp, path: string): boolean {
  return typeof pattern === 'string' ? pattern === path : pattern.test(path);
}

/** A fake clock whose `sleep` only advances time (and records the waits). */
export function fakeTime(startMs = Date.UTC(2026, 10, 23, 8, 0, 0)): {
  clock: Clock;
  sleep: Sleep;
  sleeps: number[];
  advance(ms: number): void;
} {
  let now = startMs;
  const sleeps: number[] = [];
  return {
    clock: { now: () => now },
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
    sleeps,
    advance: (ms) => {
      now += ms;
    },
  };
}

/** An {@link AppTokenSource} handing out `token-<tenant>-<n>`; `invalidate` counts calls. */
export function fakeTokens(): AppTokenSource & { issued: string[]; invalidated: string[] } {
  const issued: string[] = [];
  const invalidated: string[] = [];
  return {
    issued,
    invalidated,
    getAppToken(tenantId) {
      const token = `token-${tenantId}-${issued.length + 1}`;
      issued.push(token);
      return Promise.resolve(token);
    },
    invalidate(tenantId) {
      invalidated.push(tenantId);
    },
  };
}

/** A promise with its resolve exposed. */
export function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(e: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks and I/O callbacks run (no timers, no wall-clock wait). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
