/**
 * At most N requests in flight per target mailbox (default 4), first come first served.
 *
 * Exchange Online lets one app have four concurrent requests against one mailbox; a fifth is
 * answered 429 "Application is over its MailboxConcurrency limit". Queuing here costs a little
 * latency instead of a 429 and a `Retry-After` wait. Limits are per process: N server instances
 * can still exceed it together, and `retry.ts` handles the 429s that follow.
 *
 * A request that acts on several mailboxes (a `$batch`) takes a slot of each; slots are taken in
 * sorted key order, so two such requests can never wait on each other in a cycle.
 *
 * @see https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits
 */
import type { GraphRequest, GraphResponse, GraphTransport } from './client';

/** Runs tasks under the per-mailbox limit. */
export interface MailboxLimiter {
  /**
   * Runs `task` once each of `keys` has a free slot (keys compared case-insensitively, duplicates
   * ignored; no keys: runs at once), and frees the slots when it settles.
   */
  run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T>;
  /** Tasks currently running for `key` (for tests and metrics). */
  inFlight(key: string): number;
  /** Tasks waiting for a slot of `key`. */
  queued(key: string): number;
}

interface Slot {
  active: number;
  waiting: Array<() => void>;
}

/** A {@link MailboxLimiter} with `maxInFlightPerMailbox` slots per key (default 4). */
export function createMailboxLimiter(maxInFlightPerMailbox = 4): MailboxLimiter {
  if (!Number.isInteger(maxInFlightPerMailbox) || maxInFlightPerMailbox < 1)
    throw new RangeError('maxInFlightPerMailbox must be a positive integer');
  const slots = new Map<string, Slot>();

  function acquire(key: string): Promise<void> {
    let slot = slots.get(key);
    if (!slot) {
      slot = { active: 0, waiting: [] };
      slots.set(key, slot);
    }
    if (slot.active < maxInFlightPerMailbox) {
      slot.active++;
      return Promise.resolve();
    }
    const s = slot;
    return new Promise<void>((resolve) => s.waiting.push(resolve));
  }

  function release(key: string): void {
    const slot = slots.get(key);
    if (!slot) return;
    const next = slot.waiting.shift();
    // The slot passes straight to the next in line (FIFO); `active` is unchanged.
    if (next) next();
    else if (--slot.active === 0) slots.delete(key);
  }

  return {
    async run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
      const sorted = [...new Set(keys.map((k) => k.toLowerCase()))].sort();
      const held: string[] = [];
      try {
        for (const key of sorted) {
          await acquire(key);
          held.push(key);
        }
        return await task();
      } finally {
        for (const key of held) release(key);
      }
    },
    inFlight: (key) => slots.get(key.toLowerCase())?.active ?? 0,
    queued: (key) => slots.get(key.toLowerCase())?.waiting.length ?? 0,
  };
}

/**
 * A {@link GraphTransport} whose requests wait for the per-mailbox limit; keys are
 * `${tenantId}/${mailbox}` from {@link GraphRequest.mailboxes}.
 */
export class MailboxLimitedTransport implements GraphTransport {
  constructor(
    private readonly inner: GraphTransport,
    private readonly limiter: MailboxLimiter,
  ) {}

  send(request: GraphRequest): Promise<GraphResponse> {
    const keys = (request.mailboxes ?? []).map((m) => mailboxKey(request.tenantId, m));
    return this.limiter.run(keys, () => this.inner.send(request));
  }
}

/** The limiter key of `mailbox` in `tenantId`. */
export function mailboxKey(tenantId: string, mailbox: string): string {
  return `${tenantId}/${mailbox}`.toLowerCase();
}
