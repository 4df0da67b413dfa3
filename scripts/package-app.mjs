// `npm run package [-- --env local|dev]`: builds appPackage/build/appPackage.<env>.zip (the
// Microsoft 365 app package: Teams bot + Outlook add-in) and outlook-addin.<env>.xml.
// Exit 1 with the reason (e.g. the unset variable's name, a wrong icon size) on failure.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAppPackage, PackageError } from './lib/app-package.mjs';

const args = process.argv.slice(2);
const envIndex = args.findIndex((a) => a === '--env' || a.startsWith('--env='));
const env = envIndex < 0 ? 'local' : args[envIndex].includes('=') ? args[envIndex].split('=')[1] : args[envIndex + 1];
const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

try {
  const result = await buildAppPackage({ root, env: env ?? '', processEnv: process.env });
  console.log(`App package (${env}): ${result.zipPath}`);
  console.log(`  contains: ${result.files.join(', ')}`);
  console.log(`Filled manifest: ${result.manifestPath}`);
  console.log(`Outlook add-in-only manifest: ${result.xmlPath}`);
} catch (e) {
  if (!(e instanceof PackageError)) throw e;
  console.error(`npm run package: ${e.message}`);
  process.exit(1);
}
