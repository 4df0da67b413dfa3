/**
 * Server instances as separate Node processes for the scale-out test. `npm test` does not build
 * dist/, so the instance entry (`server-instance.ts`) is bundled once with esbuild into a fresh
 * directory under `node_modules/.cache` (dependencies stay external and resolve from this
 * package's node_modules, also for dynamic `import()`), then each instance is `node <bundle>`
 * with its own environment.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import * as path from 'node:path';
import type { Simulator } from '../../sim';
import type { JobOutcome } from '../../src/server/jobs';

const repoRoot = path.resolve(__dirname, '..', '..');

/** The Node 24 binary the project pins (jest itself runs on it through the npm script). */
function nodeBinary(): string {
  return process.execPath;
}

export interface InstanceBundle {
  file: string;
  cleanup(): Promise<void>;
}

/** Bundles `test/support/server-instance.ts` (about 0.3 s). */
export async function bundleInstance(): Promise<InstanceBundle> {
  const cache = path.join(repoRoot, 'node_modules', '.cache');
  await mkdir(cache, { recursive: true });
  const dir = await mkdtemp(path.join(cache, 'convene-instance-'));
  const file = path.join(dir, 'server-instance.js');
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'server-instance.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    packages: 'external',
    outfile: file,
    logLevel: 'silent',
    // Bundled, every module shares the bundle's `module`: keep `if (require.main === module)`
    // entry points (src/server/main.ts) from starting a second server.
    define: { 'require.main': 'undefined' },
  });
  return { file, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface Instance {
  url: string;
  child: ChildProcess;
  /** Runs a scheduled job in the instance now (the runner's `trigger`). */
  trigger(job: string): Promise<JobOutcome>;
  /** SIGTERM; resolves with the exit code (null when it had to be killed after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<number | null>;
}

/** Starts one instance; resolves when it listens. */
export async function startInstance(
  bundle: InstanceBundle,
  sim: Pick<Simulator, 'url' | 'clientId' | 'clientSecret' | 'caPem'>,
  instanceId: string,
  env: Record<string, string>,
): Promise<Instance> {
  const spec = { sim: { url: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, caPem: sim.caPem }, instanceId, env };
  const child = spawn(nodeBinary(), [bundle.file], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', CONVENE_INSTANCE: JSON.stringify(spec) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`instance ${instanceId} did not start in 60 s: ${stderr}`)), 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`instance ${instanceId} exited (${code}) before listening: ${stderr}`));
    });
  });

  let nextId = 0;
  const waiting = new Map<number, { resolve: (o: JobOutcome) => void; reject: (e: Error) => void }>();
  child.on('message', (m: { id: number; outcome?: JobOutcome; error?: string }) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.outcome) w?.resolve(m.outcome);
    else w?.reject(new Error(m.error ?? 'no outcome'));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return {
    url,
    child,
    trigger(job) {
      const id = nextId++;
      return new Promise<JobOutcome>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.send({ id, trigger: job });
      });
    },
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
      const result = await Promise.race([exited, timer]);
      if (result === 'timeout') {
        child.kill('SIGKILL');
        await exited;
        return null;
      }
      return result;
    },
  };
}
