/**
 * One Convene server instance in its own process, wired to a simulator that runs elsewhere (the
 * test process). Started by `instances.ts` (bundled with esbuild, run by Node 24); not a test.
 *
 * Environment: `CONVENE_INSTANCE` JSON `{ sim: {url, clientId, clientSecret, caPem}, instanceId,
 * env: {DATABASE_URL?, CONVENE_DATA_DIR?, ...} }`. Prints one JSON line `{"url"}` when listening.
 * IPC messages `{id, trigger: <job name>}` run a scheduled job now and answer `{id, outcome}`
 * (or `{id, error}`). SIGTERM/SIGINT: the server's graceful close, then exit 0.
 */
import { configForSimulator } from '../../sim/wiring';
import { loadConfig } from '../../src/server/config';
import { createApp } from '../../src/server/main';
import { createFetch } from '../../src/server/net';

interface InstanceSpec {
  sim: { url: string; clientId: string; clientSecret: string; caPem: string };
  instanceId: string;
  env: Record<string, string>;
}

async function run(): Promise<void> {
  const spec = JSON.parse(process.env.CONVENE_INSTANCE ?? '{}') as InstanceSpec;
  const config = configForSimulator(loadConfig({ LOG_LEVEL: 'silent', ...spec.env }), spec.sim);
  const app = await createApp(config, {
    fetch: createFetch({ caPem: spec.sim.caPem }),
    // The test triggers the jobs; the timer must not run them on its own during the test.
    jobs: { instanceId: spec.instanceId, firstTickMs: 3_600_000 },
  });
  const url = await app.listen(0, '127.0.0.1');

  process.on('message', (m: { id: number; trigger: string }) => {
    void app.jobs.trigger(m.trigger).then(
      (outcome) => process.send?.({ id: m.id, outcome }),
      (err: unknown) => process.send?.({ id: m.id, error: String(err) }),
    );
  });
  const stop = () => {
    void app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`${JSON.stringify({ url })}\n`);
}

run().catch((e: unknown) => {
  process.stderr.write(`instance failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
