/**
 * Production-mode refusals: with `NODE_ENV=production` the server refuses to start when a
 * setting that only makes sense on a developer machine is present, or one that production needs
 * is absent. `loadConfig` adds these problems to its list, so all are reported at once.
 *
 * - No master key: tenant-provided credentials are encrypted with per-tenant data keys wrapped by
 *   `CONVENE_MASTER_KEY` (or the Azure Key Vault key `CONVENE_KEYVAULT_KEY_ID`); without either,
 *   dev mode would make a local key on disk, which a stateless fleet must never do.
 * - TLS off: Convene's own listener speaks plain HTTP and TLS ends in front of it (Azure App
 *   Service, Container Apps ingress, or any reverse proxy). That is declared by
 *   `CONVENE_PUBLIC_URL`, the address users reach, which must then be `https://`; an `http://`
 *   public address would carry bearer tokens in clear.
 * - The simulator: without `AZURE_CLIENT_ID` the launcher starts the local Microsoft 365
 *   simulator; simulator settings (`SIM_PORT`, `CONVENE_SIM_SEED`) and Graph or login hosts on
 *   loopback (where the simulator listens) are development only.
 */

/** Hosts that can only be this machine: where the local simulator listens, never Microsoft. */
const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0)$/i;

/**
 * The problems of `env` (raw variables, empty ones already removed) for production mode, each
 * naming the variable; `[]` when `NODE_ENV` is not `production`.
 * @example productionProblems({ NODE_ENV: 'production' }) // ['CONVENE_MASTER_KEY: ...', 'CONVENE_PUBLIC_URL: ...', 'AZURE_CLIENT_ID: ...']
 */
export function productionProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  if (env.NODE_ENV !== 'production') return [];
  const problems: string[] = [];

  if (!env.CONVENE_MASTER_KEY && !env.CONVENE_KEYVAULT_KEY_ID)
    problems.push(
      'CONVENE_MASTER_KEY: required in production (NODE_ENV=production): it wraps the keys of stored tenant credentials. ' +
        'Set it (on Azure, a Key Vault reference) or CONVENE_KEYVAULT_KEY_ID',
    );

  if (!env.CONVENE_PUBLIC_URL)
    problems.push(
      'CONVENE_PUBLIC_URL: required in production (NODE_ENV=production): the https:// address users reach Convene at, ' +
        'served by the TLS-terminating front (App Service, ingress or proxy) before this server',
    );
  else if (!env.CONVENE_PUBLIC_URL.toLowerCase().startsWith('https://'))
    problems.push(`CONVENE_PUBLIC_URL: TLS is off (${env.CONVENE_PUBLIC_URL}): production requires an https:// public address`);

  if (!env.AZURE_CLIENT_ID)
    problems.push(
      'AZURE_CLIENT_ID: required in production (NODE_ENV=production): without Microsoft credentials Convene runs the ' +
        'local Microsoft 365 simulator, which is for development only',
    );
  for (const name of ['SIM_PORT', 'CONVENE_SIM_SEED'])
    if (env[name]) problems.push(`${name}: the local Microsoft 365 simulator is not allowed in production (unset ${name})`);
  for (const name of ['GRAPH_ENDPOINT', 'LOGIN_ENDPOINT']) {
    const value = env[name];
    if (!value) continue;
    let host: string;
    try {
      host = new URL(value).hostname;
    } catch {
      continue; // the schema reports a malformed URL
    }
    if (LOOPBACK_HOST.test(host))
      problems.push(`${name}: ${value} is this machine (the local Microsoft 365 simulator?): not allowed in production`);
  }
  return problems;
}
