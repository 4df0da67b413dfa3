import { createServer, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { percentile, runLoad, runOpenLoad } from './load';

describe('runLoad', () => {
  let server: Server;
  let url: string;
  const seen: Array<{ method: string; path: string; body: string; auth: string | undefined }> = [];
  let connections = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({
          method: req.method ?? '',
          path: req.url ?? '',
          body: Buffer.concat(chunks).toString(),
          auth: req.headers.authorization,
        });
        if (req.url === '/chunked') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('first part, ');
          setImmediate(() => res.end('second part'));
        } else if (req.url === '/close') {
          reply(res, 200, { connection: 'close', 'content-length': '2' }, 'ok');
        } else if (req.url === '/slow') {
          setTimeout(() => reply(res, 200, { 'content-length': '2' }, 'ok'), 50);
        } else if (req.url === '/missing') {
          reply(res, 404, { 'content-type': 'application/json' }, '{"error":{}}');
        } else {
          const body = JSON.stringify({ slots: Array.from({ length: 200 }, (_, i) => ({ i })) });
          reply(res, 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, body);
        }
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });

  beforeEach(() => {
    seen.length = 0;
    connections = 0;
  });

  const load = (path: string, maxRequests: number, concurrency = 4) =>
    runLoad({
      url: `${url}${path}`,
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: '{"panel":["é"]}',
      concurrency,
      durationMs: 5_000,
      maxRequests,
    });

  it('sends exactly maxRequests over one keep-alive connection per worker and reads whole answers', async () => {
    const r = await load('/slots', 200);
    expect(r).toMatchObject({ requests: 200, errors: 0, statusCounts: { '200': 200 } });
    expect(connections).toBe(4);
    expect(seen).toHaveLength(200);
    expect(seen[0]).toEqual({ method: 'POST', path: '/slots', body: '{"panel":["é"]}', auth: 'Bearer t' });
    expect(r.p99Ms).toBeGreaterThanOrEqual(r.medianMs);
  });

  it('reads chunked answers', async () => {
    await expect(load('/chunked', 40)).resolves.toMatchObject({ requests: 40, errors: 0, statusCounts: { '200': 40 } });
  });

  it('reconnects when the server closes the connection', async () => {
    await expect(load('/close', 30, 2)).resolves.toMatchObject({ requests: 30, errors: 0 });
    expect(connections).toBe(30);
  });

  it('counts 4xx answers as errors', async () => {
    await expect(load('/missing', 10)).resolves.toMatchObject({ requests: 10, errors: 10, statusCounts: { '404': 10 } });
  });

  it('counts refused connections as errors and stops at the bound', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await runLoad({
      url: `http://127.0.0.1:${port}/`,
      method: 'GET',
      headers: {},
      concurrency: 2,
      durationMs: 5_000,
      maxRequests: 6,
    });
    expect(r).toMatchObject({ requests: 0, errors: 6 });
  });

  it('targets loopback only', async () => {
    await expect(
      runLoad({ url: 'http://example.com/', method: 'GET', headers: {}, concurrency: 1, durationMs: 10, maxRequests: 1 }),
    ).rejects.toThrow(/loopback only/);
  });

  it('open loop: sends rate x duration requests on a schedule, reusing at most maxConnections', async () => {
    const r = await runOpenLoad({
      url: `${url}/slots`,
      method: 'GET',
      headers: {},
      ratePerSecond: 100,
      durationMs: 300,
      maxConnections: 3,
    });
    expect(r).toMatchObject({ requests: 30, errors: 0, statusCounts: { '200': 30 } });
    expect(connections).toBeLessThanOrEqual(3);
    // On schedule: the 30 requests take about 300 ms, not as fast as the server answers.
    expect(r.elapsedMs).toBeGreaterThanOrEqual(280);
  });

  it('open loop: a server falling behind shows as latency measured from when each request was due', async () => {
    // One connection, 50 ms per answer, 100 requests/s offered: the queue grows by ~4 per 50 ms.
    const r = await runOpenLoad({ url: `${url}/slow`, method: 'GET', headers: {}, ratePerSecond: 100, durationMs: 200, maxConnections: 1 });
    expect(r).toMatchObject({ requests: 20, errors: 0 });
    expect(r.medianMs).toBeGreaterThan(300);
    expect(r.p99Ms).toBeGreaterThan(700);
  });

  it('open loop: an idle connection the server closed (keep-alive timeout) is replaced, not counted as an error', async () => {
    const brief = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        reply(res, 200, { 'content-length': '2' }, 'ok');
        // What a keep-alive timeout does: the idle connection is closed 20 ms after the answer.
        res.on('finish', () => setTimeout(() => req.socket.end(), 20));
      });
    });
    let opened = 0;
    brief.on('connection', () => opened++);
    await new Promise<void>((resolve) => brief.listen(0, '127.0.0.1', resolve));
    try {
      // 100 ms between requests: the server has closed the idle connection before each next one.
      const r = await runOpenLoad({
        url: `http://127.0.0.1:${(brief.address() as AddressInfo).port}/`,
        method: 'GET',
        headers: {},
        ratePerSecond: 10,
        durationMs: 500,
        maxConnections: 2,
      });
      expect(r).toMatchObject({ requests: 5, errors: 0, statusCounts: { '200': 5 } });
      expect(opened).toBe(5);
    } finally {
      await new Promise<void>((resolve) => {
        brief.close(() => resolve());
        brief.closeAllConnections();
      });
    }
  });

  it('percentile is the nearest rank', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 99)).toBe(4);
    expect(percentile([], 50)).toBeNaN();
  });
});

/**
 * Answers without chaining `writeHead(...).end(...)`: restify replaces
 * `http.ServerResponse.prototype.writeHead` with one that returns nothing, and core modules are
 * shared by all the test files one jest worker runs.
 */
function reply(res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body?: string): void {
  res.writeHead(status, headers);
  res.end(body);
}
