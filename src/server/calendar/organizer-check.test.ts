/**
 * The organizer check and its verdict cache with an injected clock: positive verdicts expire and
 * stay bounded; a 404 is never remembered as present; a failed lookup proves nothing.
 */
import { ConveneError } from '../../shared/errors';
import { createOrganizerCheck, createOrganizerVerdictCache, userLeftMessage } from './organizer-check';
import type { CallContext, DirectoryUserResult } from './provider';

const ctx: CallContext = { tenantId: 'T1', actorOid: 'O1', requestId: 'r' };
const found: DirectoryUserResult = {
  status: 'ok',
  user: { id: 'o1', displayName: 'Olivia', mail: 'olivia@x.example', userPrincipalName: 'olivia@x.example' },
};

function clock(start = 1_000_000) {
  const c = { nowMs: start, now: () => c.nowMs };
  return c;
}

describe('organizer verdict cache', () => {
  it('holds a positive verdict for ttlMs, then forgets it', () => {
    const c = clock();
    const cache = createOrganizerVerdictCache({ ttlMs: 60_000, now: c.now });
    expect(cache.isFresh('t1', 'o1')).toBe(false);
    cache.recordPresent('t1', 'o1');
    c.nowMs += 59_999;
    // Tenant and object ids are GUIDs: case does not matter.
    expect(cache.isFresh('T1', 'O1')).toBe(true);
    c.nowMs += 1;
    expect(cache.isFresh('t1', 'o1')).toBe(false);
    expect(cache.size).toBe(0);
    // A clock that went backwards is not fresh either.
    cache.recordPresent('t1', 'o1');
    c.nowMs -= 1;
    expect(cache.isFresh('t1', 'o1')).toBe(false);
  });

  it('is bounded: beyond maxEntries the least recently used verdict goes first', () => {
    const c = clock();
    const cache = createOrganizerVerdictCache({ maxEntries: 3, now: c.now });
    for (const oid of ['a', 'b', 'c']) cache.recordPresent('t', oid);
    expect(cache.isFresh('t', 'a')).toBe(true); // a is now the most recently used
    cache.recordPresent('t', 'd');
    expect(cache.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((oid) => cache.isFresh('t', oid))).toEqual([true, false, true, true]);
    for (let i = 0; i < 1000; i++) cache.recordPresent('t', `u${i}`);
    expect(cache.size).toBe(3);
  });

  it('keeps nothing with ttlMs 0 and refuses nonsense bounds', () => {
    const cache = createOrganizerVerdictCache({ ttlMs: 0, now: () => 0 });
    cache.recordPresent('t', 'o');
    expect(cache.isFresh('t', 'o')).toBe(false);
    expect(() => createOrganizerVerdictCache({ maxEntries: 0, now: () => 0 })).toThrow(/maxEntries/);
    expect(() => createOrganizerVerdictCache({ ttlMs: -1, now: () => 0 })).toThrow(/ttlMs/);
  });
});

describe('organizer check', () => {
  function setup(answers: Array<DirectoryUserResult | Error>) {
    const c = clock();
    const lookups: string[] = [];
    const verdicts = createOrganizerVerdictCache({ now: c.now });
    const check = createOrganizerCheck({
      verdicts,
      provider: {
        async getUser(_ctx, idOrUpn) {
          lookups.push(idOrUpn);
          const next = answers.shift();
          if (!next) throw new Error('unexpected lookup');
          if (next instanceof Error) throw next;
          return next;
        },
      },
    });
    return { c, lookups, check, verdicts };
  }

  it('looks the organizer up by oid once per minute, and again for a fresh check', async () => {
    const s = setup([found, found, found]);
    await s.check.ensurePresent(ctx);
    await s.check.ensurePresent(ctx);
    expect(s.lookups).toEqual(['O1']);
    await s.check.ensurePresent(ctx, { fresh: true });
    expect(s.lookups).toHaveLength(2);
    s.c.nowMs += 60_000;
    await s.check.ensurePresent(ctx);
    expect(s.lookups).toHaveLength(3);
  });

  it('answers 401 for a user Graph no longer knows, and forgets an earlier positive verdict', async () => {
    const gone: DirectoryUserResult = { status: 'notFound', reason: 'not found' };
    const s = setup([gone, gone]);
    await expect(s.check.ensurePresent(ctx)).rejects.toMatchObject({ code: 'unauthenticated', status: 401, message: userLeftMessage });
    // A lookup made inside someone else's $batch: found first, then gone.
    expect(s.check.judge(ctx, found)).toMatchObject({ id: 'o1' });
    expect(s.check.isFresh(ctx)).toBe(true);
    expect(() => s.check.judge(ctx, gone)).toThrow(userLeftMessage);
    expect(s.check.isFresh(ctx)).toBe(false);
    await expect(s.check.ensurePresent(ctx)).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(s.lookups).toHaveLength(2);
  });

  it('never counts a failed lookup as present: 503 graph_unavailable, 403 when Graph refuses', async () => {
    const throttled = new ConveneError('graph_unavailable', 'throttled', { retryAfterMs: 2000 });
    const s = setup([throttled, { status: 'error', reason: 'HTTP 500' }, { status: 'blocked', reason: 'denied' }]);
    s.check.judge(ctx, found);
    await expect(s.check.ensurePresent(ctx, { fresh: true })).rejects.toBe(throttled);
    expect(s.check.isFresh(ctx)).toBe(false);
    await expect(s.check.ensurePresent(ctx)).rejects.toMatchObject({ code: 'graph_unavailable', status: 503, retryAfterMs: 5000 });
    await expect(s.check.ensurePresent(ctx)).rejects.toMatchObject({ code: 'forbidden', status: 403 });
    expect(s.check.isFresh(ctx)).toBe(false);
  });
});
