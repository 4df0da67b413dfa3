/**
 * Serves the Outlook taskpane page (`/taskpane.html`, built by `scripts/build-web.mjs`) and, when
 * asked to, a local copy of office.js under `/office-js/` (the `@microsoft/office-js` package's
 * `dist`, which holds office.js and the host and locale files it loads next to itself).
 *
 * The built page references office.js on Microsoft's CDN, as Microsoft requires for add-ins in
 * production. With `officeJs: 'local'` (the local preview against the simulator, offline
 * development, the tests: loopback only) the page is served with that one URL replaced by
 * `/office-js/office.js`.
 *
 * @see https://learn.microsoft.com/office/dev/add-ins/develop/referencing-the-javascript-api-for-office-library-from-its-cdn
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, join, sep } from 'node:path';
import type { Request, Response, Server } from 'restify';

/** office.js on Microsoft's CDN (Office JavaScript API, requirement set agnostic "1" endpoint). */
export const OFFICE_JS_CDN = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';
/** Where the local copy is served. */
export const OFFICE_JS_LOCAL = '/office-js/office.js';

export interface TaskpaneOptions {
  /** Directory of the built pages (holds `taskpane.html`). */
  webRoot: string;
  /** `cdn` (default, production) or `local` (serve and reference the packaged copy). */
  officeJs?: 'cdn' | 'local';
  /** The office.js `dist` directory (default: `@microsoft/office-js/dist` from node_modules). */
  officeJsDir?: string;
  /**
   * The page's `Content-Security-Policy` (from `taskpaneContentSecurityPolicy` in
   * `page-security.ts`; it limits `frame-ancestors` to Outlook's origins). Absent: none sent.
   */
  contentSecurityPolicy?: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
};
/** Up to three path segments of plain names, as office.js asks for (`en-us/outlook_strings.js`). */
const OFFICE_PATH = /^[A-Za-z0-9][A-Za-z0-9_-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*){0,2}\.(js|json|css|html|png|gif|svg)$/;
const BASE_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };

/** The office.js package's `dist` directory, or undefined when it is not installed. */
export function defaultOfficeJsDir(): string | undefined {
  try {
    return join(dirname(require.resolve('@microsoft/office-js/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

/** Registers `GET /taskpane.html` and, with `officeJs: 'local'`, `GET /office-js/*`. */
export function mountTaskpane(server: Server, options: TaskpaneOptions): void {
  const local = options.officeJs === 'local';
  let page: Buffer | null | undefined;
  const read = (): Buffer | null => {
    if (page === undefined) {
      const file = join(options.webRoot, 'taskpane.html');
      if (!existsSync(file)) page = null;
      else {
        const html = readFileSync(file, 'utf8');
        page = Buffer.from(local ? html.split(OFFICE_JS_CDN).join(OFFICE_JS_LOCAL) : html);
      }
    }
    return page;
  };

  server.get('/taskpane.html', async (_req: Request, res: Response) => {
    const content = read();
    if (!content) return notFound(res, '/taskpane.html is not built: run `npm run build` (or `npm start`).');
    // Framed by Outlook on the web: no X-Frame-Options (it cannot name Outlook's origins); the
    // policy's frame-ancestors does.
    res.writeHead(200, {
      ...BASE_HEADERS,
      ...(options.contentSecurityPolicy ? { 'Content-Security-Policy': options.contentSecurityPolicy } : {}),
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': content.length,
      'Cache-Control': 'no-cache',
    });
    res.end(content);
  });

  if (!local) return;
  const dir = options.officeJsDir ?? defaultOfficeJsDir();
  const root = dir && existsSync(dir) ? realpathSync(dir) : undefined;
  server.get('/office-js/*', async (req: Request, res: Response) => {
    const rest = String((req.params as Record<string, unknown>)['*'] ?? '');
    if (!root || !OFFICE_PATH.test(rest)) return notFound(res, 'No such office.js file.');
    const full = join(root, rest);
    // The pattern forbids `..`; the prefix check guards against symlinks out of the package.
    if (!full.startsWith(root + sep) || !existsSync(full) || !statSync(full).isFile()) return notFound(res, 'No such office.js file.');
    const content = readFileSync(full);
    res.writeHead(200, {
      ...BASE_HEADERS,
      'Content-Type': TYPES[extname(full)] ?? 'application/octet-stream',
      'Content-Length': content.length,
      'Cache-Control': 'public, max-age=3600',
    });
    res.end(content);
  });
}

function notFound(res: Response, message: string): void {
  const requestId = String(res.getHeader('x-request-id') ?? '');
  res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify({ error: { code: 'not_found', message, requestId } }));
}
