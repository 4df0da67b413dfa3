/**
 * Scheduled jobs that run once per period across N server instances.
 *
 * Every instance runs the same timer; at each tick, for each job, it tries to claim the row
 * (job, period) in `job_runs` with `INSERT ... ON CONFLICT` (see `store/jobs.ts`). PostgreSQL
 * lets exactly one claim through, so one instance runs the job for that period and the others
 * skip. A failed run, or one whose instance died (still `running` after `leaseMs`), is claimed
 * again at a later tick, at most `maxAttempts` times per period. On embedded PGlite (one
 * process) the same code runs with one instance.
 *
 * The timer is unref'd (it never keeps the process alive) and {@link JobRunner.stop} waits for a
 * run in progress, so graceful shutdown can close the store afterwards.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log';
import type { JobStore } from '../store/types';

/** What a job gets for one run. */
export interface JobContext {
  /** The instant the run is for, epoch ms. */
  nowMs: number;
  /** The claimed period, e.g. `2026-11-23`. */
  period: string;
  /** Aborted when the runner stops (shutdown): stop early, the period is retried later. */
  signal: AbortSignal;
}

/** A job the runner can schedule. */
export interface ScheduledJob {
  /** Stable kebab-case name, the `job_runs.job` key (e.g. `audit-purge`). */
  readonly name: string;
  /** The period `nowMs` falls in; the job runs once per period. */
  period(nowMs: number): string;
  /**
   * Does the work. Resolves with counts to record in `job_runs.result` (never personal data).
   * @throws anything: the run is recorded `failed` and retried at a later tick.
   */
  run(ctx: JobContext): Promise<Record<string, unknown>>;
}

/** What one attempt to run a job did. */
export type JobOutcome =
  | { job: string; period: string; ran: true; status: 'succeeded'; result: Record<string, unknown> }
  | { job: string; period: string; ran: true; status: 'failed'; error: string }
  /** Another instance holds (or finished) this period's run, or the attempts are used up. */
  | { job: string; period: string; ran: false };

export interface JobRunner {
  /** This instance's id, recorded in `job_runs.instance_id`. */
  readonly instanceId: string;
  /** Starts the periodic timer (unref'd). Idempotent. */
  start(): void;
  /** Tries every job now (claim, run if claimed). Ticks do this. */
  runDue(): Promise<JobOutcome[]>;
  /**
   * Tries one job now, as a tick would (tests, operators).
   * @throws Error when no job has that name.
   */
  trigger(name: string): Promise<JobOutcome>;
  /** Stops the timer, aborts and awaits a run in progress. Idempotent. */
  stop(): Promise<void>;
}

export interface JobRunnerDeps {
  store: JobStore;
  jobs: readonly ScheduledJob[];
  logger: Logger;
  /** Epoch ms. */
  now: () => number;
  /** Default: a random UUID per process. */
  instanceId?: string;
  /** Time between ticks, ms. Default 15 minutes. */
  intervalMs?: number;
  /** Delay before the first tick, ms. Default a random 30-90 s, so instances started together spread out. */
  firstTickMs?: number;
  /** A `running` claim older than this is taken to be abandoned (its instance died), ms. Default 1 hour. */
  leaseMs?: number;
  /** Claims per (job, period) at most, the first included. Default 3. */
  maxAttempts?: number;
}

/** The period of a daily job: the UTC date of `nowMs` (`YYYY-MM-DD`). */
export function dailyPeriod(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

/** Builds the runner; nothing runs until {@link JobRunner.start} or a trigger. */
export function createJobRunner(deps: JobRunnerDeps): JobRunner {
  const log = deps.logger.child({ module: 'jobs' });
  const instanceId = deps.instanceId ?? randomUUID();
  const intervalMs = deps.intervalMs ?? 15 * 60_000;
  const leaseMs = deps.leaseMs ?? 60 * 60_000;
  const maxAttempts = deps.maxAttempts ?? 3;
  const byName = new Map(deps.jobs.map((j) => [j.name, j]));
  const abort = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  let timer: NodeJS.Timeout | undefined;
  let ticking = false;
  let stopped = false;

  async function attempt(job: ScheduledJob): Promise<JobOutcome> {
    const nowMs = deps.now();
    const period = job.period(nowMs);
    if (stopped) return { job: job.name, period, ran: false };
    const claim = await deps.store.claimRun({ job: job.name, period, instanceId, leaseMs, maxAttempts });
    if (!claim) {
      log.debug({ job: job.name, period }, 'job run skipped: claimed by another instance');
      return { job: job.name, period, ran: false };
    }
    const started = Date.now();
    try {
      const result = await job.run({ nowMs, period, signal: abort.signal });
      await deps.store.finishRun({ job: job.name, period, instanceId, attempt: claim.attempt, status: 'succeeded', result, error: null });
      log.info({ job: job.name, period, attempt: claim.attempt, ms: Date.now() - started, result }, 'job run succeeded');
      return { job: job.name, period, ran: true, status: 'succeeded', result };
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      await deps.store
        .finishRun({ job: job.name, period, instanceId, attempt: claim.attempt, status: 'failed', result: null, error })
        .catch((e: unknown) => log.warn({ job: job.name, period, err: e }, 'cannot record the failed job run'));
      log.warn({ job: job.name, period, attempt: claim.attempt, err }, 'job run failed');
      return { job: job.name, period, ran: true, status: 'failed', error };
    }
  }

  function tracked<T>(p: Promise<T>): Promise<T> {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  }

  async function runDue(): Promise<JobOutcome[]> {
    const outcomes: JobOutcome[] = [];
    // One job after the other: jobs are light and this keeps an instance's database load flat.
    for (const job of deps.jobs) outcomes.push(await tracked(attempt(job)));
    return outcomes;
  }

  async function tick(): Promise<void> {
    if (ticking || stopped) return;
    ticking = true;
    try {
      await runDue();
    } catch (err) {
      // The claim itself failed (database unreachable): the next tick tries again.
      log.warn({ err }, 'scheduled jobs tick failed');
    } finally {
      ticking = false;
    }
    schedule(intervalMs);
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => void tick(), delayMs);
    timer.unref();
  }

  return {
    instanceId,
    start() {
      if (timer || stopped) return;
      schedule(deps.firstTickMs ?? 30_000 + Math.floor(Math.random() * 60_000));
    },
    runDue,
    trigger(name) {
      const job = byName.get(name);
      if (!job) throw new Error(`no scheduled job named "${name}" (known: ${[...byName.keys()].join(', ')})`);
      return tracked(attempt(job));
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      abort.abort(new Error('the server is shutting down'));
      await Promise.allSettled([...inFlight]);
    },
  };
}
