/**
 * Serves Convene's browser pages, built by `scripts/build-web.mjs` into `dist/web`: the Outlook
 * taskpane at `/taskpane.html`, the admin page at `/admin`, and their content-hashed bundles at
 * `/assets/<file>` (DESIGN.md "HTTP API v1", Pages). Files are read from disk once and kept in
 * memory (a few hundred KB); a page that was not built answers 404 `not_found` saying how to build it.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import type { Request, Response, Server } from 'restify';

/** A page served at `path` from `file` (relative to the web root) with extra response headers. */
export interface WebPage {
  path: string;
  file: string;
  headers?: Record<string, string>;
}

export interface WebPagesOptions {
  /** Directory holding the built pages (`dist/web`). */
  root: string;
  pages: WebPage[];
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Headers every page gets: no sniffing, no referrer leaks. */
const BASE_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/**
 * The default web root: `dist/web` under the package root (found by walking up from this file,
 * so it works from `src/` under jest and from `dist/src/` in production).
 */
export function defaultWebRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'web');
}

/** Registers GET routes for `pages` and `/assets/:file` on `server`. */
export function mountWebPages(server: Server, options: WebPagesOptions): void {
  const cache = new Map<string, Buffer | null>();
  const read = (file: string): Buffer | null => {
    if (!cache.has(file)) {
      const full = join(options.root, file);
      cache.set(file, existsSync(full) ? readFileSync(full) : null);
    }
    return cache.get(file) ?? null;
  };

  const notBuilt = (res: Response, what: string) => {
    const body = JSON.stringify({
      error: { code: 'not_found', message: `${what} is not built: run \`npm run build\` (or \`npm start\`).` },
    });
    res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(body);
  };

  for (const page of options.pages) {
    server.get(page.path, async (_req: Request, res: Response) => {
      const content = read(page.file);
      if (!content) return notBuilt(res, page.path);
      res.writeHead(200, {
        ...BASE_HEADERS,
        'Content-Type': TYPES[extname(page.file)] ?? 'application/octet-stream',
        'Content-Length': content.length,
        'Cache-Control': 'no-cache',
        ...page.headers,
      });
      res.end(content);
    });
  }

  const assets = join(options.root, 'assets');
  const known = existsSync(assets) ? new Set(readdirSync(assets)) : new Set<string>();
  server.get('/assets/:file', async (req: Request, res: Response) => {
    const name = String((req.params as Record<string, unknown>).file ?? '');
    // Only names listed in the built assets directory: no traversal, no probing.
    if (!ASSET_NAME.test(name) || !known.has(name)) return notBuilt(res, `/assets/${name}`);
    const content = read(join('assets', name));
    if (!content) return notBuilt(res, `/assets/${name}`);
    res.writeHead(200, {
      ...BASE_HEADERS,
      'Content-Type': TYPES[extname(name)] ?? 'application/octet-stream',
      'Content-Length': content.length,
      // Content-hashed names never change content.
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
    res.end(content);
  });
}
