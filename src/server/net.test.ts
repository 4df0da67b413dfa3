import { createServer, type Server } from 'node:https';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { generate } from 'selfsigned';
import { createFetch, type FetchLike } from './net';

/** What the test server saw of one request. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

describe('createFetch', () => {
  let server: Server;
  let base: string;
  let caPem: string;
  let fetch: FetchLike;
  const seen: Seen[] = [];
  const routes = new Map<string, Handler>();

  beforeAll(async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
      ],
    });
    caPem = pems.cert;
    server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const handler = routes.get(new URL(req.url ?? '/', 'https://x').pathname);
        if (handler) handler(req, res, body);
        else reply(res, 404, {});
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    fetch = createFetch({ caPem });
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });

  beforeEach(() => {
    seen.length = 0;
    routes.clear();
  });

  it('GETs with headers, and answers a real Response with status, headers (repeated ones too) and body', async () => {
    routes.set('/json', (_req, res) => {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      reply(res, 201, { 'content-type': 'application/json', 'request-id': 'rid-1' }, '{"ok":true,"n":"é"}');
    });
    const res = await fetch(`${base}/json?x=1&y=%20`, { headers: { Authorization: 'Bearer t', Prefer: 'a="b"' } });
    expect(res).toBeInstanceOf(Response);
    expect(res.status).toBe(201);
    expect(res.ok).toBe(true);
    expect(res.url).toBe(`${base}/json?x=1&y=%20`);
    expect(res.headers.get('request-id')).toBe('rid-1');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ ok: true, n: 'é' });
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/json?x=1&y=%20', body: '' });
    expect(seen[0]!.headers.authorization).toBe('Bearer t');
    expect(seen[0]!.headers.prefer).toBe('a="b"');
  });

  it('POSTs a string body, labelled text/plain like fetch unless a content-type is given', async () => {
    routes.set('/echo', (_req, res, body) => reply(res, 200, {}, body));
    const plain = await fetch(`${base}/echo`, { method: 'POST', body: 'grant_type=x' });
    expect(await plain.text()).toBe('grant_type=x');
    expect(seen[0]!.headers['content-type']).toBe('text/plain;charset=UTF-8');
    expect(seen[0]!.headers['content-length']).toBe('12');

    const json = await fetch(`${base}/echo`, {
      method: 'post',
      headers: new Headers({ 'Content-Type': 'application/json' }),
      body: new TextEncoder().encode('{"a":1}'),
    });
    expect(await json.text()).toBe('{"a":1}');
    expect(seen[1]).toMatchObject({ method: 'POST', body: '{"a":1}' });
    expect(seen[1]!.headers['content-type']).toBe('application/json');
  });

  it('lets a body be read once, as fetch does', async () => {
    routes.set('/t', (_req, res) => reply(res, 200, { 'request-id': 'r-9' }, 'hello'));
    const res = await fetch(`${base}/t`);
    expect(res.bodyUsed).toBe(false);
    const copy = res.clone();
    expect(await res.text()).toBe('hello');
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(TypeError);
    await expect(res.arrayBuffer()).rejects.toThrow(TypeError);
    expect(() => res.clone()).toThrow(TypeError);
    expect(new TextDecoder().decode(await copy.arrayBuffer())).toBe('hello');
    expect(copy.headers.get('request-id')).toBe('r-9');
    expect(copy.status).toBe(200);
  });

  it('hands out the body as a stream that can be read or cancelled', async () => {
    routes.set('/s', (_req, res) => reply(res, 401, {}, '{"error":{}}'));
    const res = await fetch(`${base}/s`);
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toBe('{"error":{}}');
    expect(res.bodyUsed).toBe(true);
    reader.releaseLock();

    const other = await fetch(`${base}/s`);
    await other.body!.cancel();
    // undici's own TypeError, from another realm than jest's: compare by name.
    await expect(other.text()).rejects.toMatchObject({ name: 'TypeError' });
  });

  it('reads a large body that arrives in many chunks, characters split between chunks included', async () => {
    const text = `\ufeff${'aé€😀'.repeat(40_000)}`;
    routes.set('/big', (_req, res) => reply(res, 200, { 'content-type': 'text/plain; charset=utf-8' }, text));
    const res = await fetch(`${base}/big`);
    // Like fetch, text() drops a leading byte order mark.
    expect(await res.text()).toBe(text.slice(1));
    const again = await fetch(`${base}/big`);
    expect(Buffer.from(await again.arrayBuffer()).equals(Buffer.from(text, 'utf8'))).toBe(true);
  });

  it('has a null body for 204', async () => {
    routes.set('/none', (_req, res) => reply(res, 204, {}));
    const res = await fetch(`${base}/none`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
    expect(await res.text()).toBe('');
  });

  it('follows redirects like fetch (POST becomes GET on 302), or returns them with redirect: manual', async () => {
    routes.set('/from', (_req, res) => reply(res, 302, { location: '/to' }));
    routes.set('/to', (req, res) => reply(res, 200, {}, `landed by ${req.method}`));
    const followed = await fetch(`${base}/from`, { method: 'POST', body: 'x' });
    expect(await followed.text()).toBe('landed by GET');
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['POST /from', 'GET /to']);

    const manual = await fetch(`${base}/from`, { redirect: 'manual' });
    expect(manual.status).toBe(302);
    expect(manual.headers.get('location')).toBe('/to');
  });

  it('rejects with the signal reason when the answer is too slow, and at once when already aborted', async () => {
    routes.set('/slow', (_req, res) => {
      const timer = setTimeout(() => reply(res, 200, {}, 'late'), 2000);
      res.on('close', () => clearTimeout(timer));
    });
    const timedOut = fetch(`${base}/slow`, { signal: AbortSignal.timeout(50) });
    await expect(timedOut).rejects.toMatchObject({ name: 'TimeoutError' });

    const controller = new AbortController();
    controller.abort();
    await expect(fetch(`${base}/slow`, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('rejects at once on abort while still connecting (TLS handshake never answered)', async () => {
    const silentSockets: Socket[] = [];
    const silent = createTcpServer((socket) => void silentSockets.push(socket)); // accepts TCP, never speaks TLS
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const port = (silent.address() as AddressInfo).port;
      await expect(fetch(`https://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(100) })).rejects.toMatchObject({
        name: 'TimeoutError',
      });
      // undici's own connect timeout is 10 s: the signal, not it, ended the wait.
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await new Promise<void>((resolve) => {
        silent.close(() => resolve());
        for (const socket of silentSockets) socket.destroy();
      });
    }
  });

  it('trusts only the given certificate: without it the simulator-style certificate is refused', async () => {
    routes.set('/t', (_req, res) => reply(res, 200, {}, 'hello'));
    await expect(createFetch()(`${base}/t`)).rejects.toThrow();
    expect(seen).toHaveLength(0);
  });

  it('sends what it does not take itself (redirect: error, Request input) through undici fetch', async () => {
    routes.set('/t', (_req, res) => reply(res, 200, {}, 'hello'));
    const res = await fetch(`${base}/t`, { redirect: 'error', method: 'PUT', body: 'x' });
    expect(await res.text()).toBe('hello');
    expect(seen[0]).toMatchObject({ method: 'PUT', body: 'x' });
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
