// Builds Convene's Microsoft 365 app package the way Microsoft 365 Agents Toolkit does
// (teamsApp/zipAppPackage): fills ${{VAR}} placeholders in manifest/manifest.json and
// manifest/outlook-addin.xml from env/.env.<env> (+ env/.env.<env>.user, + the process
// environment), checks the icons, and writes
//   appPackage/build/appPackage.<env>.zip   manifest.json + color.png + outline.png
//   appPackage/build/manifest.<env>.json    the filled manifest (for review)
//   appPackage/build/outlook-addin.<env>.xml the filled add-in-only manifest
// No import.meta here: jest loads this file through swc as CommonJS (the CLI is package-app.mjs).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import yazl from 'yazl';

/** Files of the app package, each with its required size (Microsoft 365 app manifest `icons`). */
export const PACKAGE_ICONS = Object.freeze([
  { file: 'color.png', width: 192, height: 192, outline: false },
  { file: 'outline.png', width: 32, height: 32, outline: true },
]);

/** A packaging failure a person can act on; `code` lets tests branch without matching text. */
export class PackageError extends Error {
  /** @param {'unset_variables'|'bad_value'|'icon_missing'|'icon_size'|'icon_not_outline'|'bad_manifest'} code */
  constructor(code, message, details = []) {
    super(message);
    this.name = 'PackageError';
    this.code = code;
    this.details = details;
  }
}

const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// Fixed timestamp in the zip so the same inputs give the same bytes.
const ZIP_MTIME = new Date('2026-01-01T00:00:00Z');

/** Parses a dotenv file of the Agents Toolkit kind: KEY=VALUE lines, `#` comments, optional quotes. */
export function parseEnvFile(text) {
  const vars = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    vars[key] = value;
  }
  return vars;
}

/**
 * The variables for environment `env`: env/.env.<env>, then env/.env.<env>.user (secrets), then
 * `processEnv` (so CI can set values without files). Later sources win.
 * @throws PackageError `bad_value` when env/.env.<env> does not exist.
 */
export function loadEnv(root, env, processEnv = {}) {
  if (!/^[a-z0-9][a-z0-9-]*$/i.test(env)) throw new PackageError('bad_value', `--env: "${env}" is not an environment name`);
  const file = join(root, 'env', `.env.${env}`);
  if (!existsSync(file)) throw new PackageError('bad_value', `No environment file env/.env.${env} (environments: local, dev)`);
  const userFile = `${file}.user`;
  return {
    ...parseEnvFile(readFileSync(file, 'utf8')),
    ...(existsSync(userFile) ? parseEnvFile(readFileSync(userFile, 'utf8')) : {}),
    ...processEnv,
  };
}

/** Names of the placeholders in `template`, sorted and unique. */
export function placeholderNames(template) {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]))].sort();
}

/**
 * Replaces every ${{NAME}} in `template` with `vars[NAME]`. An empty value counts as unset.
 * `escape` encodes values for the target format (JSON string, XML text).
 * @throws PackageError `unset_variables` naming every unset variable and the file using it;
 *   `bad_value` for a SECRET_* placeholder (secrets never go into a manifest) or an *_ID that is not a GUID.
 */
export function fillPlaceholders(template, vars, { source, escape = (v) => v }) {
  const names = placeholderNames(template);
  const secrets = names.filter((n) => n.startsWith('SECRET_'));
  if (secrets.length > 0) throw new PackageError('bad_value', `${source}: ${secrets.join(', ')}: secrets must not be placed in a manifest`);
  const unset = names.filter((n) => vars[n] === undefined || String(vars[n]).trim() === '');
  if (unset.length > 0)
    throw new PackageError(
      'unset_variables',
      `${source}: unset variable${unset.length > 1 ? 's' : ''} ${unset.join(', ')} (set in env/.env.<env> or the environment)`,
      unset,
    );
  const badIds = names.filter((n) => /(^|_)ID$/.test(n) && !GUID.test(String(vars[n]).trim()));
  if (badIds.length > 0)
    throw new PackageError('bad_value', `${source}: ${badIds.map((n) => `${n}="${vars[n]}"`).join(', ')}: must be a GUID`, badIds);
  return template.replace(PLACEHOLDER, (_, name) => escape(String(vars[name]).trim()));
}

const jsonEscape = (v) => JSON.stringify(v).slice(1, -1);
const xmlEscape = (v) =>
  v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/**
 * Reads a PNG and checks its size (and, for the outline icon, that every pixel is white or fully
 * transparent, as Teams requires).
 * @throws PackageError `icon_missing`, `icon_size` or `icon_not_outline`.
 */
export function checkIcon(path, { file, width, height, outline }) {
  if (!existsSync(path))
    throw new PackageError('icon_missing', `Icon ${file} is missing (expected at ${path}; make it with node scripts/make-icons.mjs)`);
  let png;
  try {
    png = PNG.sync.read(readFileSync(path));
  } catch (e) {
    throw new PackageError('icon_size', `Icon ${file} is not a readable PNG: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (png.width !== width || png.height !== height)
    throw new PackageError('icon_size', `Icon ${file} is ${png.width}x${png.height}, must be ${width}x${height}`);
  if (outline) {
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b, a] = [png.data[i], png.data[i + 1], png.data[i + 2], png.data[i + 3]];
      if (a !== 0 && (r !== 255 || g !== 255 || b !== 255))
        throw new PackageError(
          'icon_not_outline',
          `Icon ${file} must be white on a transparent background (pixel ${i / 4} is rgba(${r},${g},${b},${a}))`,
        );
    }
  }
  return { width: png.width, height: png.height };
}

/** Every http(s) URL among the string values of a JSON document, with its JSON path. */
function urls(node, path = '$', out = []) {
  if (typeof node === 'string') {
    if (/^https?:\/\//i.test(node)) out.push({ path, url: node });
  } else if (Array.isArray(node)) node.forEach((v, i) => urls(v, `${path}[${i}]`, out));
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) if (k !== '$schema') urls(v, `${path}.${k}`, out);
  return out;
}

/** Writes a zip with `entries` ({name, data}) to `path`. */
function writeZip(path, entries) {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (const { name, data } of entries) zip.addBuffer(data, name, { mtime: ZIP_MTIME, mode: 0o100644 });
    const chunks = [];
    zip.outputStream.on('data', (c) => chunks.push(c));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => {
      writeFileSync(path, Buffer.concat(chunks));
      resolve();
    });
    zip.end();
  });
}

/**
 * Builds the package for `env`.
 * @param {{root: string, env: string, vars?: Record<string,string>, processEnv?: Record<string,string|undefined>, manifestDir?: string, outDir?: string}} options
 *   `vars` replaces the env files entirely (tests); `manifestDir` defaults to <root>/manifest,
 *   `outDir` to <root>/appPackage/build.
 * @returns {Promise<{zipPath: string, manifestPath: string, xmlPath: string, manifest: object, xml: string, files: string[]}>}
 * @throws PackageError (see fillPlaceholders and checkIcon); `bad_manifest` when the filled
 *   manifest is not JSON or a URL in it is not https.
 */
export async function buildAppPackage({ root, env, vars, processEnv = {}, manifestDir, outDir }) {
  const dir = manifestDir ?? join(root, 'manifest');
  const out = outDir ?? join(root, 'appPackage', 'build');
  const values = vars ?? loadEnv(root, env, Object.fromEntries(Object.entries(processEnv).filter(([, v]) => v !== undefined)));

  const manifestText = fillPlaceholders(readFileSync(join(dir, 'manifest.json'), 'utf8'), values, {
    source: 'manifest/manifest.json',
    escape: jsonEscape,
  });
  let manifest;
  try {
    manifest = JSON.parse(manifestText);
  } catch (e) {
    throw new PackageError(
      'bad_manifest',
      `manifest/manifest.json is not valid JSON after filling: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const insecure = urls(manifest).filter(({ url }) => !url.startsWith('https://'));
  if (insecure.length > 0)
    throw new PackageError(
      'bad_manifest',
      `manifest/manifest.json: URLs must be https: ${insecure.map((u) => `${u.path}=${u.url}`).join(', ')}`,
    );

  const xml = fillPlaceholders(readFileSync(join(dir, 'outlook-addin.xml'), 'utf8'), values, {
    source: 'manifest/outlook-addin.xml',
    escape: xmlEscape,
  });

  const icons = [manifest.icons?.color, manifest.icons?.outline];
  for (const spec of PACKAGE_ICONS) {
    if (!icons.includes(spec.file)) throw new PackageError('bad_manifest', `manifest/manifest.json: icons must name ${spec.file}`);
    checkIcon(join(dir, spec.file), spec);
  }

  mkdirSync(out, { recursive: true });
  const zipPath = join(out, `appPackage.${env}.zip`);
  const manifestPath = join(out, `manifest.${env}.json`);
  const xmlPath = join(out, `outlook-addin.${env}.xml`);
  const entries = [
    { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest, null, 2) + '\n') },
    ...PACKAGE_ICONS.map(({ file }) => ({ name: file, data: readFileSync(join(dir, file)) })),
  ];
  await writeZip(zipPath, entries);
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  writeFileSync(xmlPath, xml);
  return { zipPath, manifestPath, xmlPath, manifest, xml, files: entries.map((e) => e.name) };
}
