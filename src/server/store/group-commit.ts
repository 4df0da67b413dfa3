/**
 * Group commit for the audit log: concurrent `append` calls that arrive while a write is in
 * flight are written together in the next single INSERT. Every caller still waits until its own
 * entries are committed (nothing is acknowledged before it is durable), but under load the
 * database sees one statement per batch instead of one per request: on embedded PGlite each
 * commit is a file write, and this is what lets one process serve hundreds of requests a second.
 */
import type { AuditEntry, AuditStore } from './types';

/** Most entries written by one statement; larger queues are split. */
const MAX_BATCH = 2000;

/** Wraps an audit store with group commit. `list` passes through. */
export function withGroupCommit(inner: AuditStore): AuditStore {
  let queue: Array<{ entries: AuditEntry[]; resolve: () => void; reject: (e: unknown) => void }> = [];
  let flushing = false;

  async function flush(): Promise<void> {
    flushing = true;
    try {
      while (queue.length > 0) {
        let count = 0;
        let take = 0;
        while (take < queue.length && (take === 0 || count + (queue[take]?.entries.length ?? 0) <= MAX_BATCH))
          count += queue[take++]?.entries.length ?? 0;
        const batch = queue.slice(0, take);
        queue = queue.slice(take);
        try {
          await inner.append(batch.flatMap((b) => b.entries));
          for (const b of batch) b.resolve();
        } catch (e) {
          for (const b of batch) b.reject(e);
        }
      }
    } finally {
      flushing = false;
    }
  }

  return {
    append(entries) {
      if (entries.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        queue.push({ entries, resolve, reject });
        if (!flushing) void flush();
      });
    },
    list: (query) => inner.list(query),
  };
}
