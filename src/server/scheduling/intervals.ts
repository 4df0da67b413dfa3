/**
 * Half-open interval lists `[start, end)` in epoch ms, stored flat (`[s0, e0, s1, e1, ...]`) so
 * the engine's sweeps allocate one array per step rather than one object per interval.
 *
 * "Piece lists" are sorted and non-overlapping but may touch (`[9, 12), [12, 17)`): the engine
 * keeps a working-hours day as its own piece, because a slot must fit inside one day's hours.
 */

/**
 * Sorts and merges intervals given as flat pairs: overlapping or touching ones are joined.
 * Zero-length intervals `[x, x)` are kept as points (unless inside or at the edge of another
 * interval): {@link subtractIntervals} splits a piece at a point, so no slot can contain it.
 * Reversed pairs (end < start) are dropped.
 */
export function mergeIntervals(flat: readonly number[]): number[] {
  const n = flat.length >> 1;
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (flat[2 * i + 1]! >= flat[2 * i]!) order.push(i);
  order.sort((a, b) => flat[2 * a]! - flat[2 * b]!);
  const out: number[] = [];
  for (const i of order) {
    const s = flat[2 * i]!;
    const e = flat[2 * i + 1]!;
    const last = out.length - 1;
    if (last > 0 && s <= out[last]!) {
      if (e > out[last]!) out[last] = e;
    } else out.push(s, e);
  }
  return out;
}

/**
 * `pieces` minus `blocked`: each piece loses the parts covered by `blocked` and may split; a
 * zero-length blocked point strictly inside a piece splits it into two touching pieces.
 * @param pieces - a piece list (sorted, non-overlapping, may touch).
 * @param blocked - sorted, merged intervals (from {@link mergeIntervals}).
 */
export function subtractIntervals(pieces: readonly number[], blocked: readonly number[]): number[] {
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < pieces.length; i += 2) {
    let cur = pieces[i]!;
    const end = pieces[i + 1]!;
    while (j < blocked.length && blocked[j + 1]! <= cur) j += 2;
    let k = j;
    while (cur < end) {
      if (k >= blocked.length || blocked[k]! >= end) {
        out.push(cur, end);
        break;
      }
      const bs = blocked[k]!;
      const be = blocked[k + 1]!;
      if (bs > cur) out.push(cur, bs);
      if (be > cur) cur = be;
      if (be <= end) k += 2;
    }
    j = k;
  }
  return out;
}

/**
 * Intersection of two piece lists, keeping piece boundaries (each output piece lies inside one
 * piece of each input). Pieces shorter than `minLengthMs` are dropped: they cannot hold a slot.
 */
export function intersectIntervals(a: readonly number[], b: readonly number[], minLengthMs = 0): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const as = a[i]!;
    const ae = a[i + 1]!;
    const bs = b[j]!;
    const be = b[j + 1]!;
    const s = as > bs ? as : bs;
    const e = ae < be ? ae : be;
    if (e > s && e - s >= minLengthMs) out.push(s, e);
    if (ae < be) i += 2;
    else j += 2;
  }
  return out;
}
