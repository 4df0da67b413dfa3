/**
 * The job runner and Convene's jobs on a real store (PGlite in memory, migrated): one claim per
 * (job, period) whoever asks, failed runs retried a bounded number of times, the audit purge's
 * narrow exception, and the user archive that acts only on a 404.
 */
import { randomUUID } from 'node:crypto';
import type { DirectoryUserResult } from '../calendar/provider';
import { createLogger } from '../log';
import { openStore, type Store } from '../store';
import { loadConfig } from '../config';
import { createAuditPurgeJob } from './audit-purge';
import { botCardRetentionDays, createBotCardPurgeJob } from './bot-card-purge';
import { createScheduledJobs } from './index';
import { createJobRunner, dailyPeriod, type ScheduledJob } from './runner';
import { createUserArchiveJob } from './user-archive';

const logger = createLogger('silent');
const DAY = 86_400_000;
let store: Store;

beforeAll(async () => {
  store = await openStore({ dataDir: 'memory://' });
});

afterAll(async () => {
  await store?.close();
});

function countingJob(name: string, behaviour: () => Promise<Record<string, unknown>>): ScheduledJob & { runs: number } {
  const job = {
    name,
    runs: 0,
    period: dailyPeriod,
    async run() {
      job.runs += 1;
      return behaviour();
    },
  };
  return job;
}

describe('job runner', () => {
  it('runs a job once per period, however many instances trigger it at once', async () => {
    const job = countingJob(`once-${randomUUID()}`, async () => ({ done: 1 }));
    const now = () => Date.parse('2026-11-23T10:00:00Z');
    const runners = ['a', 'b', 'c', 'd'].map((instanceId) => createJobRunner({ store: store.jobs, jobs: [job], logger, now, instanceId }));
    const outcomes = await Promise.all(runners.map((r) => r.trigger(job.name)));
    expect(outcomes.filter((o) => o.ran)).toEqual([
      { job: job.name, period: '2026-11-23', ran: true, status: 'succeeded', result: { done: 1 } },
    ]);
    expect(job.runs).toBe(1);
    const runs = await store.jobs.listRuns(job.name);
    expect(runs).toMatchObject([{ period: '2026-11-23', status: 'succeeded', attempts: 1, result: { done: 1 }, error: null }]);
    // The next day is a new period.
    const tomorrow = createJobRunner({ store: store.jobs, jobs: [job], logger, now: () => now() + DAY, instanceId: 'a' });
    await expect(tomorrow.trigger(job.name)).resolves.toMatchObject({ ran: true, period: '2026-11-24' });
    expect(job.runs).toBe(2);
  });

  it('records a failed run and retries it at a later tick, at most maxAttempts times', async () => {
    let fail = true;
    const job = countingJob(`flaky-${randomUUID()}`, async () => {
      if (fail) throw new Error('Graph is down');
      return { ok: true };
    });
    const runner = createJobRunner({ store: store.jobs, jobs: [job], logger, now: Date.now, instanceId: 'a', maxAttempts: 3 });
    await expect(runner.trigger(job.name)).resolves.toMatchObject({ ran: true, status: 'failed', error: 'Error: Graph is down' });
    await expect(store.jobs.listRuns(job.name)).resolves.toMatchObject([{ status: 'failed', attempts: 1, error: 'Error: Graph is down' }]);
    await expect(runner.trigger(job.name)).resolves.toMatchObject({ ran: true, status: 'failed' });
    fail = false;
    await expect(runner.trigger(job.name)).resolves.toMatchObject({ ran: true, status: 'succeeded', result: { ok: true } });
    // Succeeded: never again this period.
    await expect(runner.trigger(job.name)).resolves.toMatchObject({ ran: false });
    expect(job.runs).toBe(3);

    const stubborn = countingJob(`stubborn-${randomUUID()}`, () => Promise.reject(new Error('still down')));
    const r2 = createJobRunner({ store: store.jobs, jobs: [stubborn], logger, now: Date.now, instanceId: 'a', maxAttempts: 2 });
    await r2.trigger(stubborn.name);
    await r2.trigger(stubborn.name);
    await expect(r2.trigger(stubborn.name)).resolves.toMatchObject({ ran: false });
    expect(stubborn.runs).toBe(2);
  });

  it('takes over a run whose instance died (still running after the lease)', async () => {
    const job = countingJob(`abandoned-${randomUUID()}`, async () => ({ ok: true }));
    const period = dailyPeriod(Date.now());
    await expect(store.jobs.claimRun({ job: job.name, period, instanceId: 'dead', leaseMs: 60_000, maxAttempts: 3 })).resolves.toEqual({
      attempt: 1,
    });
    const fresh = createJobRunner({ store: store.jobs, jobs: [job], logger, now: Date.now, instanceId: 'b', leaseMs: 60_000 });
    await expect(fresh.trigger(job.name)).resolves.toMatchObject({ ran: false });
    const expired = createJobRunner({ store: store.jobs, jobs: [job], logger, now: Date.now, instanceId: 'b', leaseMs: 0 });
    await expect(expired.trigger(job.name)).resolves.toMatchObject({ ran: true, status: 'succeeded' });
    await expect(store.jobs.listRuns(job.name)).resolves.toMatchObject([{ instanceId: 'b', attempts: 2, status: 'succeeded' }]);
  });

  it('stop() aborts and waits for a run in progress, then refuses new runs', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let sawAbort = false;
    const job: ScheduledJob = {
      name: `slow-${randomUUID()}`,
      period: dailyPeriod,
      async run({ signal }) {
        signal.addEventListener('abort', () => {
          sawAbort = true;
          release();
        });
        await gate;
        return {};
      },
    };
    const runner = createJobRunner({ store: store.jobs, jobs: [job], logger, now: Date.now, firstTickMs: 3_600_000 });
    runner.start();
    const running = runner.trigger(job.name);
    await new Promise((r) => setTimeout(r, 50));
    await runner.stop();
    expect(sawAbort).toBe(true);
    await expect(running).resolves.toMatchObject({ ran: true });
    await expect(runner.trigger(job.name)).resolves.toMatchObject({ ran: false });
    expect(() => runner.trigger('no-such-job')).toThrow(/no scheduled job named "no-such-job"/);
  });
});

describe('audit purge', () => {
  const entry = (tid: string, at: string) => ({
    tid,
    actorOid: 'oid-1',
    operation: 'calendar.getSchedule',
    targetMailbox: 'megan@contoso.example',
    status: 200,
    graphRequestId: null,
    requestId: null,
    at,
  });

  it('deletes entries older than the retention and nothing younger', async () => {
    const tid = randomUUID();
    const now = Date.parse('2026-11-23T10:00:00Z');
    await store.audit.append([
      entry(tid, new Date(now - 91 * DAY).toISOString()),
      entry(tid, new Date(now - 120 * DAY).toISOString()),
      entry(tid, new Date(now - 89 * DAY).toISOString()),
    ]);
    const job = createAuditPurgeJob({ store: store.jobs, retentionDays: 90 });
    const result = await job.run({ nowMs: now, period: dailyPeriod(now), signal: new AbortController().signal });
    expect(result).toEqual({ retentionDays: 90, cutoff: '2026-08-25T10:00:00.000Z', deleted: 2 });
    await expect(store.audit.list({ tid })).resolves.toMatchObject([{ at: new Date(now - 89 * DAY).toISOString() }]);
    expect(() => createAuditPurgeJob({ store: store.jobs, retentionDays: 0 })).toThrow(/>= 1/);
  });

  it('never deletes an entry less than one day old, even when asked to', async () => {
    const tid = randomUUID();
    const fresh = new Date(Date.now() - 3_600_000).toISOString();
    await store.audit.append([entry(tid, fresh)]);
    // A cutoff in the future asks for everything: the one-day floor keeps the fresh entry.
    await store.jobs.purgeAuditBefore(new Date(Date.now() + DAY).toISOString());
    await expect(store.audit.list({ tid })).resolves.toMatchObject([{ at: fresh }]);
  });
});

describe('user archive', () => {
  it('archives the upcoming interviews of organizers Graph no longer knows (404), and only theirs', async () => {
    const tid = randomUUID();
    await store.tenants.recordConsent({
      tid,
      displayName: 'Contoso',
      cloud: 'global',
      grantedRoles: ['User.ReadBasic.All'],
      credentialMode: 'multitenant',
      encryptedCredential: null,
    });
    const future = (days: number) => new Date(Date.now() + days * DAY).toISOString();
    const book = async (organizerOid: string, startDays: number, status: 'scheduled' | 'cancelled' = 'scheduled') => {
      const id = randomUUID();
      await store.interviews.create({
        id,
        tid,
        organizerOid,
        organizerEmail: `${organizerOid}@contoso.example`,
        candidateName: 'Casey',
        candidateEmail: 'casey@example.com',
        candidateTimeZone: null,
        panel: ['megan@contoso.example'],
        subject: 'Interview',
        start: future(startDays),
        end: new Date(Date.parse(future(startDays)) + 3_600_000).toISOString(),
        timeZone: 'UTC',
        status,
        channel: 'api',
        transactionId: id,
        idempotencyKey: null,
        requestHash: null,
      });
      return id;
    };
    const goneUpcoming = await book('gone', 3);
    const goneCancelled = await book('gone', 4, 'cancelled');
    const gonePast = await book('gone', -2);
    const stays = await book('stays', 3);
    const blocked = await book('blocked', 3);
    const asked: string[] = [];
    const provider = {
      async getUser(ctx: { tenantId: string; actorOid: string }, oid: string): Promise<DirectoryUserResult> {
        expect(ctx.actorOid).toBe('app');
        asked.push(`${ctx.tenantId === tid ? 'tid' : ctx.tenantId}:${oid}`);
        if (oid === 'gone') return { status: 'notFound', reason: 'no such user' };
        if (oid === 'blocked') return { status: 'error', reason: 'Graph 500' };
        return { status: 'ok', user: { id: oid, displayName: oid, mail: `${oid}@contoso.example`, userPrincipalName: oid } };
      },
    };
    const job = createUserArchiveJob({ store: store.jobs, provider });
    const result = await job.run({ nowMs: Date.now(), period: dailyPeriod(Date.now()), signal: new AbortController().signal });
    expect(asked.filter((a) => a.startsWith('tid:')).sort()).toEqual(['tid:blocked', 'tid:gone', 'tid:stays']);
    expect(result).toMatchObject({ left: 1, archived: 1 });
    const status = async (id: string) => (await store.interviews.get(tid, id))?.status;
    expect(await status(goneUpcoming)).toBe('archived');
    expect(await status(goneCancelled)).toBe('cancelled');
    expect(await status(gonePast)).toBe('scheduled');
    expect(await status(stays)).toBe('scheduled');
    expect(await status(blocked)).toBe('scheduled');
  });
});

describe('bot card purge', () => {
  it('deletes cards older than 7 days and nothing younger, once per day across instances', async () => {
    const tid = randomUUID();
    const now = Date.parse('2031-03-10T06:00:00Z');
    const card = async (ageMs: number) => {
      const id = randomUUID();
      await store.conversations.createCard({
        id,
        tid,
        userOid: 'oid-coordinator',
        kind: 'proposals',
        request: { durationMinutes: 60 },
        createdAt: new Date(now - ageMs).toISOString(),
      });
      return id;
    };
    const old = [await card(7 * DAY + 1), await card(30 * DAY)];
    const kept = [await card(7 * DAY - 60_000), await card(DAY + 1), await card(0)];

    // Three instances with every job enabled (the default CONVENE_JOBS), triggering at once.
    const enabled = loadConfig({ LOG_LEVEL: 'silent' }).jobs;
    expect(enabled).toContain('bot-card-purge');
    const provider = {
      async getUser(): Promise<DirectoryUserResult> {
        throw new Error('not used');
      },
    };
    const instances = ['a', 'b', 'c'].map((instanceId) =>
      createScheduledJobs({
        store: store.jobs,
        conversations: store.conversations,
        provider,
        logger,
        now: () => now,
        enabled,
        auditRetentionDays: 90,
        instanceId,
      }),
    );
    const outcomes = await Promise.all(instances.map((i) => i.trigger('bot-card-purge')));
    expect(outcomes.filter((o) => o.ran)).toEqual([
      {
        job: 'bot-card-purge',
        period: '2031-03-10',
        ran: true,
        status: 'succeeded',
        result: { cutoff: '2031-03-03T06:00:00.000Z', retentionDays: botCardRetentionDays, deleted: 2 },
      },
    ]);
    for (const id of old) await expect(store.conversations.getCard(tid, id)).resolves.toBeNull();
    for (const id of kept) await expect(store.conversations.getCard(tid, id)).resolves.toMatchObject({ id, tid });
    // Not configured: not scheduled.
    const without = createScheduledJobs({
      store: store.jobs,
      conversations: store.conversations,
      provider,
      logger,
      now: () => now,
      enabled: loadConfig({ LOG_LEVEL: 'silent', CONVENE_JOBS: 'audit-purge' }).jobs,
      auditRetentionDays: 90,
    });
    expect(() => without.trigger('bot-card-purge')).toThrow(/no scheduled job named "bot-card-purge"/);
    expect(() => loadConfig({ LOG_LEVEL: 'silent', CONVENE_JOBS: 'bot-cards' })).toThrow(/CONVENE_JOBS/);
  });

  it('keeps a card at least past its one-day expiry', () => {
    expect(() => createBotCardPurgeJob({ store: store.conversations, retentionDays: 1 })).toThrow(/>= 2/);
    expect(createBotCardPurgeJob({ store: store.conversations }).name).toBe('bot-card-purge');
  });
});
