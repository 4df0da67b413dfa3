import { demoTenants } from '../../sim';
import { describeWithBrowser, launchBrowser } from '../support/browser';
import { startStack, type Stack } from '../support/stack';
import { builtWebRoot } from '../support/web';

// The built pages, served by the real server, start in a real browser without console errors.
describeWithBrowser('built pages in Chromium', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(demoTenants(Date.now()), { webRoot: await builtWebRoot() });
  }, 60_000);
  afterAll(() => stack?.close());

  it('serves the ribbon icons both manifests point at', async () => {
    for (const size of [16, 32, 80]) {
      const res = await fetch(`${stack.url}/assets/icon-${size}.png`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
    }
  });

  it.each(['/taskpane.html', '/admin'])('%s renders', async (path) => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      // Anything the page's Content-Security-Policy blocks, as Chromium reports it.
      const cspViolations: string[] = [];
      page.on('console', (m) => {
        // Office's own telemetry frame (office.js outside Office, after 3 s) is blocked on purpose.
        if (/Content Security Policy/i.test(m.text()) && !/telemetryservice\.firstpartyapps\.oaspapps\.com/.test(m.text()))
          cspViolations.push(m.text());
      });
      const res = await page.goto(`${stack.url}${path}`);
      expect(res?.status()).toBe(200);
      expect(res?.headers()['content-security-policy']).toMatch(/default-src 'self'/);
      await page.waitForSelector('#root *');
      // Let late work (sign-in settings, lazily loaded chunks, inserted styles) happen too.
      await page.waitForLoadState('networkidle');
      expect(errors).toEqual([]);
      expect(cspViolations).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
