import fc from 'fast-check';
import { availabilityView } from './graph';
import type { ShowAs } from './state';

const CODE: Record<ShowAs, number> = { free: 0, workingElsewhere: 0, unknown: 0, tentative: 1, busy: 2, oof: 3 };

/** Every slot against every item: the plain reading of the definition, the oracle. */
function naiveView(items: Array<{ startMs: number; endMs: number; status: ShowAs }>, startMs: number, endMs: number, intervalMin: number) {
  const slotMs = intervalMin * 60_000;
  let view = '';
  for (let i = 0; i < Math.ceil((endMs - startMs) / slotMs); i++) {
    const s = startMs + i * slotMs;
    const e = Math.min(endMs, s + slotMs);
    let code = 0;
    for (const it of items) if (it.startMs < e && it.endMs > s) code = Math.max(code, CODE[it.status]);
    view += String(code);
  }
  return view;
}

describe('availabilityView', () => {
  it('is the highest code of the items overlapping each slot, the last slot cut at the window end', () => {
    const t0 = Date.parse('2026-11-23T08:00:00Z');
    const m = 60_000;
    const items = [
      { startMs: t0 + 30 * m, endMs: t0 + 60 * m, status: 'tentative' as const },
      { startMs: t0 + 45 * m, endMs: t0 + 50 * m, status: 'oof' as const },
      { startMs: t0 - 60 * m, endMs: t0 + 1 * m, status: 'busy' as const },
      { startMs: t0 + 100 * m, endMs: t0 + 100 * m, status: 'busy' as const },
    ];
    // The zero-length item at 100 min lies inside the fourth slot, so it counts there.
    expect(availabilityView(items, t0, t0 + 120 * m, 30)).toBe('2302');
    expect(availabilityView(items, t0, t0 + 95 * m, 30)).toBe('2300');
    expect(availabilityView([], t0, t0 + 61 * m, 30)).toBe('000');
  });

  it('agrees with checking every item against every slot', () => {
    const t0 = Date.parse('2026-11-23T00:00:00Z');
    const item = fc
      .tuple(
        fc.integer({ min: -600, max: 3000 }),
        fc.integer({ min: 0, max: 900 }),
        fc.constantFrom<ShowAs>(...(Object.keys(CODE) as ShowAs[])),
      )
      .map(([start, length, status]) => ({ startMs: t0 + start * 60_000 + 7, endMs: t0 + (start + length) * 60_000 + 7, status }));
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 12 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 1, max: 2880 }),
        fc.constantFrom(5, 15, 30, 60, 1440),
        (items, from, length, interval) => {
          items.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
          const startMs = t0 + from * 60_000;
          const endMs = startMs + length * 60_000 + 13;
          expect(availabilityView(items, startMs, endMs, interval)).toBe(naiveView(items, startMs, endMs, interval));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
