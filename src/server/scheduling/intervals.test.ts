import fc from 'fast-check';
import { intersectIntervals, mergeIntervals, subtractIntervals } from './intervals';

/** Whether point x is covered by a flat interval list. */
const covers = (flat: readonly number[], x: number): boolean => {
  for (let i = 0; i < flat.length; i += 2) if (flat[i]! <= x && x < flat[i + 1]!) return true;
  return false;
};

const rawIntervals = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 30 })), { maxLength: 12 })
  .map((pairs) => pairs.flatMap(([s, len]) => [s, s + len]));

/** A piece list: sorted, non-overlapping, possibly touching. */
const pieceList = fc.array(fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 10 })), { maxLength: 10 }).map((gaps) => {
  const out: number[] = [];
  let t = 0;
  for (const [gap, len] of gaps) {
    t += gap;
    out.push(t, t + len);
    t += len;
  }
  return out;
});

describe('intervals', () => {
  it('merges overlapping and touching intervals, keeps lone points and drops reversed pairs', () => {
    expect(mergeIntervals([5, 8, 1, 3, 3, 4, 7, 9, 12, 12, 9, 9, 20, 19])).toEqual([1, 4, 5, 9, 12, 12]);
    expect(mergeIntervals([])).toEqual([]);
  });

  it('splits a piece at a blocked point so no slot can contain it', () => {
    expect(subtractIntervals([0, 10], [4, 4])).toEqual([0, 4, 4, 10]);
    expect(subtractIntervals([0, 10], [0, 0, 10, 10])).toEqual([0, 10]);
  });

  it('subtracts blocked time and keeps touching pieces apart', () => {
    expect(subtractIntervals([0, 10, 10, 20], [5, 12])).toEqual([0, 5, 12, 20]);
    expect(subtractIntervals([0, 10, 10, 20], [])).toEqual([0, 10, 10, 20]);
    expect(subtractIntervals([0, 10], [0, 10])).toEqual([]);
    expect(subtractIntervals([0, 30], [2, 4, 6, 8, 40, 50])).toEqual([0, 2, 4, 6, 8, 30]);
  });

  it('intersects piece by piece and drops pieces shorter than the minimum', () => {
    expect(intersectIntervals([0, 10, 10, 20], [5, 15])).toEqual([5, 10, 10, 15]);
    expect(intersectIntervals([0, 10, 10, 20], [5, 15], 6)).toEqual([]);
    expect(intersectIntervals([0, 100], [10, 20, 30, 40], 10)).toEqual([10, 20, 30, 40]);
  });

  it('computes the same point sets as brute force', () => {
    fc.assert(
      fc.property(pieceList, rawIntervals, pieceList, (a, raw, b) => {
        const blocked = mergeIntervals(raw);
        const diff = subtractIntervals(a, blocked);
        const both = intersectIntervals(a, b);
        const wrong: number[] = [];
        for (let x = 0; x <= 200; x++) {
          if (covers(blocked, x) !== covers(raw, x)) wrong.push(x);
          if (covers(diff, x) !== (covers(a, x) && !covers(raw, x))) wrong.push(1000 + x);
          if (covers(both, x) !== (covers(a, x) && covers(b, x))) wrong.push(2000 + x);
        }
        expect(wrong).toEqual([]);
        // Outputs stay sorted and non-overlapping; only `blocked` may hold points (s == e).
        const unordered = [blocked, diff, both].filter((list) =>
          list.some((v, i) => (i % 2 === 1 ? v < list[i - 1]! || (v === list[i - 1]! && list !== blocked) : i > 0 && v < list[i - 1]!)),
        );
        expect(unordered).toEqual([]);
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
