// Draws Convene's icons with pngjs (no image editor, so they can be regenerated and reviewed):
//   manifest/color.png         192x192 full-bleed colour icon (Microsoft 365 app manifest `icons.color`)
//   manifest/outline.png       32x32 white on transparent (`icons.outline`; Teams requires white + transparent)
//   manifest/assets/icon-N.png 16/32/64/80/128 ribbon and add-in icons (served by the server at /assets/icon-N.png)
// The mark: a calendar with a check, i.e. "the panel's time, found and booked".
// Run: node scripts/make-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PNG } from 'pngjs';

const ROOT = resolve(process.argv[2] ?? '.');
const INDIGO = [0x3b, 0x5b, 0xdb];
const INDIGO_LIGHT = [0xba, 0xc8, 0xff];
const WHITE = [0xff, 0xff, 0xff];
const SUPERSAMPLE = 4; // 4x4 samples per pixel: smooth edges without a vector library

// Shapes in unit coordinates (0..1 on both axes), as "is this point inside" predicates.
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
const rect = (x0, y0, x1, y1) => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
const capsule = (ax, ay, bx, by, r) => (x, y) => {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= r * r;
};
const and = (a, b) => (x, y) => a(x, y) && b(x, y);
const not = (a) => (x, y) => !a(x, y);
const or =
  (...shapes) =>
  (x, y) =>
    shapes.some((s) => s(x, y));

/** Paints layers ({shape, color}) in order onto a size x size PNG; `background` null = transparent. */
function render(size, background, layers) {
  const png = new PNG({ width: size, height: size });
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let [r, g, b] = background ?? WHITE;
      let a = background ? 1 : 0;
      for (const { shape, color } of layers) {
        let hits = 0;
        for (let sy = 0; sy < SUPERSAMPLE; sy++)
          for (let sx = 0; sx < SUPERSAMPLE; sx++)
            if (shape((px + (sx + 0.5) / SUPERSAMPLE) / size, (py + (sy + 0.5) / SUPERSAMPLE) / size)) hits++;
        const cover = hits / SUPERSAMPLE ** 2;
        if (cover === 0) continue;
        // "over" compositing; on a transparent background the colour is kept pure (no dark fringe).
        const outA = cover + a * (1 - cover);
        if (a === 0) [r, g, b] = color;
        else [r, g, b] = [0, 1, 2].map((i) => (color[i] * cover + [r, g, b][i] * a * (1 - cover)) / outA);
        a = outA;
      }
      const i = (py * size + px) * 4;
      png.data[i] = Math.round(r);
      png.data[i + 1] = Math.round(g);
      png.data[i + 2] = Math.round(b);
      png.data[i + 3] = Math.round(a * 255);
    }
  }
  return PNG.sync.write(png);
}

// Colour icon: a white calendar with a light header, two rings and an indigo check, on full-bleed indigo.
const body = roundRect(0.23, 0.29, 0.77, 0.79, 0.06);
const colorIcon = render(192, INDIGO, [
  { shape: body, color: WHITE },
  { shape: and(body, rect(0, 0, 1, 0.4)), color: INDIGO_LIGHT },
  { shape: or(capsule(0.37, 0.22, 0.37, 0.33, 0.03), capsule(0.63, 0.22, 0.63, 0.33, 0.03)), color: WHITE },
  { shape: or(capsule(0.37, 0.58, 0.46, 0.67, 0.037), capsule(0.46, 0.67, 0.65, 0.48, 0.037)), color: INDIGO },
]);

// Outline mark: the same calendar drawn as strokes, for the 32x32 outline and the ribbon icons.
const outer = roundRect(0.12, 0.19, 0.88, 0.88, 0.09);
const inner = roundRect(0.185, 0.255, 0.815, 0.815, 0.04);
const outlineMark = or(
  and(outer, not(inner)),
  and(outer, rect(0, 0, 1, 0.36)),
  capsule(0.34, 0.09, 0.34, 0.24, 0.05),
  capsule(0.66, 0.09, 0.66, 0.24, 0.05),
  capsule(0.33, 0.6, 0.45, 0.72, 0.05),
  capsule(0.45, 0.72, 0.68, 0.49, 0.05),
);
const outlineIcon = render(32, null, [{ shape: outlineMark, color: WHITE }]);

const files = {
  'manifest/color.png': colorIcon,
  'manifest/outline.png': outlineIcon,
  ...Object.fromEntries(
    [16, 32, 64, 80, 128].map((n) => [`manifest/assets/icon-${n}.png`, render(n, null, [{ shape: outlineMark, color: INDIGO }])]),
  ),
};
for (const [path, bytes] of Object.entries(files)) {
  const target = join(ROOT, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, bytes);
  console.log(`wrote ${path} (${bytes.length} bytes)`);
}
