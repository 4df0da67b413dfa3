/**
 * The simulator's request/response values and a small router. Handlers are plain async functions
 * `SimRequest -> SimResponse`, so `$batch` can run sub-requests through the same Graph handlers
 * without a socket.
 */
import { randomUUID } from 'node:crypto';

/** An incoming request (or a `$batch` sub-request). Header names are lower-case. */
export interface SimRequest {
  method: string;
  /** Path without query, each segment URI-decoded, e.g. `/v1.0/users/bob@contoso.example/mailboxSettings`. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  /** Raw body text ('' when none). */
  rawBody: string;
  /** Parsed JSON body of a `$batch` sub-request (already an object). */
  jsonBody?: unknown;
  /** Remote address of the socket (undefined for sub-requests). */
  remoteAddress?: string;
}

/** A response. `body` is sent as JSON unless `text` is given. */
export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Raw text body (HTML pages); wins over `body`. */
  text?: string;
}

/**
 * A route handler; `params` are the pattern's named groups (the path is already decoded); `ctx` is what the
 * router's owner passes along (the checked token for Graph routes).
 */
export type Handler<C = void> = (req: SimRequest, params: Record<string, string>, ctx: C) => Promise<SimResponse> | SimResponse;

interface Route<C> {
  method: string;
  pattern: RegExp;
  handler: Handler<C>;
}

/** A method + regex router; patterns are matched in the order added. */
export class Router<C = void> {
  private readonly routes: Route<C>[] = [];

  /** Adds a route; `pattern` uses named groups for parameters, e.g. `^/users/(?<user>[^/]+)$`. */
  on(method: string, pattern: RegExp, handler: Handler<C>): this {
    this.routes.push({ method: method.toUpperCase(), pattern, handler });
    return this;
  }

  /** The matching route and its params; `methodNotAllowed` when only the method differs; undefined when no pattern matches. */
  match(req: SimRequest): { handler: Handler<C>; params: Record<string, string> } | { methodNotAllowed: true } | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(req.path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== req.method.toUpperCase()) continue;
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) params[k] = v;
      return { handler: route.handler, params };
    }
    return pathMatched ? { methodNotAllowed: true } : undefined;
  }
}

/** Decodes each path segment (`%40` -> `@`), leaving undecodable segments as they are. */
export function decodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}

/** Parses a JSON body; `undefined` for an empty body; throws SyntaxError for invalid JSON. */
export function jsonBody(req: SimRequest): unknown {
  if (req.jsonBody !== undefined) return req.jsonBody;
  if (req.rawBody.trim() === '') return undefined;
  return JSON.parse(req.rawBody);
}

/** Parses an `application/x-www-form-urlencoded` body. */
export function formBody(req: SimRequest): URLSearchParams {
  return new URLSearchParams(req.rawBody);
}

/** A new request id (GUID), as Graph and Entra use. */
export function newRequestId(): string {
  return randomUUID();
}

/** A plain object check. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether a socket address is loopback. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** Case-insensitive property read (Graph accepts `Schedules` and `schedules` alike). */
export function prop(obj: Record<string, unknown>, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) return v;
  return undefined;
}
