/**
 * Configuration cannot drift: every environment variable the server reads (the keys of
 * `EnvSchema` in src/server/config.ts) is set by infra/ (an App Service app setting in Bicep) or
 * listed in infra/README.md as not set in production, and is documented in the README's
 * configuration table; and every app setting infra sets is one the server reads (or a documented
 * platform setting), so a renamed variable cannot linger in infra.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const read = (...p: string[]) => readFileSync(join(ROOT, ...p), 'utf8');

/** Keys of `const EnvSchema = z.object({ ... });` in config.ts, in order. */
export function configVariables(source: string): string[] {
  const start = source.indexOf('const EnvSchema = z.object({');
  if (start < 0) throw new Error('config.ts: EnvSchema not found');
  const end = source.indexOf('\n});', start);
  return [...source.slice(start, end).matchAll(/^ {2}([A-Za-z_][A-Za-z0-9_]*):/gm)].map((m) => m[1]!);
}

/** Names of `appSettings` entries in the Bicep files under infra/. */
function bicepAppSettings(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.bicep') ? [join(dir, e.name)] : [],
    );
  for (const file of walk('infra')) {
    const text = read(file);
    for (const block of text.matchAll(/appSettings:\s*\[([\s\S]*?)\n\s*\]/g))
      for (const m of block[1]!.matchAll(/name:\s*'([A-Za-z_][A-Za-z0-9_]*)'/g)) names.add(m[1]!);
  }
  return names;
}

/** Backticked names in the first cell of the table rows under `heading` in a Markdown file. */
function tableNames(markdown: string, heading: string): Set<string> {
  const at = markdown.indexOf(heading);
  if (at < 0) throw new Error(`heading not found: ${heading}`);
  const rest = markdown.slice(at + heading.length);
  const next = rest.search(/\n#{1,3} /);
  const section = next < 0 ? rest : rest.slice(0, next);
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('|')) continue;
    const firstCell = line.split('|')[1] ?? '';
    for (const m of firstCell.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)) names.add(m[1]!);
  }
  return names;
}

/** Settings of the Azure platform itself (App Service, Application Insights agent), not of Convene. */
const PLATFORM_SETTINGS = new Set([
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'ApplicationInsightsAgent_EXTENSION_VERSION',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
]);

describe('configuration drift between the server, infra/ and the README', () => {
  const variables = configVariables(read('src', 'server', 'config.ts'));
  const infraSets = bicepAppSettings();
  const notForProduction = tableNames(read('infra', 'README.md'), '### Settings not set in production');
  const documented = tableNames(read('README.md'), '## Configuration');

  it('reads the variable names from config.ts (the fixed names of DESIGN.md among them)', () => {
    expect(variables).toEqual(
      expect.arrayContaining([
        'PORT',
        'SIM_PORT',
        'DATABASE_URL',
        'CONVENE_SIM_SEED',
        'CONVENE_MASTER_KEY',
        'AZURE_CLIENT_ID',
        'CONVENE_CLOUD',
        'LOG_LEVEL',
      ]),
    );
    expect(infraSets.has('DATABASE_URL')).toBe(true);
  });

  it('every variable the server reads is set by infra/ or listed as not set in production', () => {
    const missing = variables.filter((v) => !infraSets.has(v) && !notForProduction.has(v));
    expect(missing).toEqual([]);
  });

  it('every variable the server reads is in the README configuration table', () => {
    expect(variables.filter((v) => !documented.has(v))).toEqual([]);
  });

  it('infra sets only variables the server reads (or platform settings), and lists only real ones as unset', () => {
    expect([...infraSets].filter((s) => !variables.includes(s) && !PLATFORM_SETTINGS.has(s) && !s.startsWith('WEBSITE_'))).toEqual([]);
    expect([...notForProduction].filter((s) => !variables.includes(s))).toEqual([]);
    expect([...notForProduction].filter((s) => infraSets.has(s))).toEqual([]);
  });

  it('production settings in infra turn on production mode and keep secrets in Key Vault', () => {
    const appservice = read('infra', 'modules', 'appservice.bicep');
    expect(appservice).toMatch(/name: 'NODE_ENV', value: 'production'/);
    expect(appservice).toMatch(/name: 'CONVENE_PUBLIC_URL', value: 'https:\/\//);
    for (const secret of ['DATABASE_URL', 'CONVENE_MASTER_KEY', 'AZURE_CLIENT_SECRET', 'MicrosoftAppPassword'])
      expect(appservice).toMatch(new RegExp(`name: '${secret}', value: '\\$\\{kvPrefix\\}`));
  });
});
