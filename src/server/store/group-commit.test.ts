import { withGroupCommit } from './group-commit';
import type { AuditEntry, AuditStore } from './types';

const entry = (n: number): AuditEntry => ({
  tid: 't',
  actorOid: 'a',
  operation: `op${n}`,
  targetMailbox: null,
  status: 200,
  graphRequestId: null,
  requestId: null,
  at: '2026-11-23T00:00:00.000Z',
});

/** An audit store whose writes finish only when the test says so. */
function gatedStore() {
  const writes: AuditEntry[][] = [];
  const gates: Array<() => void> = [];
  let fail: unknown;
  const store: AuditStore = {
    append(entries) {
      writes.push(entries);
      return new Promise<void>((resolve, reject) => gates.push(() => (fail ? reject(fail) : resolve())));
    },
    list: async () => [],
  };
  return { store, writes, open: () => gates.shift()?.(), failNext: (e: unknown) => (fail = e) };
}

describe('audit group commit', () => {
  it('writes the first append at once and everything that arrives meanwhile in one statement', async () => {
    const g = gatedStore();
    const audit = withGroupCommit(g.store);
    const done: number[] = [];
    const first = audit.append([entry(1)]).then(() => done.push(1));
    const second = audit.append([entry(2), entry(3)]).then(() => done.push(2));
    const third = audit.append([entry(4)]).then(() => done.push(3));
    expect(g.writes).toEqual([[entry(1)]]);
    g.open();
    await first;
    expect(done).toEqual([1]); // the others are not acknowledged before their write
    await Promise.resolve();
    expect(g.writes[1]).toEqual([entry(2), entry(3), entry(4)]);
    g.open();
    await Promise.all([second, third]);
    expect(done).toEqual([1, 2, 3]);
  });

  it('rejects every caller of a failed write, and keeps working afterwards', async () => {
    const g = gatedStore();
    const audit = withGroupCommit(g.store);
    g.failNext(new Error('disk full'));
    const a = audit.append([entry(1)]);
    g.open();
    await expect(a).rejects.toThrow('disk full');
    g.failNext(undefined);
    const b = audit.append([entry(2)]);
    g.open();
    await expect(b).resolves.toBeUndefined();
  });

  it('ignores empty appends', async () => {
    const g = gatedStore();
    await withGroupCommit(g.store).append([]);
    expect(g.writes).toEqual([]);
  });
});
