/**
 * The HTTP API v1 routes (DESIGN.md "HTTP API v1") as pure handlers
 * `({ body, query, params, headers, auth, requestId }) -> { status, body }` (teams.ts
 * `IHttpServerAdapter`): no restify types, so they can be run in-process and moved to another
 * framework by replacing `server.ts`.
 */
import type { Channel } from '../../shared/api';
import type { AuthContext } from '../auth/user-token';
import type { CalendarService } from '../calendar/calendar-service';
import type { HttpResponse } from './errors';

/** What a handler sees of a request. `auth` is set when the route requires it (verified token). */
export interface RouteRequest {
  body: unknown;
  query: Record<string, string>;
  params: Record<string, string>;
  headers: Record<string, string | undefined>;
  auth: AuthContext | undefined;
  requestId: string;
  /** The peer's address (the socket's, so behind a reverse proxy the proxy's); absent in tests that build requests by hand. */
  clientIp?: string;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** Requires a verified user token (first part of the dual lock). */
  auth: boolean;
  /** Largest accepted body, bytes. */
  maxBodyBytes?: number;
  handler: (req: RouteRequest) => Promise<HttpResponse>;
}

export interface RouteDeps {
  calendar: CalendarService;
  /** Resolves when the database answers. */
  ping: () => Promise<void>;
  openApi: () => unknown;
}

const CHANNELS: readonly Channel[] = ['addin', 'bot', 'api', 'cli'];

/** The API's routes. */
export function apiRoutes(deps: RouteDeps): Route[] {
  const user = (r: RouteRequest): AuthContext => r.auth as AuthContext;
  return [
    {
      method: 'GET',
      path: '/healthz',
      auth: false,
      handler: async () => {
        await deps.ping();
        return { status: 200, body: { status: 'ok' } };
      },
    },
    { method: 'GET', path: '/api/openapi.json', auth: false, handler: async () => ({ status: 200, body: deps.openApi() }) },
    {
      method: 'POST',
      path: '/api/availability',
      auth: true,
      maxBodyBytes: 16 * 1024,
      handler: async (r) => ({ status: 200, body: await deps.calendar.findAvailability(user(r), r.body, r.requestId) }),
    },
    {
      method: 'POST',
      path: '/api/interviews',
      auth: true,
      maxBodyBytes: 16 * 1024,
      handler: async (r) => {
        const channelHeader = r.headers['x-convene-channel'];
        const channel = CHANNELS.find((c) => c === channelHeader) ?? 'api';
        const result = await deps.calendar.bookInterview(user(r), r.body, r.headers['idempotency-key'], channel, r.requestId);
        return {
          // A replay answers like the original (201) and says so in Idempotent-Replayed.
          status: 201,
          body: { ...result.interview, ...(result.warnings.length ? { warnings: result.warnings } : {}) },
          headers: { Location: `/api/interviews/${result.interview.id}`, ...(result.replayed ? { 'Idempotent-Replayed': 'true' } : {}) },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/interviews',
      auth: true,
      handler: async (r) => ({ status: 200, body: await deps.calendar.listInterviews(user(r), r.query, r.requestId) }),
    },
    {
      method: 'GET',
      path: '/api/interviews/:id',
      auth: true,
      handler: async (r) => ({ status: 200, body: await deps.calendar.getInterview(user(r), r.params.id ?? '', r.requestId) }),
    },
    {
      method: 'POST',
      path: '/api/interviews/:id/cancel',
      auth: true,
      maxBodyBytes: 8 * 1024,
      handler: async (r) => ({
        status: 200,
        body: await deps.calendar.cancelInterview(user(r), r.params.id ?? '', r.body ?? {}, r.requestId),
      }),
    },
    {
      method: 'GET',
      path: '/api/people',
      auth: true,
      handler: async (r) => ({ status: 200, body: await deps.calendar.searchPeople(user(r), r.query, r.requestId) }),
    },
  ];
}
