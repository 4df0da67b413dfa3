/**
 * `npm run package`: the Microsoft 365 app package (Teams bot + Outlook add-in) built from
 * manifest/ and env/. The filled manifest must validate offline against the v1.30 schema in
 * ../shared/contracts (Ajv settings from that folder's README: ajv-draft-04, unicodeRegExp off).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { PNG } from 'pngjs';
import { type AppPackage, buildAppPackage, loadEnv, PackageError, placeholderNames } from '../../scripts/lib/app-package.mjs';
import { readZip } from './zip-reader';

const ROOT = resolve(__dirname, '../..');
const SCHEMA = join(ROOT, '..', 'shared', 'contracts', 'teams', 'v1.30', 'MicrosoftTeams.schema.json');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function compileSchema() {
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')));
}

async function rejection(p: Promise<unknown>): Promise<PackageError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PackageError);
  return e as PackageError;
}

describe('npm run package (app package for Microsoft 365)', () => {
  let out: string;
  let vars: Record<string, string>;
  let pkg: AppPackage;
  let manifest: Json;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'convene-pkg-'));
    vars = loadEnv(ROOT, 'local');
    pkg = await buildAppPackage({ root: ROOT, env: 'local', vars, outDir: join(out, 'build') });
    manifest = pkg.manifest as Json;
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('validates offline against the Microsoft 365 app manifest schema v1.30', () => {
    const validate = compileSchema();
    expect(manifest.$schema).toBe('https://developer.microsoft.com/json-schemas/teams/v1.30/MicrosoftTeams.schema.json');
    expect(manifest.manifestVersion).toBe('1.30');
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // The validator is not vacuous: a bot id that is not a GUID and an unknown ribbon context fail.
    const broken = JSON.parse(JSON.stringify(manifest)) as Json;
    broken.bots[0].botId = 'not-a-guid';
    broken.extensions[0].ribbons[0].contexts = ['appointmentOrganizer'];
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(
      expect.arrayContaining(['/bots/0/botId', '/extensions/0/ribbons/0/contexts/0']),
    );
  });

  it('carries the bot: personal and team scopes, commands schedule, my interviews, cancel, help', () => {
    expect(manifest.bots).toHaveLength(1);
    const bot = manifest.bots[0];
    expect(bot.botId).toBe(vars.BOT_ID);
    expect(bot.scopes).toEqual(['personal', 'team']);
    for (const scope of ['personal', 'team']) {
      const list = bot.commandLists.find((l: Json) => l.scopes.includes(scope));
      expect(list.commands.map((c: Json) => c.title)).toEqual(['schedule', 'my interviews', 'cancel', 'help']);
    }
  });

  it('carries the Outlook add-in: Mailbox 1.5, a button on the appointment organizer surface that opens the taskpane', () => {
    expect(manifest.extensions).toHaveLength(1);
    const ext = manifest.extensions[0];
    expect(ext.requirements).toEqual({ scopes: ['mail'], capabilities: [{ name: 'Mailbox', minVersion: '1.5' }] });
    const ribbon = ext.ribbons[0];
    expect(ribbon.contexts).toEqual(['meetingDetailsOrganizer']);
    const button = ribbon.tabs[0].groups[0].controls[0];
    expect(button.type).toBe('button');
    expect(button.icons.map((i: Json) => i.size)).toEqual([16, 32, 80]);
    const runtime = ext.runtimes.find((r: Json) => r.actions.some((a: Json) => a.id === button.actionId));
    expect(runtime.actions.find((a: Json) => a.id === button.actionId).type).toBe('openPage');
    expect(runtime.code.page).toBe(vars.TASKPANE_URL);
    expect(runtime.code.page).toMatch(/^https:\/\/[^/]+\/taskpane\.html$/);
    expect(manifest.authorization.permissions.resourceSpecific).toEqual([{ name: 'MailboxItem.ReadWrite.User', type: 'Delegated' }]);
  });

  it('declares SSO for Convene’s API and the domains it loads from', () => {
    expect(manifest.webApplicationInfo).toEqual({
      id: vars.AAD_APP_CLIENT_ID,
      resource: `api://${vars.CONVENE_DOMAIN}/${vars.AAD_APP_CLIENT_ID}`,
    });
    const { $schema: _schema, ...rest } = manifest;
    const hosts = JSON.stringify(rest)
      .match(/https:\/\/[^/"]+/g)!
      .map((u) => u.slice('https://'.length));
    for (const host of new Set(hosts)) expect(manifest.validDomains).toContain(host);
  });

  it('fills every placeholder, in the manifest and in the Outlook XML manifest', () => {
    const template = readFileSync(join(ROOT, 'manifest', 'manifest.json'), 'utf8');
    expect(placeholderNames(template)).toEqual(
      expect.arrayContaining(['AAD_APP_CLIENT_ID', 'BOT_ID', 'CONVENE_DOMAIN', 'TASKPANE_URL', 'TEAMS_APP_ID']),
    );
    expect(JSON.stringify(manifest)).not.toMatch(/\$\{\{/);
    expect(readFileSync(pkg.manifestPath, 'utf8')).not.toMatch(/\$\{\{/);
    expect(pkg.xml).not.toMatch(/\$\{\{/);
    expect(readFileSync(pkg.xmlPath, 'utf8')).toBe(pkg.xml);
    expect(manifest.id).toBe(vars.TEAMS_APP_ID);
  });

  it('writes a zip with exactly manifest.json and the two icons, at their required sizes', () => {
    expect(pkg.zipPath).toBe(join(out, 'build', 'appPackage.local.zip'));
    const entries = readZip(pkg.zipPath);
    expect(entries.map((e) => e.name).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const byName = Object.fromEntries(entries.map((e) => [e.name, e.data]));
    expect(JSON.parse(byName['manifest.json']!.toString('utf8'))).toEqual(manifest);
    const color = PNG.sync.read(byName['color.png']!);
    const outline = PNG.sync.read(byName['outline.png']!);
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([outline.width, outline.height]).toEqual([32, 32]);
    // Full-bleed colour icon (no transparent corner); outline: white on transparent only.
    expect(color.data[3]).toBe(255);
    for (let i = 0; i < outline.data.length; i += 4)
      if (outline.data[i + 3]! > 0) expect([outline.data[i], outline.data[i + 1], outline.data[i + 2]]).toEqual([255, 255, 255]);
  });

  it('fails naming the variable when a placeholder is unset (empty counts as unset)', async () => {
    const { BOT_ID: _bot, ...rest } = vars;
    const e = await rejection(buildAppPackage({ root: ROOT, env: 'local', vars: { ...rest, TASKPANE_URL: ' ' }, outDir: join(out, 'x') }));
    expect(e.code).toBe('unset_variables');
    expect(e.details).toEqual(['BOT_ID', 'TASKPANE_URL']);
    expect(e.message).toContain('BOT_ID');
  });

  it('fails when an id is not a GUID, or a URL is not https', async () => {
    const e = await rejection(
      buildAppPackage({ root: ROOT, env: 'local', vars: { ...vars, TEAMS_APP_ID: 'convene' }, outDir: join(out, 'x') }),
    );
    expect(e.code).toBe('bad_value');
    expect(e.message).toContain('TEAMS_APP_ID');
    const h = await rejection(
      buildAppPackage({
        root: ROOT,
        env: 'local',
        vars: { ...vars, TASKPANE_URL: 'http://localhost:3000/taskpane.html' },
        outDir: join(out, 'x'),
      }),
    );
    expect(h.code).toBe('bad_manifest');
    expect(h.message).toContain('http://localhost:3000/taskpane.html');
  });

  describe('icons', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(out, 'manifest-'));
      for (const f of ['manifest.json', 'outlook-addin.xml', 'color.png', 'outline.png'])
        copyFileSync(join(ROOT, 'manifest', f), join(dir, f));
    });
    const png = (size: number, rgba: [number, number, number, number]) => {
      const p = new PNG({ width: size, height: size });
      for (let i = 0; i < p.data.length; i += 4) p.data.set(rgba, i);
      return PNG.sync.write(p);
    };

    it('fails on a missing icon', async () => {
      rmSync(join(dir, 'outline.png'));
      const e = await rejection(buildAppPackage({ root: ROOT, env: 'local', vars, manifestDir: dir, outDir: join(dir, 'build') }));
      expect(e.code).toBe('icon_missing');
      expect(e.message).toContain('outline.png');
    });

    it('fails on a wrong icon size, read from the PNG header', async () => {
      writeFileSync(join(dir, 'color.png'), png(100, [59, 91, 219, 255]));
      const e = await rejection(buildAppPackage({ root: ROOT, env: 'local', vars, manifestDir: dir, outDir: join(dir, 'build') }));
      expect(e.code).toBe('icon_size');
      expect(e.message).toBe('Icon color.png is 100x100, must be 192x192');
    });

    it('fails on an outline icon that is not white on transparent', async () => {
      writeFileSync(join(dir, 'outline.png'), png(32, [59, 91, 219, 255]));
      const e = await rejection(buildAppPackage({ root: ROOT, env: 'local', vars, manifestDir: dir, outDir: join(dir, 'build') }));
      expect(e.code).toBe('icon_not_outline');
    });
  });

  it('the npm script exits 1 naming the unset variable, and builds the committed local environment', () => {
    const node = process.execPath;
    const failed = spawnSync(node, ['scripts/package-app.mjs', '--env', 'local'], {
      cwd: ROOT,
      env: { ...process.env, BOT_ID: '' },
      encoding: 'utf8',
    });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('unset variable BOT_ID');
    const missingEnv = spawnSync(node, ['scripts/package-app.mjs', '--env', 'staging'], { cwd: ROOT, encoding: 'utf8' });
    expect(missingEnv.status).toBe(1);
    expect(missingEnv.stderr).toContain('env/.env.staging');
    const ok = execFileSync(node, ['scripts/package-app.mjs'], { cwd: ROOT, encoding: 'utf8' });
    expect(ok).toContain(join('appPackage', 'build', 'appPackage.local.zip'));
  });
});
