import type { GraphRequest, GraphResponse } from './client';
import { deferred, settle } from './fake-graph';
import { createMailboxLimiter, MailboxLimitedTransport } from './limiter';

describe('createMailboxLimiter', () => {
  it('runs at most 4 tasks per mailbox and starts the rest in arrival order', async () => {
    const limiter = createMailboxLimiter(4);
    const gates = Array.from({ length: 6 }, () => deferred<void>());
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      limiter.run(['Bob@Contoso.example'], async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);
    expect(limiter.inFlight('bob@contoso.example')).toBe(4);
    expect(limiter.queued('BOB@contoso.example')).toBe(2);

    gates[2]!.resolve();
    await settle();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(limiter.inFlight('bob@contoso.example')).toBe(4);

    gates[0]!.resolve();
    await settle();
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);

    for (const g of gates) g.resolve();
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2, 3, 4, 5]);
    expect(limiter.inFlight('bob@contoso.example')).toBe(0);
  });

  it('keeps mailboxes independent and frees the slot when a task fails', async () => {
    const limiter = createMailboxLimiter(1);
    const gate = deferred<void>();
    const started: string[] = [];
    const a1 = limiter.run(['a'], async () => {
      started.push('a1');
      await gate.promise;
      throw new Error('boom');
    });
    const a2 = limiter.run(['a'], async () => {
      started.push('a2');
    });
    const b1 = limiter.run(['b'], async () => {
      started.push('b1');
    });
    await settle();
    expect(started).toEqual(['a1', 'b1']);
    gate.resolve();
    await expect(a1).rejects.toThrow('boom');
    await Promise.all([a2, b1]);
    expect(started).toEqual(['a1', 'b1', 'a2']);
  });

  it('takes a slot of every mailbox a multi-mailbox request touches, without deadlock', async () => {
    const limiter = createMailboxLimiter(1);
    const gate = deferred<void>();
    const order: string[] = [];
    const holdsB = limiter.run(['b'], async () => {
      order.push('b');
      await gate.promise;
    });
    // Two batches over the same pair in opposite order: sorted acquisition keeps them from waiting on each other.
    const ab = limiter.run(['a', 'b'], async () => {
      order.push('ab');
    });
    const ba = limiter.run(['b', 'a'], async () => {
      order.push('ba');
    });
    await settle();
    expect(order).toEqual(['b']);
    gate.resolve();
    await Promise.all([holdsB, ab, ba]);
    expect(order).toEqual(['b', 'ab', 'ba']);
  });
});

describe('MailboxLimitedTransport', () => {
  it('limits by tenant and target mailbox; tenant-wide requests are not limited', async () => {
    const gates: Array<ReturnType<typeof deferred<GraphResponse>>> = [];
    const inner = {
      send: (_req: GraphRequest) => {
        const g = deferred<GraphResponse>();
        gates.push(g);
        return g.promise;
      },
    };
    const limited = new MailboxLimitedTransport(inner, createMailboxLimiter(4));
    const req = (tenantId: string, mailboxes?: string[]): GraphRequest => ({
      tenantId,
      method: 'GET',
      path: '/x',
      ...(mailboxes ? { mailboxes } : {}),
    });
    const pending = [
      ...Array.from({ length: 5 }, () => limited.send(req('t1', ['bob@contoso.example']))),
      limited.send(req('t2', ['bob@contoso.example'])),
      limited.send(req('t1')),
    ];
    await settle();
    expect(gates).toHaveLength(6); // 4 for t1/bob, 1 for t2/bob, 1 tenant-wide; the 5th t1/bob waits
    for (const g of gates) g.resolve({ status: 200, headers: {}, requestId: null, body: null });
    await settle();
    expect(gates).toHaveLength(7);
    gates[6]!.resolve({ status: 200, headers: {}, requestId: null, body: null });
    await Promise.all(pending);
  });
});
