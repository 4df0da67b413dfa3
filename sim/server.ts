/**
 * The simulator process: one HTTPS server on 127.0.0.1 (self-signed certificate made at start)
 * that plays the Entra login host (token service), Microsoft Graph (`/v1.0`) and a loopback-only
 * control API (`/_sim/...`) for tests and the local launcher.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { localhostCertificate } from './certificate';
import { demoTenants } from './demo-tenant';
import { FaultEngine, faultRuleSchema, type FaultControl } from './faults';
import { GraphService } from './graph';
import { decodePath, isLoopback, isObject, jsonBody, newRequestId, Router, type SimRequest, type SimResponse } from './http';
import { parseSeeds, type SeedTenant } from './seed';
import { mailboxReachable, SimWorld } from './state';
import {
  createSigningKeys,
  EntraError,
  entraErrorResponse,
  mintUserToken,
  registerTokenRoutes,
  type TokenServiceDeps,
  type UserTokenOverrides,
} from './token-service';

/** Options of {@link startSimulator}. */
export interface SimOptions {
  /** TCP port; 0 picks a free one (default 3001, `SIM_PORT`). */
  port?: number;
  /** Bind address: loopback only. */
  host?: '127.0.0.1';
  /** Tenants to load (default: the demo tenants, Contoso and Fabrikam, around `now()`). */
  seeds?: SeedTenant[];
  /** Current time, epoch ms: demo calendars, token `iat`/`exp` and token checks (default `Date.now`). */
  now?: () => number;
  /** Latency added to every Graph and token response, ms (default 0). */
  latencyMs?: number;
  /** Convene's application (client) id (default {@link DEFAULT_CLIENT_ID}). */
  clientId?: string;
  /** Convene's client secret (default {@link DEFAULT_CLIENT_SECRET}). */
  clientSecret?: string;
  /** Graph requests allowed in flight per mailbox before 429 `ApplicationThrottled` (default 4, Exchange's limit; 0 = no limit). */
  mailboxConcurrency?: number;
}

/** A running simulator. */
export interface Simulator {
  /** Base URL, `https://127.0.0.1:<port>`: the login host and the Graph host (`<url>/v1.0`). */
  url: string;
  port: number;
  /** The self-signed certificate (PEM) to trust, e.g. `new undici.Agent({ connect: { ca: caPem } })` or NODE_EXTRA_CA_CERTS. */
  caPem: string;
  clientId: string;
  clientSecret: string;
  tenants: Array<{ id: string; domain: string; displayName: string }>;
  /** Live (not deleted) users of every tenant, read at each access: `roles` are their Convene app roles. */
  readonly users: SimDirectoryUser[];
  /**
   * A v2 access token for Convene's API (`aud` = client id, `scp` access_as_user, `roles` = the
   * user's appRoles) signed with the simulator's key.
   * @throws Error (EntraError, AADSTS50034) for unknown or deleted users
   */
  mintUserToken(upn: string, overrides?: UserTokenOverrides): Promise<string>;
  /** Latency and fault rules. */
  faults: FaultControl;
  /** Graph HTTP requests served (a `$batch` counts once), for the bench. */
  requestCount(): number;
  resetRequestCount(): void;
  /** Stops the server, ends open connections and pending hangs. */
  close(): Promise<void>;
}

/** A user as the launcher and tests see it. */
export interface SimDirectoryUser {
  id: string;
  tenantId: string;
  upn: string;
  mail: string | null;
  displayName: string;
  /** App roles of Convene (`roles` claim of the user's tokens), e.g. `Convene.Admin`. */
  roles: string[];
  /** Mailbox time zone (Windows or IANA name, as seeded). */
  timeZone: string | null;
  /** false: no Exchange Online mailbox. */
  mailboxEnabled: boolean;
  /** false: the tenant's Application Access Policy blocks this mailbox for app-only access. */
  reachable: boolean;
}

/** The client id the simulator registers for Convene unless told otherwise. */
export const DEFAULT_CLIENT_ID = '5d7c9a4e-2f1b-4c8d-9e3a-6b0f1c2d3e4f';
/** The client secret the simulator accepts unless told otherwise (a dev value, not a secret). */
export const DEFAULT_CLIENT_SECRET = 'convene-sim-secret';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Starts the simulator.
 * @throws Error when the seeds are invalid (naming the field) or the port is taken
 * @example
 * const sim = await startSimulator({ port: 0 });
 * const token = await sim.mintUserToken('adele@contoso.example');
 * await sim.close();
 */
export async function startSimulator(options: SimOptions = {}): Promise<Simulator> {
  const now = options.now ?? (() => Date.now());
  const world = new SimWorld(parseSeeds(options.seeds ?? demoTenants(now()), 'seeds'), now());
  const [keys, pems] = await Promise.all([createSigningKeys(), localhostCertificate(365)]);

  let url = '';
  const sleeps = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = { timer: setTimeout(() => (sleeps.delete(entry), resolve()), ms), resolve };
      sleeps.add(entry);
    });
  const faults = new FaultEngine(options.latencyMs ?? 0);
  const counters = { graph: 0, batchSubRequests: 0, token: 0 };
  const deps: TokenServiceDeps = {
    world,
    keys,
    clientId: options.clientId ?? DEFAULT_CLIENT_ID,
    clientSecret: options.clientSecret ?? DEFAULT_CLIENT_SECRET,
    url: () => url,
    now,
  };
  const graph = new GraphService({ ...deps, faults, sleep, counters, mailboxConcurrency: options.mailboxConcurrency ?? 4 });
  const entra = new Router();
  registerTokenRoutes(entra, deps);
  const control = controlRouter(deps, graph, faults, counters, () => pems.cert);

  async function route(req: SimRequest): Promise<SimResponse> {
    if (/^\/v1\.0(\/|$)/i.test(req.path)) return graph.handle(req);
    if (/^\/_sim(\/|$)/.test(req.path)) {
      if (!isLoopback(req.remoteAddress))
        return { status: 403, body: { error: { code: 'forbidden', message: 'The control API answers loopback clients only.' } } };
      // The dev sign-in of Convene's pages (served on http://127.0.0.1 or localhost) mints tokens
      // from the browser: CORS for loopback page origins, on /_sim/token only.
      const origin = req.headers.origin ?? '';
      if (req.path === '/_sim/token' && /^http:\/\/(127\.0\.0\.1|localhost)(:\d{1,5})?$/.test(origin)) {
        const cors = { 'access-control-allow-origin': origin, 'access-control-allow-headers': 'content-type', vary: 'Origin' };
        if (req.method === 'OPTIONS') return { status: 204, headers: { ...cors, 'access-control-allow-methods': 'POST' } };
        const res = await dispatch(control, req, 'control');
        return { ...res, headers: { ...res.headers, ...cors } };
      }
      return dispatch(control, req, 'control');
    }
    counters.token += 1;
    const res = await dispatch(entra, req, 'token');
    const ms = faults.latency();
    if (ms > 0) await sleep(ms);
    return res;
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    let response: SimResponse;
    try {
      const rawBody = await readBody(req);
      const parsed = new URL(req.url ?? '/', 'https://127.0.0.1');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      response = await route({
        method: (req.method ?? 'GET').toUpperCase(),
        path: decodePath(parsed.pathname),
        query: parsed.searchParams,
        headers,
        rawBody,
        ...(req.socket.remoteAddress === undefined ? {} : { remoteAddress: req.socket.remoteAddress }),
      });
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        response = {
          status: 413,
          body: { error: { code: 'RequestEntityTooLarge', message: `The request body exceeds ${MAX_BODY_BYTES} bytes.` } },
        };
      } else {
        process.stderr.write(`[sim] unhandled error for ${req.method} ${req.url}: ${(e as Error).stack ?? String(e)}\n`);
        response = {
          status: 500,
          body: { error: { code: 'generalException', message: 'The simulator failed to handle the request (see its stderr).' } },
        };
      }
    }
    write(res, response, requestId, req.headers['client-request-id']);
  }

  const server: Server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => void onRequest(req, res));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3001, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  url = `https://${host}:${port}`;

  return {
    url,
    port,
    caPem: pems.cert,
    clientId: deps.clientId,
    clientSecret: deps.clientSecret,
    tenants: world.tenants.map((t) => ({ id: t.id, domain: t.domain, displayName: t.displayName })),
    get users(): SimDirectoryUser[] {
      return world.tenants.flatMap((t) =>
        t.users
          .filter((u) => !u.deleted)
          .map((u) => ({
            id: u.id,
            tenantId: t.id,
            upn: u.userPrincipalName,
            mail: u.mail,
            displayName: u.displayName,
            roles: [...u.appRoles],
            timeZone: typeof u.mailboxSettings.timeZone === 'string' ? u.mailboxSettings.timeZone : null,
            mailboxEnabled: u.mailboxEnabled,
            reachable: mailboxReachable(t, u),
          })),
      );
    },
    mintUserToken: (upn, overrides) => mintUserToken(deps, upn, overrides),
    faults,
    requestCount: () => counters.graph,
    resetRequestCount: () => {
      counters.graph = 0;
      counters.batchSubRequests = 0;
      counters.token = 0;
    },
    close: async () => {
      for (const s of sleeps) {
        clearTimeout(s.timer);
        s.resolve();
      }
      sleeps.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function dispatch<C>(router: Router<C>, req: SimRequest, kind: string, ctx?: C): Promise<SimResponse> {
  const match = router.match(req);
  if (!match)
    return {
      status: 404,
      body: { error: { code: 'NotFound', message: `The simulator has no ${kind} endpoint ${req.method} ${req.path}.` } },
    };
  if ('methodNotAllowed' in match)
    return { status: 405, body: { error: { code: 'MethodNotAllowed', message: `${req.method} is not allowed on ${req.path}.` } } };
  return match.handler(req, match.params, ctx as C);
}

function write(res: ServerResponse, response: SimResponse, requestId: string, clientRequestId: string | string[] | undefined): void {
  if (res.destroyed) return; // the client went away (or the simulator closed) while the request hung
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  if (!headers['request-id']) headers['request-id'] = requestId;
  if (!headers['client-request-id'])
    headers['client-request-id'] = (Array.isArray(clientRequestId) ? clientRequestId[0] : clientRequestId) || headers['request-id'];
  let payload: string | undefined;
  if (response.text !== undefined) {
    payload = response.text;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else if (response.body !== undefined) {
    payload = JSON.stringify(response.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  headers['cache-control'] ??= 'no-store, no-cache';
  try {
    res.writeHead(response.status, headers);
    res.end(payload);
  } catch {
    // socket already closed: nothing to tell anyone
  }
}

/** The loopback-only control API. */
function controlRouter(
  deps: TokenServiceDeps,
  graph: GraphService,
  faults: FaultEngine,
  counters: { graph: number; batchSubRequests: number; token: number },
  certPem: () => string,
): Router {
  const r = new Router();
  const fail = (status: number, code: string, message: string): SimResponse => ({ status, body: { error: { code, message } } });
  const body = (req: SimRequest): Record<string, unknown> | undefined => {
    try {
      const b = jsonBody(req);
      return b === undefined ? {} : isObject(b) ? b : undefined;
    } catch {
      return undefined;
    }
  };
  const tenantSummary = (t: (typeof deps.world.tenants)[number]) => ({
    id: t.id,
    domain: t.domain,
    displayName: t.displayName,
    consent: { granted: t.consentGranted, roles: t.roles },
    accessPolicy: t.accessPolicy,
    users: t.users
      .filter((u) => !u.deleted)
      .map((u) => ({
        id: u.id,
        userPrincipalName: u.userPrincipalName,
        mail: u.mail,
        displayName: u.displayName,
        appRoles: u.appRoles,
        mailboxEnabled: u.mailboxEnabled,
      })),
  });

  r.on('GET', /^\/_sim\/?$/, () => ({
    status: 200,
    body: {
      simulator: 'Convene local Microsoft 365 simulator',
      url: deps.url(),
      graph: `${deps.url()}/v1.0`,
      clientId: deps.clientId,
      tenants: deps.world.tenants.map((t) => ({ id: t.id, domain: t.domain, displayName: t.displayName, consented: t.consentGranted })),
      control: [
        'POST /_sim/token',
        'GET /_sim/tenants',
        'POST /_sim/tenants/{tid}/consent',
        'GET /_sim/users/{upn}/events',
        'DELETE /_sim/users/{upn}',
        'GET|POST|DELETE /_sim/faults',
        'GET|DELETE /_sim/requests',
        'GET /_sim/ca.pem',
      ],
    },
  }));
  r.on('POST', /^\/_sim\/token$/, async (req) => {
    const b = body(req);
    if (!b || typeof b.upn !== 'string')
      return fail(
        400,
        'invalid_request',
        'Send {"upn": "<user principal name>"} (optional: audience, expiresInSeconds, notBeforeSecondsFromNow, roles, scp).',
      );
    const overrides: UserTokenOverrides = {};
    if (typeof b.audience === 'string') overrides.audience = b.audience;
    if (typeof b.expiresInSeconds === 'number') overrides.expiresInSeconds = b.expiresInSeconds;
    if (typeof b.notBeforeSecondsFromNow === 'number') overrides.notBeforeSecondsFromNow = b.notBeforeSecondsFromNow;
    if (Array.isArray(b.roles)) overrides.roles = b.roles.filter((x): x is string => typeof x === 'string');
    if (typeof b.scp === 'string') overrides.scp = b.scp;
    try {
      const token = await mintUserToken(deps, b.upn, overrides);
      return { status: 200, body: { token_type: 'Bearer', access_token: token, expires_in: overrides.expiresInSeconds ?? 3600 } };
    } catch (e) {
      if (e instanceof EntraError) return entraErrorResponse(e, deps.now());
      throw e;
    }
  });
  r.on('GET', /^\/_sim\/tenants$/, () => ({ status: 200, body: { value: deps.world.tenants.map(tenantSummary) } }));
  r.on('POST', /^\/_sim\/tenants\/(?<tenant>[^/]+)\/consent$/, (req, p) => {
    const tenant = deps.world.findTenant(p.tenant as string);
    if (!tenant) return fail(404, 'not_found', `No tenant '${p.tenant}'.`);
    const b = body(req);
    if (!b || typeof b.granted !== 'boolean')
      return fail(400, 'invalid_request', 'Send {"granted": true|false} (optional: "roles": [...]).');
    tenant.consentGranted = b.granted;
    if (Array.isArray(b.roles)) tenant.roles = b.roles.filter((x): x is string => typeof x === 'string');
    return { status: 200, body: tenantSummary(tenant) };
  });
  r.on('GET', /^\/_sim\/users\/(?<user>[^/]+)\/events$/, (req, p) => {
    const user = deps.world.findUserAnywhere(p.user as string);
    if (!user) return fail(404, 'not_found', `No live user '${p.user}'.`);
    const zone = /outlook\.timezone\s*=\s*"([^"]+)"/i.exec(req.headers.prefer ?? '')?.[1] ?? 'UTC';
    return { status: 200, body: { value: graph.calendarOf(user, zone) } };
  });
  r.on('DELETE', /^\/_sim\/users\/(?<user>[^/]+)$/, (_req, p) => {
    const user = deps.world.findUserAnywhere(p.user as string);
    if (!user) return fail(404, 'not_found', `No live user '${p.user}'.`);
    user.deleted = true;
    return { status: 204 };
  });
  r.on('GET', /^\/_sim\/requests$/, () => ({ status: 200, body: { ...counters } }));
  r.on('DELETE', /^\/_sim\/requests$/, () => {
    counters.graph = 0;
    counters.batchSubRequests = 0;
    counters.token = 0;
    return { status: 204 };
  });
  r.on('GET', /^\/_sim\/faults$/, () => ({ status: 200, body: { latencyMs: faults.latency(), rules: faults.rules() } }));
  r.on('POST', /^\/_sim\/faults$/, (req) => {
    const b = body(req);
    if (!b) return fail(400, 'invalid_request', 'Send a JSON object: {"latencyMs"?, "rules"?: [rule]} or a single rule.');
    const rules = Array.isArray(b.rules) ? b.rules : typeof b.pathPattern === 'string' ? [b] : [];
    try {
      if (b.latencyMs !== undefined) {
        if (typeof b.latencyMs !== 'number') throw new Error('latencyMs must be a number of ms');
        faults.setLatency(b.latencyMs);
      }
      for (const rule of rules) {
        const parsed = faultRuleSchema.safeParse(rule);
        if (!parsed.success)
          throw new Error(
            `Invalid fault rule: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(rule)'}: ${i.message}`).join('; ')}`,
          );
        faults.add(parsed.data);
      }
    } catch (e) {
      return fail(400, 'invalid_request', (e as Error).message);
    }
    return { status: 200, body: { latencyMs: faults.latency(), rules: faults.rules() } };
  });
  r.on('DELETE', /^\/_sim\/faults$/, () => {
    faults.clear();
    return { status: 204 };
  });
  r.on('GET', /^\/_sim\/ca\.pem$/, () => ({ status: 200, headers: { 'content-type': 'application/x-pem-file' }, text: certPem() }));
  r.on('GET', /^\/_sim\/meetup-join\/.+$/, () => ({
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    text: '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Simulated Teams meeting</title></head><body><h1>Simulated Microsoft Teams meeting</h1><p>This join link was made by the local Microsoft 365 simulator.</p></body></html>',
  }));
  r.on('GET', /^\/_sim\/owa\/?$/, () => ({
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    text: '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Simulated Outlook item</title></head><body><h1>Simulated Outlook on the web</h1><p>Inspect calendars with GET /_sim/users/{upn}/events.</p></body></html>',
  }));
  return r;
}
