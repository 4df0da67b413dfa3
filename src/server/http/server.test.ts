import type { Server } from 'restify';
import type { AddressInfo } from 'node:net';
import { ConveneError } from '../../shared/errors';
import type { AuthContext, UserTokenVerifier } from '../auth/user-token';
import type { CalendarService } from '../calendar/calendar-service';
import { createLogger } from '../log';
import { apiRoutes } from './routes';
import { createHttpServer } from './server';

const AUTH: AuthContext = { tid: 't', oid: 'o', username: 'u', name: 'n', roles: [], exp: 0 };
const verifier: UserTokenVerifier = {
  async verify(header) {
    if (header !== 'Bearer good') throw new ConveneError('unauthenticated', 'A bearer token is required.');
    return AUTH;
  },
};

/** A CalendarService fake that records what reached it. */
function fakeCalendar(behaviour: Partial<CalendarService> = {}) {
  const calls: string[] = [];
  const fail = (name: string) => async () => {
    calls.push(name);
    throw new Error(`unexpected ${name}`);
  };
  const service: CalendarService = {
    findAvailability: fail('findAvailability'),
    bookInterview: fail('bookInterview'),
    listInterviews: fail('listInterviews'),
    getInterview: fail('getInterview'),
    cancelInterview: fail('cancelInterview'),
    searchPeople: fail('searchPeople'),
    ...behaviour,
  };
  return { service, calls };
}

let server: Server;
let base: string;

async function start(calendar: CalendarService): Promise<void> {
  server = createHttpServer({
    routes: apiRoutes({ calendar, ping: async () => undefined, openApi: () => ({ openapi: '3.1.0' }) }),
    verifier,
    logger: createLogger('silent'),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: 'Bearer good', 'content-type': 'application/json', ...headers },
    body,
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as { error?: { code: string; message: string; requestId: string } },
  };
}

describe('HTTP adapter', () => {
  it('refuses a request without a valid token before reading the body or calling the service', async () => {
    const { service, calls } = fakeCalendar();
    await start(service);
    const res = await post('/api/availability', '{}', { authorization: 'Bearer bad' });
    expect(res.status).toBe(401);
    expect(res.body.error?.code).toBe('unauthenticated');
    expect(res.body.error?.requestId).toBe(res.headers.get('x-request-id'));
    expect(calls).toEqual([]);
  });

  it('answers malformed JSON with 400 invalid_request', async () => {
    const { service, calls } = fakeCalendar();
    await start(service);
    const res = await post('/api/availability', '{"panel": [');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_request', message: 'The request body is not valid JSON.' });
    expect(calls).toEqual([]);
  });

  it('answers a non-JSON content type with 415', async () => {
    const { service } = fakeCalendar();
    await start(service);
    const res = await post('/api/availability', 'panel=a', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect(res.body.error?.code).toBe('unsupported_media_type');
  });

  it('answers a body over the route limit with 413', async () => {
    const { service, calls } = fakeCalendar();
    await start(service);
    const res = await post('/api/availability', JSON.stringify({ panel: ['x'.repeat(20_000)] }));
    expect(res.status).toBe(413);
    expect(res.body.error?.code).toBe('payload_too_large');
    expect(calls).toEqual([]);
  });

  it('answers unknown routes and methods in the error shape', async () => {
    const { service } = fakeCalendar();
    await start(service);
    const missing = await fetch(`${base}/api/nothing`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const wrong = await fetch(`${base}/api/availability`, { method: 'GET' });
    expect(wrong.status).toBe(405);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
  });

  it('passes the parsed body, the verified identity and the Idempotency-Key to the service', async () => {
    const seen: unknown[] = [];
    const { service } = fakeCalendar({
      bookInterview: async (auth, input, key, channel) => {
        seen.push(auth, input, key, channel);
        throw new ConveneError('slot_taken', 'The panel is no longer free.');
      },
    });
    await start(service);
    const res = await post('/api/interviews', '{"a":1}', { 'idempotency-key': 'k-1', 'x-convene-channel': 'addin' });
    expect(res.status).toBe(409);
    expect(res.body.error?.code).toBe('slot_taken');
    expect(seen).toEqual([AUTH, { a: 1 }, 'k-1', 'addin']);
  });

  it('sends Retry-After with graph_unavailable', async () => {
    const { service } = fakeCalendar({
      findAvailability: async () => {
        throw new ConveneError('graph_unavailable', 'Microsoft Graph is throttling.', { retryAfterMs: 7500 });
      },
    });
    await start(service);
    const res = await post('/api/availability', '{}');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('8');
  });

  it('answers an unexpected failure with a bare 500 that leaks nothing', async () => {
    const { service } = fakeCalendar({
      findAvailability: async () => {
        throw new Error('secret connection string postgres://u:p@h');
      },
    });
    await start(service);
    const res = await post('/api/availability', '{}');
    expect(res.status).toBe(500);
    expect(res.body.error?.code).toBe('internal');
    expect(JSON.stringify(res.body)).not.toContain('postgres://');
  });

  it('serves the health check and the OpenAPI document without a token', async () => {
    const { service } = fakeCalendar();
    await start(service);
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${base}/api/openapi.json`)).json()).toEqual({ openapi: '3.1.0' });
  });
});
