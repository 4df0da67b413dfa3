/**
 * Builds the {@link CredentialSealer} from configuration: `CONVENE_KEYVAULT_KEY_ID` (Azure Key
 * Vault) and/or `CONVENE_MASTER_KEY` (+ `CONVENE_MASTER_KEY_PREVIOUS` during a rotation).
 *
 * Development (not `NODE_ENV=production`, neither set): a random master key is made once and kept
 * in `<data dir>/master.key` (mode 0600), so credentials stored in the embedded PGlite survive a
 * restart; with `memory://` it lives only in memory. Production with neither: no sealer, and
 * storing a tenant-provided credential is refused with a message naming the settings.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';
import { createKeyring, generateMasterKey, parseMasterKey } from './envelope';
import { type CredentialSealer, type KeyVaultKeys, createCredentialSealer } from './sealer';

/** File name of the development master key inside the data directory. */
export const devMasterKeyFile = 'master.key';

/**
 * The sealer the configuration asks for, or undefined (production without keys).
 * @param deps.keyVault replaces the real Key Vault client (tests)
 * @throws ConveneError `internal` when a master key is not 32 bytes of base64 (the message never holds the key).
 */
export function sealerFromConfig(
  config: Pick<Config, 'masterKey' | 'masterKeyPrevious' | 'keyVaultKeyId' | 'production' | 'dataDir'>,
  deps: { keyVault?: KeyVaultKeys } = {},
): CredentialSealer | undefined {
  const previous = config.masterKeyPrevious.map((k) => parseMasterKey(k));
  let current = config.masterKey ? parseMasterKey(config.masterKey) : undefined;
  const keyVault = deps.keyVault ?? (config.keyVaultKeyId ? loadKeyVault().createKeyVaultKeys(config.keyVaultKeyId) : undefined);
  if (!current && !keyVault && !config.production) current = devMasterKey(config.dataDir);
  if (!current && previous.length > 0) [current] = previous;
  const keyring = current ? createKeyring(current, previous) : undefined;
  if (!keyring && !keyVault) return undefined;
  return createCredentialSealer({ keyring, keyVault });
}

/**
 * The Key Vault client module, loaded only when `CONVENE_KEYVAULT_KEY_ID` is set: @azure/identity
 * and @azure/keyvault-keys cost about 15 MB of resident memory and 0.2 s at startup otherwise.
 */
function loadKeyVault(): typeof import('./key-vault') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./key-vault') as typeof import('./key-vault');
}

function devMasterKey(dataDir: string): Buffer {
  if (dataDir.startsWith('memory://')) return generateMasterKey();
  const path = join(dataDir, devMasterKeyFile);
  if (existsSync(path)) return parseMasterKey(readFileSync(path, 'utf8'));
  mkdirSync(dataDir, { recursive: true });
  const key = generateMasterKey();
  writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return key;
}
