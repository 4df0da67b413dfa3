/**
 * A bounded loopback load generator: `concurrency` workers send requests until `durationMs` has
 * passed or `maxRequests` were sent, whichever comes first. Loopback only (127.0.0.1).
 */
import { request as httpRequest, Agent } from 'node:http';

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

/** Runs the load; resolves when every worker stopped. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const target = new URL(o.url);
  if (target.hostname !== '127.0.0.1' && target.hostname !== 'localhost') throw new Error('load tests target loopback only');
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency });
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let sent = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + o.durationMs;

  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = httpRequest(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: o.method,
          headers: { ...o.headers, ...(o.body ? { 'content-length': Buffer.byteLength(o.body) } : {}) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - t0);
            statusCounts[String(res.statusCode)] = (statusCounts[String(res.statusCode)] ?? 0) + 1;
            if ((res.statusCode ?? 0) >= 400) errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      if (o.body) req.write(o.body);
      req.end();
    });

  const worker = async () => {
    while (performance.now() < deadline && sent < o.maxRequests) {
      sent++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  agent.destroy();
  const elapsedMs = performance.now() - started;
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
