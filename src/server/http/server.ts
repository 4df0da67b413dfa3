/**
 * The restify adapter: the only file that knows restify. It reads bodies (bounded), parses JSON,
 * verifies the bearer token for routes that need one, calls the pure route handlers and writes
 * their responses; every error, including restify's own (404, 405, 413), leaves in Convene's
 * error shape with a request id.
 */
import { randomUUID } from 'node:crypto';
import restify, { type Request, type Response, type Server } from 'restify';
import { ConveneError } from '../../shared/errors';
import type { UserTokenVerifier } from '../auth/user-token';
import type { Logger } from '../log';
import { type HttpResponse, toErrorResponse } from './errors';
import type { Route, RouteRequest } from './routes';

export interface HttpServerOptions {
  routes: Route[];
  verifier: UserTokenVerifier;
  logger: Logger;
  /** Largest body any route accepts, bytes (default 64 KiB). */
  maxBodyBytes?: number;
  /** Serve HTTPS with this PEM certificate and key (development, `tls.ts`); absent: plain HTTP. */
  tls?: { certificate: Buffer; key: Buffer } | undefined;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Builds the restify server (not listening yet). */
export function createHttpServer(options: HttpServerOptions): Server {
  const log = options.logger.child({ module: 'http' });
  const server = restify.createServer({
    name: 'convene',
    handleUncaughtExceptions: false,
    ignoreTrailingSlash: true,
    ...(options.tls ? { certificate: options.tls.certificate, key: options.tls.key } : {}),
  });
  const globalMax = options.maxBodyBytes ?? 64 * 1024;

  server.use(restify.plugins.queryParser({ mapParams: false }));

  server.pre((req, res, next) => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    (req as RequestWithId).conveneRequestId = requestId;
    res.header('x-request-id', requestId);
    next();
  });

  for (const route of options.routes) {
    const limit = Math.min(route.maxBodyBytes ?? globalMax, globalMax);
    const handler = async (req: Request, res: Response) => {
      const requestId = (req as RequestWithId).conveneRequestId;
      const started = process.hrtime.bigint();
      let response: HttpResponse;
      try {
        const auth = route.auth ? await options.verifier.verify(req.header('authorization')) : undefined;
        const body = route.method === 'POST' || route.method === 'PUT' ? await readJson(req, limit) : undefined;
        const routeRequest: RouteRequest = {
          body,
          query: flatQuery(req.query),
          params: (req.params ?? {}) as Record<string, string>,
          headers: req.headers as Record<string, string | undefined>,
          auth,
          requestId,
          ...(req.socket?.remoteAddress ? { clientIp: req.socket.remoteAddress } : {}),
        };
        response = await route.handler(routeRequest);
      } catch (e) {
        response = toErrorResponse(e, requestId, log);
      }
      send(res, response);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.debug({ requestId, method: route.method, path: route.path, status: response.status, ms }, 'request');
    };
    if (route.method === 'GET') server.get(route.path, handler);
    else if (route.method === 'POST') server.post(route.path, handler);
    else if (route.method === 'PUT') server.put(route.path, handler);
    else server.del(route.path, handler);
  }

  // restify's own errors (no route, wrong method, ...) in Convene's shape.
  server.on('restifyError', (req: Request, res: Response, err: Error & { statusCode?: number }, callback: () => void) => {
    const requestId = (req as RequestWithId).conveneRequestId ?? randomUUID();
    const status = err.statusCode ?? 500;
    const mapped =
      status === 404
        ? new ConveneError('not_found', `No route for ${req.method} ${req.getPath()}.`)
        : status === 405
          ? new ConveneError('method_not_allowed', `${req.method} is not allowed on ${req.getPath()}.`)
          : status === 413
            ? new ConveneError('payload_too_large', 'The request body is too large.')
            : status < 500
              ? new ConveneError('invalid_request', err.message)
              : err;
    // restify sends `err` itself after this handler: give it our status, body and headers.
    const response = toErrorResponse(mapped, requestId, log);
    for (const [k, v] of Object.entries(response.headers ?? {})) res.header(k, v);
    Object.assign(err, { statusCode: response.status, body: response.body, toJSON: () => response.body });
    callback();
  });

  return server;
}

interface RequestWithId extends Request {
  conveneRequestId: string;
}

function send(res: Response, response: HttpResponse): void {
  if (res.headersSent) return;
  for (const [k, v] of Object.entries(response.headers ?? {})) res.header(k, v);
  const payload = JSON.stringify(response.body);
  res.writeHead(response.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-store',
  });
  res.end(payload);
}

function flatQuery(query: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (query && typeof query === 'object')
    for (const [k, v] of Object.entries(query as Record<string, unknown>)) {
      if (typeof v === 'string') out[k] = v;
      else if (Array.isArray(v)) throw new ConveneError('invalid_request', `Query parameter "${k}" was given more than once.`);
    }
  return out;
}

/**
 * Reads the body up to `limit` bytes and parses it as JSON. An empty body is `undefined`.
 * @throws ConveneError payload_too_large | unsupported_media_type | invalid_request (malformed JSON)
 */
async function readJson(req: Request, limit: number): Promise<unknown> {
  const declared = Number(req.header('content-length') ?? '0');
  if (declared > limit) throw new ConveneError('payload_too_large', `The request body must be at most ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ConveneError('payload_too_large', `The request body must be at most ${limit} bytes.`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  const type = (req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new ConveneError('unsupported_media_type', 'Send the body as application/json.');
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ConveneError('invalid_request', 'The request body is not valid JSON.');
  }
}

/** A route that needs restify's own request and response (the bot: botbuilder's CloudAdapter writes the response itself). */
export interface RawJsonRoute {
  path: string;
  /** Largest accepted body, bytes. */
  maxBodyBytes: number;
  /** Called with `req.body` set to the parsed JSON body; must write the response. */
  handle(req: Request & { body?: unknown }, res: Response): Promise<void>;
}

/**
 * Mounts `POST route.path`: the body is read (bounded) and parsed like every other route's, and
 * a bad body (too large, not JSON) or a thrown error answers in Convene's error shape.
 */
export function mountRawJsonRoute(server: Server, route: RawJsonRoute, logger: Logger): void {
  const log = logger.child({ module: 'http' });
  server.post(route.path, async (req: Request, res: Response) => {
    const requestId = (req as RequestWithId).conveneRequestId;
    try {
      (req as Request & { body?: unknown }).body = await readJson(req, route.maxBodyBytes);
      await route.handle(req, res);
    } catch (e) {
      send(res, toErrorResponse(e, requestId, log));
    }
  });
}
