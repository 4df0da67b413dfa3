/**
 * infra/, the Dockerfile and the Microsoft 365 Agents Toolkit project files, checked offline
 * (nothing can be deployed from here): they name real files and actions, every placeholder has
 * a home in env/, parameter files match main.bicep, and the image and App Service start the
 * built server on Node 24.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serverNodeFlags } from '../../bench/node-flags';
import { parseEnvFile, placeholderNames } from '../../scripts/lib/app-package.mjs';

const ROOT = resolve(__dirname, '../..');
const read = (...p: string[]) => readFileSync(join(ROOT, ...p), 'utf8');
const BUILT_MAIN = 'dist/src/server/main.js';
/** How the server starts in production: the same Node flags in the container and on App Service. */
const SERVER_COMMAND = ['node', ...serverNodeFlags, BUILT_MAIN];

/** Actions of Microsoft 365 Agents Toolkit used here (https://aka.ms/teamsfx-actions). */
const TOOLKIT_ACTIONS = new Set([
  'teamsApp/create',
  'teamsApp/validateManifest',
  'teamsApp/zipAppPackage',
  'teamsApp/validateAppPackage',
  'teamsApp/update',
  'teamsApp/extendToM365',
  'teamsApp/publishAppPackage',
  'aadApp/create',
  'aadApp/update',
  'botAadApp/create',
  'botFramework/create',
  'arm/deploy',
  'azureAppService/zipDeploy',
  'cli/runNpmCommand',
  'devTool/install',
  'file/createOrUpdateEnvironmentFile',
]);

describe('Microsoft 365 Agents Toolkit project files', () => {
  for (const file of ['m365agents.yml', 'm365agents.local.yml']) {
    const yml = read(file);
    it(`${file}: known actions, existing paths, the app package built from manifest/`, () => {
      const actions = [...yml.matchAll(/- uses: (\S+)/g)].map((m) => m[1]!);
      expect(actions.filter((a) => !TOOLKIT_ACTIONS.has(a))).toEqual([]);
      for (const needed of [
        'teamsApp/create',
        'aadApp/create',
        'aadApp/update',
        'teamsApp/validateManifest',
        'teamsApp/zipAppPackage',
        'teamsApp/update',
      ])
        expect(actions).toContain(needed);
      const paths = [...yml.matchAll(/(?:manifestPath|path|parameters): (\.\/\S+)/g)].map((m) => m[1]!.replace('${{TEAMSFX_ENV}}', 'dev'));
      expect(paths.length).toBeGreaterThan(2);
      for (const p of paths) expect(existsSync(join(ROOT, p))).toBe(true);
      expect(yml).toContain('outputZipPath: ./appPackage/build/appPackage.${{TEAMSFX_ENV}}.zip');
    });
  }
  it('m365agents.local.yml registers the bot and trusts a dev certificate; m365agents.yml provisions Azure', () => {
    expect(read('m365agents.local.yml')).toMatch(/botAadApp\/create[\s\S]*botFramework\/create[\s\S]*devTool\/install[\s\S]*devCert/);
    expect(read('m365agents.yml')).toMatch(/arm\/deploy[\s\S]*\.\/infra\/main\.bicep/);
  });
});

describe('environment files', () => {
  const local = parseEnvFile(read('env', '.env.local'));
  const dev = parseEnvFile(read('env', '.env.dev'));

  it('declare every placeholder of the manifests and the app registration (secrets excepted)', () => {
    const used = new Set(
      ['manifest/manifest.json', 'manifest/outlook-addin.xml', 'infra/entra/aad.manifest.json'].flatMap((f) => placeholderNames(read(f))),
    );
    for (const name of used) {
      expect([name, name in local]).toEqual([name, true]);
      expect([name, name in dev]).toEqual([name, true]);
    }
    const devParams = placeholderNames(read('infra', 'main.parameters.dev.json')).filter((n) => !n.startsWith('SECRET_'));
    for (const name of devParams) expect([name, name in dev]).toEqual([name, true]);
  });

  it('hold no secret values (those go in the git-ignored .user files)', () => {
    for (const vars of [local, dev])
      expect(Object.keys(vars).filter((k) => k.startsWith('SECRET_') || /PASSWORD|CLIENT_SECRET/.test(k))).toEqual([]);
    expect(read('.gitignore')).toMatch(/^env\/\.env\.\*\.user$/m);
    expect(read('.gitignore')).toMatch(/^appPackage\/build\/$/m);
  });
});

describe('Bicep', () => {
  const main = read('infra', 'main.bicep');
  const params = new Map([...main.matchAll(/^param (\w+) \w+( = .*)?$/gm)].map((m) => [m[1]!, m[2] !== undefined]));

  for (const env of ['dev', 'prod']) {
    it(`main.parameters.${env}.json sets only declared parameters and every required one`, () => {
      const file = JSON.parse(read('infra', `main.parameters.${env}.json`)) as { parameters: Record<string, unknown> };
      const given = Object.keys(file.parameters);
      expect(given.filter((p) => !params.has(p))).toEqual([]);
      const required = [...params].filter(([, hasDefault]) => !hasDefault).map(([p]) => p);
      expect(required.filter((p) => !given.includes(p))).toEqual([]);
    });
  }

  it('wires every module that exists, with Node 24 on Linux and the health check on /healthz', () => {
    for (const m of main.matchAll(/module \w+ '([^']+)'/g)) expect(existsSync(join(ROOT, 'infra', m[1]!))).toBe(true);
    const app = read('infra', 'modules', 'appservice.bicep');
    expect(app).toContain("linuxFxVersion: 'NODE|24-lts'");
    expect(app).toContain(`appCommandLine: '${SERVER_COMMAND.join(' ')}'`);
    expect(app).toContain("healthCheckPath: '/healthz'");
    expect(app).toContain('httpsOnly: true');
    expect(read('infra', 'modules', 'keyvault.bicep')).toContain('enableRbacAuthorization: true');
    expect(read('infra', 'modules', 'bot.bicep')).toMatch(/tokenExchangeUrl[\s\S]*MsTeamsChannel|MsTeamsChannel[\s\S]*tokenExchangeUrl/);
  });
});

describe('Dockerfile', () => {
  const docker = read('Dockerfile');
  it('is multi-stage on Node 24, prunes dev dependencies, runs as non-root with a health check', () => {
    const froms = [...docker.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]!);
    expect(froms).toHaveLength(2);
    for (const f of froms) expect(f).toMatch(/^node:24[-.]/);
    expect(docker).toMatch(/npm ci[\s\S]*npm run build[\s\S]*npm prune --omit=dev/);
    expect(docker).toMatch(/^USER node$/m);
    expect(docker).toMatch(/^HEALTHCHECK [\s\S]*\/healthz/m);
  });

  it('starts the built server where tsc puts it', () => {
    expect(docker).toContain(`CMD ${JSON.stringify(SERVER_COMMAND).replaceAll(',', ', ')}`);
    // `npm start` (simulator + server in one process) runs with the same heap bounds.
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toContain(`node ${serverNodeFlags.join(' ')} dist/sim/dev.js`);
    const build = JSON.parse(read('tsconfig.build.json')) as { include: string[] };
    const base = JSON.parse(read('tsconfig.json')) as { compilerOptions: { outDir: string; rootDir: string } };
    expect(base.compilerOptions).toMatchObject({ outDir: 'dist', rootDir: '.' });
    expect(build.include).toContain('src');
    expect(existsSync(join(ROOT, 'src', 'server', 'main.ts'))).toBe(true);
  });
});
