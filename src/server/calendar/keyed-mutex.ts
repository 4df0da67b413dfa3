/**
 * Serializes async work per key within this process: bookings that share a panel member run one
 * after the other, so the free/busy re-check of the second sees the first's event.
 * (Across server instances the same job falls to PostgreSQL advisory locks: see the scale-out issue.)
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every key in `keys` is free; keys are taken in sorted order, so no deadlock. */
  async runExclusive<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const releases: Array<() => void> = [];
    for (const key of sorted) {
      const previous = this.tails.get(key) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((resolve) => (release = resolve));
      const tail = previous.then(() => mine);
      this.tails.set(key, tail);
      releases.push(() => {
        release();
        if (this.tails.get(key) === tail) this.tails.delete(key);
      });
      await previous;
    }
    try {
      return await fn();
    } finally {
      for (const r of releases) r();
    }
  }

  /** Number of keys currently held or awaited (for tests). */
  get size(): number {
    return this.tails.size;
  }
}
