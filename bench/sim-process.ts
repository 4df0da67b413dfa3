/**
 * Runs the simulator with the bench tenant in its own process (so the server's throughput and
 * RSS are measured alone). Prints one JSON line {url, clientId, clientSecret, caPem} on stdout,
 * then serves until killed.
 */
import { startSimulator } from '../sim';
import { benchTenant } from './bench-tenant';

void (async () => {
  const sim = await startSimulator({ port: 0, seeds: [benchTenant(Date.now())] });
  process.stdout.write(`${JSON.stringify({ url: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, caPem: sim.caPem })}\n`);
  process.on('SIGTERM', () => void sim.close().then(() => process.exit(0)));
})();
