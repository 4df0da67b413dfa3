import { describeWithBrowser, launchBrowser } from '../support/browser';

describeWithBrowser('headless Chromium', () => {
  it('renders a page', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.setContent('<h1>Convene</h1>');
      expect(await page.textContent('h1')).toBe('Convene');
    } finally {
      await browser.close();
    }
  });
});
