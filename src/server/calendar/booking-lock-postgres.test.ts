/**
 * The PostgreSQL booking lock with two lock instances (two pools: what two server processes
 * have) on one database: overlapping key sets run one after the other, disjoint ones together,
 * and a wait that runs out is a 409 `conflict` with Retry-After, not a hang.
 */
import { createTestDatabase, describeWithPostgres } from '../../../test/support/postgres';
import type { BookingLock } from './booking-lock';
import { advisoryKey, createPostgresBookingLock } from './booking-lock-postgres';

describeWithPostgres('PostgreSQL booking lock', (adminUrl) => {
  let database: { url: string; drop: () => Promise<void> };
  let a: BookingLock;
  let b: BookingLock;

  beforeAll(async () => {
    database = await createTestDatabase(adminUrl());
    [a, b] = await Promise.all([
      createPostgresBookingLock({ databaseUrl: database.url, waitMs: 5_000 }),
      createPostgresBookingLock({ databaseUrl: database.url, waitMs: 300 }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await database?.drop();
  });

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('hashes keys case-insensitively to signed 64-bit integers', () => {
    expect(advisoryKey('T:Bob@Contoso.example')).toBe(advisoryKey('t:bob@contoso.example'));
    expect(advisoryKey('t:bob@contoso.example')).not.toBe(advisoryKey('t:eve@contoso.example'));
    const k = advisoryKey('t:bob@contoso.example');
    expect(k >= -(2n ** 63n) && k < 2n ** 63n).toBe(true);
  });

  it('serializes critical sections that share a key across lock instances (separate connections)', async () => {
    const events: string[] = [];
    const first = a.runExclusive(['t:bob', 't:alice'], async () => {
      events.push('a:start');
      await sleep(150);
      events.push('a:end');
    });
    await sleep(30);
    const second = createPostgresBookingLock({ databaseUrl: database.url, waitMs: 5_000 }).then(async (c) => {
      try {
        await c.runExclusive(['T:ALICE', 't:carol'], async () => {
          events.push('c:start');
        });
      } finally {
        await c.close();
      }
    });
    await Promise.all([first, second]);
    expect(events).toEqual(['a:start', 'a:end', 'c:start']);
  });

  it('runs disjoint key sets at the same time', async () => {
    let inside = 0;
    let most = 0;
    const section = async () => {
      inside += 1;
      most = Math.max(most, inside);
      await sleep(100);
      inside -= 1;
    };
    await Promise.all([a.runExclusive(['t:d1'], section), b.runExclusive(['t:d2'], section)]);
    expect(most).toBe(2);
  });

  it('answers 409 conflict with a Retry-After when the wait runs out, and the holder is unaffected', async () => {
    let release!: () => void;
    const held = a.runExclusive(['t:busy'], () => new Promise<string>((resolve) => (release = () => resolve('done'))));
    await sleep(30);
    await expect(b.runExclusive(['t:busy'], async () => 'never')).rejects.toMatchObject({
      code: 'conflict',
      status: 409,
      retryAfterMs: expect.any(Number),
    });
    release();
    await expect(held).resolves.toBe('done');
    // Released: the other instance gets it now.
    await expect(b.runExclusive(['t:busy'], async () => 'mine')).resolves.toBe('mine');
  });

  it('bounds the whole wait by waitMs, however many keys it waits for in turn', async () => {
    const [first, second] = ['t:turn-1', 't:turn-2'].sort((x, y) => (advisoryKey(x) < advisoryKey(y) ? -1 : 1)) as [string, string];
    let releaseFirst!: () => void;
    let releaseSecond!: () => void;
    const heldFirst = a.runExclusive([first], () => new Promise<void>((resolve) => (releaseFirst = resolve)));
    const heldSecond = a.runExclusive([second], () => new Promise<void>((resolve) => (releaseSecond = resolve)));
    await sleep(30);
    const c = await createPostgresBookingLock({ databaseUrl: database.url, waitMs: 1_000 });
    try {
      // The first key is freed after 700 ms; the second stays held: the wait for it gets what is
      // left of the 1 s, not another full second.
      setTimeout(() => releaseFirst(), 700);
      const started = Date.now();
      await expect(c.runExclusive([second, first], async () => 'never')).rejects.toMatchObject({ code: 'conflict' });
      expect(Date.now() - started).toBeLessThan(1_400);
    } finally {
      releaseFirst();
      releaseSecond();
      await Promise.all([heldFirst, heldSecond]);
      await c.close();
    }
  });

  it('releases the locks when the section throws', async () => {
    await expect(a.runExclusive(['t:throws'], () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(b.runExclusive(['t:throws'], async () => 'free')).resolves.toBe('free');
  });
});
