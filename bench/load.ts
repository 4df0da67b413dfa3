/**
 * A bounded loopback load generator: `concurrency` workers send requests until `durationMs` has
 * passed or `maxRequests` were sent, whichever comes first. Loopback only (127.0.0.1).
 *
 * Each worker is one keep-alive HTTP/1.1 connection that sends the same pre-encoded request and
 * reads the whole answer (Content-Length or chunked) before sending the next, like a browser tab
 * or a Node client would. It speaks HTTP itself instead of going through `node:http`: the load
 * generator shares the machine's two cores with the server and the simulator, and `node:http`'s
 * client (ClientRequest, IncomingMessage streams, the agent) cost about 0.35 ms of CPU per
 * request, a tenth of what the whole server path costs; this costs about a third of that.
 */
import { connect, type Socket } from 'node:net';

export interface LoadResult {
  requests: number;
  errors: number;
  statusCounts: Record<string, number>;
  elapsedMs: number;
  perSecond: number;
  medianMs: number;
  p95Ms: number;
  p99Ms: number;
}

export interface LoadOptions {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  concurrency: number;
  durationMs: number;
  maxRequests: number;
}

/** Percentile of sorted numbers (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

/** A run's figures from its latencies (ms, sorted here), error count, statuses and duration (ms). */
function summarize(latencies: number[], errors: number, statusCounts: Record<string, number>, elapsedMs: number): LoadResult {
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    statusCounts,
    elapsedMs,
    perSecond: (latencies.length / elapsedMs) * 1000,
    medianMs: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
  };
}

/** Options of {@link runOpenLoad}: requests at a fixed rate, whatever the answers' pace. */
export interface OpenLoadOptions {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Offered load: requests started per second, on a fixed schedule. */
  ratePerSecond: number;
  durationMs: number;
  /** Keep-alive connections at most (a request due while all are busy waits for one, and that wait counts). */
  maxConnections: number;
}

/**
 * Open-loop load: request i is due at `start + i / ratePerSecond`, sent on an idle keep-alive
 * connection (a new one up to `maxConnections`), and its latency is measured from when it was
 * DUE, not when it could be sent: a server falling behind shows as latency, as real clients
 * arriving at that rate would see it (no "coordinated omission", which a closed loop of N
 * clients has: it only ever measures the server at saturation, where latency = N / throughput).
 * This is how "p99 at >= 300 requests/s" is measured; {@link runLoad} measures the maximum rate.
 */
export async function runOpenLoad(o: OpenLoadOptions): Promise<LoadResult> {
  const target = new URL(o.url);
  if (target.hostname !== '127.0.0.1' && target.hostname !== 'localhost') throw new Error('load tests target loopback only');
  if (target.protocol !== 'http:') throw new Error('the load generator speaks plain HTTP (loopback)');
  const request = encodeRequest(o, target);
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let errors = 0;
  const idle: Connection[] = [];
  const waiters: Array<(c: Connection | undefined) => void> = [];
  let open = 0;
  const intervalMs = 1000 / o.ratePerSecond;
  const total = Math.floor((o.durationMs / 1000) * o.ratePerSecond);
  const started = performance.now();

  const acquire = async (): Promise<Connection | undefined> => {
    // An idle connection the server closed meanwhile (its keep-alive timeout: the stack's bottom
    // can idle for seconds after a burst) is dropped, as an HTTP client's pool does, not counted as an error.
    for (let c = idle.pop(); c; c = idle.pop()) {
      if (c.alive) return c;
      c.close();
      open--;
    }
    if (open < o.maxConnections) {
      open++;
      try {
        return await Connection.open(target.hostname, Number(target.port || 80));
      } catch {
        open--;
        return undefined;
      }
    }
    return new Promise((resolve) => waiters.push(resolve));
  };
  const release = (c: Connection | undefined) => {
    const w = waiters.shift();
    if (w) {
      if (c) w(c);
      else {
        // The connection died: the waiter opens its own.
        open--;
        void acquire().then(w);
      }
      return;
    }
    if (c) idle.push(c);
    else open--;
  };

  const one = async (dueAt: number) => {
    const connection = await acquire();
    if (!connection) {
      errors++;
      return;
    }
    try {
      const { status, keepAlive } = await connection.exchange(request);
      latencies.push(performance.now() - dueAt);
      statusCounts[String(status)] = (statusCounts[String(status)] ?? 0) + 1;
      if (status >= 400) errors++;
      if (keepAlive) release(connection);
      else {
        connection.close();
        release(undefined);
      }
    } catch {
      errors++;
      connection.close();
      release(undefined);
    }
  };

  const inflight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const dueAt = started + i * intervalMs;
    const wait = dueAt - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(one(dueAt));
  }
  await Promise.all(inflight);
  for (const c of idle) c.close();
  return summarize(latencies, errors, statusCounts, performance.now() - started);
}

/** Runs the load; resolves when every worker stopped. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const target = new URL(o.url);
  if (target.hostname !== '127.0.0.1' && target.hostname !== 'localhost') throw new Error('load tests target loopback only');
  if (target.protocol !== 'http:') throw new Error('the load generator speaks plain HTTP (loopback)');
  const request = encodeRequest(o, target);
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let sent = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + o.durationMs;

  const worker = async () => {
    let connection: Connection | undefined;
    try {
      while (performance.now() < deadline && sent < o.maxRequests) {
        sent++;
        const t0 = performance.now();
        try {
          connection ??= await Connection.open(target.hostname, Number(target.port || 80));
          const { status, keepAlive } = await connection.exchange(request);
          latencies.push(performance.now() - t0);
          statusCounts[String(status)] = (statusCounts[String(status)] ?? 0) + 1;
          if (status >= 400) errors++;
          if (!keepAlive) {
            connection.close();
            connection = undefined;
          }
        } catch {
          errors++;
          connection?.close();
          connection = undefined;
        }
      }
    } finally {
      connection?.close();
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return summarize(latencies, errors, statusCounts, performance.now() - started);
}

/** The request as bytes, once: request line, headers (Host, Content-Length), body. */
function encodeRequest(o: Pick<LoadOptions, 'method' | 'headers' | 'body'>, target: URL): Buffer {
  const headers: Record<string, string> = { host: target.host, connection: 'keep-alive', ...o.headers };
  if (o.body !== undefined) headers['content-length'] = String(Buffer.byteLength(o.body));
  const head = `${o.method} ${target.pathname}${target.search} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(o.body ?? '', 'utf8')]);
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/** One keep-alive connection that runs one exchange at a time. */
class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (r: { status: number; keepAlive: boolean }) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    const fail = (e: Error) => {
      this.failure ??= e;
      const w = this.waiting;
      this.waiting = undefined;
      w?.reject(this.failure);
    };
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      try {
        this.tryComplete();
      } catch (e) {
        fail(e as Error);
        socket.destroy();
      }
    });
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static open(host: string, port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new Connection(socket));
      });
      socket.once('error', reject);
    });
  }

  exchange(request: Buffer): Promise<{ status: number; keepAlive: boolean }> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(request);
    });
  }

  /** False once the socket failed or the server closed it. */
  get alive(): boolean {
    return this.failure === undefined;
  }

  close(): void {
    this.socket.destroy();
  }

  /** Completes the waiting exchange when the buffer holds a whole answer. */
  private tryComplete(): void {
    if (!this.waiting) return;
    const headerEnd = this.buffer.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = this.buffer.toString('latin1', 0, headerEnd);
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? NaN);
    const contentLength = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
    const chunked = /\r\ntransfer-encoding:[^\r]*chunked/i.test(head);
    const keepAlive = !/\r\nconnection:\s*close/i.test(head);
    let end: number | undefined;
    if (chunked) end = chunkedEnd(this.buffer, headerEnd + 4);
    else end = headerEnd + 4 + Number(contentLength ?? 0);
    if (end === undefined || this.buffer.length < end) return;
    this.buffer = this.buffer.subarray(end);
    const w = this.waiting;
    this.waiting = undefined;
    if (!Number.isFinite(status)) w.reject(new Error(`not an HTTP answer: ${head.slice(0, 40)}`));
    else w.resolve({ status, keepAlive });
  }
}

/** Where a chunked body starting at `from` ends (after its last chunk and trailers), or undefined if incomplete. */
function chunkedEnd(buffer: Buffer, from: number): number | undefined {
  let at = from;
  for (;;) {
    const lineEnd = buffer.indexOf(CRLF, at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(buffer.toString('latin1', at, lineEnd), 16);
    if (!Number.isFinite(size)) throw new Error('bad chunk size');
    at = lineEnd + 2;
    if (size === 0) {
      // Trailers (usually none), then an empty line.
      for (;;) {
        const end = buffer.indexOf(CRLF, at);
        if (end < 0) return undefined;
        if (end === at) return end + 2;
        at = end + 2;
      }
    }
    at += size + 2;
    if (at > buffer.length) return undefined;
  }
}
