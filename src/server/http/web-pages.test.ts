import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import restify from 'restify';
import { mountWebPages } from './web-pages';

describe('web pages', () => {
  let base = '';
  let server: restify.Server;

  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'convene-pages-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'admin.html'), '<!doctype html><title>admin</title>');
    writeFileSync(join(root, 'assets', 'admin-ABC123.js'), 'console.log(1)');
    writeFileSync(join(root, 'secret.txt'), 'not an asset');
    server = restify.createServer();
    mountWebPages(server, {
      root,
      pages: [
        { path: '/admin', file: 'admin.html', headers: { 'X-Frame-Options': 'DENY' } },
        { path: '/taskpane.html', file: 'taskpane.html' },
      ],
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('serves a page as HTML with its own headers', async () => {
    const res = await fetch(`${base}/admin`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<title>admin</title>');
  });

  it('serves built assets as immutable', async () => {
    const res = await fetch(`${base}/assets/admin-ABC123.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toContain('immutable');
  });

  it('serves nothing outside the assets directory', async () => {
    for (const path of ['/assets/..%2Fsecret.txt', '/assets/%2e%2e%2fsecret.txt', '/assets/secret.txt', '/assets/.hidden']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('not an asset');
    }
  });

  it('says how to build a page that is missing', async () => {
    const res = await fetch(`${base}/taskpane.html`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('not_found');
    expect(body.error.message).toContain('npm run build');
  });
});
