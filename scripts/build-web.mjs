// Builds Convene's browser pages (the Outlook taskpane and the admin page) with esbuild into
// dist/web: one HTML file per page and content-hashed bundles under dist/web/assets/.
//   node scripts/build-web.mjs [--outdir dist/web] [--dev]
// Prints each page's JavaScript size, raw and gzipped (issue 4 budget: 350 KB gzipped).
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The pages: HTML template (with %SCRIPTS% and %STYLES%) and entry module. */
export const PAGES = [
  { name: 'taskpane', html: 'src/addin/taskpane/taskpane.html', entry: 'src/addin/taskpane/main.tsx' },
  { name: 'admin', html: 'src/addin/admin/admin.html', entry: 'src/addin/admin/main.tsx' },
];

/**
 * Builds every page into `outdir`.
 * @param {{ outdir?: string, dev?: boolean, quiet?: boolean }} [options]
 * @returns {Promise<Record<string, { js: string[], bytes: number, gzipBytes: number }>>} per page
 */
export async function buildWeb(options = {}) {
  const outdir = resolve(root, options.outdir ?? 'dist/web');
  const dev = options.dev === true;
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(join(outdir, 'assets'), { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(PAGES.map((p) => [p.name, p.entry])),
    bundle: true,
    splitting: true,
    format: 'esm',
    target: ['chrome120', 'edge120', 'firefox120', 'safari16'],
    outdir: join(outdir, 'assets'),
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    minify: !dev,
    sourcemap: dev ? 'inline' : false,
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': JSON.stringify(dev ? 'development' : 'production') },
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const report = {};
  for (const page of PAGES) {
    const [out, meta] = Object.entries(result.metafile.outputs).find(([, m]) => m.entryPoint === page.entry) ?? [];
    if (!out || !meta) throw new Error(`esbuild produced no output for ${page.entry}`);
    // The entry and every chunk it imports statically: what the browser loads on first render.
    const files = new Set([out]);
    const walk = (file) => {
      for (const imp of result.metafile.outputs[file]?.imports ?? [])
        if (imp.kind === 'import-statement' && !files.has(imp.path)) {
          files.add(imp.path);
          walk(imp.path);
        }
    };
    walk(out);
    const js = [...files].filter((f) => f.endsWith('.js'));
    const css = meta.cssBundle ? [meta.cssBundle] : [];
    const url = (f) => '/assets/' + basename(f);
    const html = readFileSync(join(root, page.html), 'utf8')
      .replace('%SCRIPTS%', `<script type="module" src="${url(out)}"></script>`)
      .replace('%STYLES%', css.map((f) => `<link rel="stylesheet" href="${url(f)}">`).join(''));
    writeFileSync(join(outdir, `${page.name}.html`), html);
    let bytes = 0;
    let gzipBytes = 0;
    for (const f of js) {
      const buf = readFileSync(join(root, f));
      bytes += buf.length;
      gzipBytes += gzipSync(buf).length;
    }
    report[page.name] = { js: js.map((f) => relative(outdir, join(root, f))), bytes, gzipBytes };
  }
  // The add-in's ribbon icons (manifest/assets), referenced by both manifests as /assets/icon-<size>.png.
  const icons = join(root, 'manifest', 'assets');
  if (existsSync(icons))
    for (const f of readdirSync(icons)) if (/^icon-\d+\.png$/.test(f)) copyFileSync(join(icons, f), join(outdir, 'assets', f));
  writeFileSync(join(outdir, 'build.json'), JSON.stringify(report, null, 2));
  if (!options.quiet)
    for (const [name, r] of Object.entries(report))
      console.log(`web: ${name}.html  ${(r.bytes / 1024).toFixed(0)} KB JavaScript, ${(r.gzipBytes / 1024).toFixed(0)} KB gzipped`);
  return report;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--outdir');
  buildWeb({ outdir: at >= 0 ? args[at + 1] : undefined, dev: args.includes('--dev') }).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
