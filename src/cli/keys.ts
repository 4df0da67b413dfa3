/**
 * `convene keys rotate`: re-wraps every stored tenant credential's data key with the current key
 * encryption key, after a master key change (or a move to Azure Key Vault, or a new Key Vault key
 * version). The credential ciphertexts are not touched; each row is swapped only if unchanged.
 *
 * Runbook (master key):
 *   1. Make a new key: `openssl rand -base64 32`.
 *   2. Deploy with `CONVENE_MASTER_KEY=<new>` and `CONVENE_MASTER_KEY_PREVIOUS=<old>` (comma-separated
 *      if several): the servers seal with the new key and still open the old envelopes.
 *   3. Run `npx convene keys rotate` with the same two settings (and `DATABASE_URL`).
 *   4. When it reports 0 failed, drop `CONVENE_MASTER_KEY_PREVIOUS` everywhere.
 * Embedded PGlite (no `DATABASE_URL`): stop the server first: PGlite allows one process per data
 * directory. PostgreSQL: run it while the servers serve.
 *
 * It opens the database directly (not through the HTTP API): it needs the keys, which only the
 * operator holds, and touches no Graph data.
 */
import { rotateTenantCredentials } from '../server/consent/credentials';
import { loadConfig } from '../server/config';
import { sealerFromConfig } from '../server/crypto/keys';
import { openStore } from '../server/store';

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

/**
 * Runs `convene keys <sub>`.
 * @returns exit code: 0 all credentials under the current key, 1 some could not be rewrapped, 2 usage.
 */
export async function keysCommand(sub: string | undefined, env: Record<string, string | undefined>, io: Io): Promise<number> {
  if (sub !== 'rotate') {
    io.err('Usage: convene keys rotate   (re-wraps every tenant credential with CONVENE_MASTER_KEY or CONVENE_KEYVAULT_KEY_ID)\n');
    return 2;
  }
  const config = loadConfig(env);
  const sealer = sealerFromConfig(config);
  if (!sealer) {
    io.err('No key to rotate to: set CONVENE_MASTER_KEY (openssl rand -base64 32) or CONVENE_KEYVAULT_KEY_ID.\n');
    return 1;
  }
  if (!config.databaseUrl) io.out(`Embedded PGlite in ${config.dataDir}: the Convene server must be stopped while this runs.\n`);
  const store = await openStore({ ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}), dataDir: config.dataDir });
  try {
    const r = await rotateTenantCredentials(store, sealer);
    io.out(
      `Tenant credentials: ${r.rewrapped} rewrapped, ${r.current} already under the current key, ${r.changed} changed meanwhile (left alone), ${r.failed.length} failed.\n`,
    );
    for (const f of r.failed) io.err(`  ${f.tid}: ${f.message}\n`);
    if (r.failed.length > 0)
      io.err(
        'Give the key these credentials are sealed with in CONVENE_MASTER_KEY_PREVIOUS (or keep CONVENE_KEYVAULT_KEY_ID access to the old key version) and run again.\n',
      );
    return r.failed.length > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}
