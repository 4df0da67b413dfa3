/**
 * Headless Chromium for browser tests: Debian's `/usr/bin/chromium` driven by playwright-core
 * (never a downloaded browser). Tests that need it call {@link launchBrowser}; where Chromium is
 * missing (a developer laptop) they skip with a printed reason, and under `CI=true` they fail.
 *
 * @see https://playwright.dev/docs/api/class-browsertype#browser-type-launch
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Path of the browser binary (`CHROMIUM_PATH` overrides). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** True when a Chromium binary is installed. */
export function hasChromium(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * `describe`, or `describe.skip` with a printed reason when Chromium is absent outside CI.
 * @throws Error under `CI=true` when Chromium is absent (CI must run browser tests).
 */
export function describeWithBrowser(name: string, body: () => void): void {
  if (hasChromium()) return describe(name, body);
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM_PATH} is missing: .ci/run installs Debian's chromium.`);
  console.warn(`Skipping "${name}": no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium).`);
  describe.skip(name, body);
}

/** Launches headless Chromium (playwright gives it a throwaway profile) with no background network. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
