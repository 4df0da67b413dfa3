/**
 * Builds the browser pages (scripts/build-web.mjs) into a temporary directory once per test
 * process, for tests that serve them (`startStack(seeds, { webRoot: await builtWebRoot() })`).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

let built: Promise<string> | undefined;

/** The directory holding taskpane.html, admin.html and assets/ (built on first call). */
export function builtWebRoot(): Promise<string> {
  built ??= (async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'convene-web-'));
    const repo = resolve(__dirname, '..', '..');
    await promisify(execFile)(process.execPath, [join(repo, 'scripts', 'build-web.mjs'), '--outdir', outdir], { cwd: repo });
    return outdir;
  })();
  return built;
}
