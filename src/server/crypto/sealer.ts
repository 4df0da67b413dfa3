/**
 * The credential sealer: one interface over the two key encryption keys Convene supports for
 * tenant-provided credentials (DESIGN.md "Data"):
 *
 * - a master key from the environment (`CONVENE_MASTER_KEY`, 32 bytes base64; older keys in
 *   `CONVENE_MASTER_KEY_PREVIOUS` while a rotation runs): {@link envelope.ts}'s format, `kid` =
 *   16 hex characters;
 * - an Azure Key Vault key (`CONVENE_KEYVAULT_KEY_ID`): the per-tenant data key is wrapped by
 *   Key Vault (`wrapKey`/`unwrapKey`, RSA-OAEP-256) and never leaves this process unwrapped;
 *   `kid` = the versioned Key Vault key id, so rotating the key in Key Vault (a new version)
 *   leaves old envelopes readable until `convene keys rotate` rewraps them.
 *
 * Either way the credential itself is AES-256-GCM under a fresh random data key, with the
 * tenant id as associated data, and the key id is recorded in the envelope.
 *
 * @see https://learn.microsoft.com/azure/key-vault/keys/about-keys-details (wrapKey/unwrapKey)
 * @see https://learn.microsoft.com/javascript/api/@azure/keyvault-keys/cryptographyclient
 */
import { randomBytes } from 'node:crypto';
import { ConveneError, internal } from '../../shared/errors';
import {
  credentialAad,
  decryptCredential,
  encryptCredential,
  envelopeKeyId,
  isSealed,
  keyBytes,
  type Keyring,
  open,
  openDataKey,
  rewrap,
  seal,
} from './envelope';

/** The part of @azure/keyvault-keys' `CryptographyClient` Convene uses (a port: tests fake it). */
export interface KeyWrapClient {
  wrapKey(algorithm: 'RSA-OAEP-256', key: Uint8Array): Promise<{ result: Uint8Array; keyID?: string | undefined }>;
  unwrapKey(algorithm: 'RSA-OAEP-256', encryptedKey: Uint8Array): Promise<{ result: Uint8Array }>;
}

/** Key Vault key access: the current key, and any version by id (to open older envelopes). */
export interface KeyVaultKeys {
  /** The configured key id (`https://<vault>.vault.azure.net/keys/<name>[/<version>]`). */
  readonly keyId: string;
  /** A client for `keyId` (current) or a versioned id read from an envelope. */
  client(keyId: string): KeyWrapClient;
}

/** Seals and opens tenant credentials; see the module comment. */
export interface CredentialSealer {
  /** Where new envelopes go: `master-key` or `key-vault`. */
  readonly kind: 'master-key' | 'key-vault';
  /**
   * Seal `plaintext` for tenant `tid`.
   * @returns The envelope (JSON string) and the id of the key that wraps its data key.
   * @throws ConveneError `internal` when Key Vault refuses or cannot be reached.
   */
  seal(plaintext: string, tid: string): Promise<{ envelope: string; keyId: string }>;
  /**
   * Open an envelope of tenant `tid`.
   * @throws ConveneError `internal` when it is malformed, its key is unknown, or the GCM tag does
   *   not verify (tampered, or another tenant's): nothing is decrypted then.
   */
  open(envelope: string, tid: string): Promise<string>;
  /** The id of the key that wraps the envelope's data key. @throws ConveneError `internal` when malformed. */
  keyIdOf(envelope: string): string;
  /** True when the envelope is already wrapped by the current key (a rotation skips it). */
  isCurrent(envelope: string): boolean;
  /**
   * The same credential with its data key wrapped by the current key; the credential ciphertext is unchanged.
   * @throws ConveneError `internal` as for {@link open}.
   */
  rewrap(envelope: string): Promise<string>;
}

/** Marks the Key Vault envelope (absent in the master-key envelope of envelope.ts). */
const keyVaultKek = 'azure-key-vault';
const wrapAlgorithm = 'RSA-OAEP-256';

interface KeyVaultEnvelope {
  v: 1;
  alg: 'A256GCM';
  kek: typeof keyVaultKek;
  kid: string;
  /** The data key wrapped by Key Vault, base64. */
  wk: string;
  iv: string;
  ct: string;
  tag: string;
}

/**
 * A sealer over master keys, Key Vault, or both (Key Vault seals; master keys still open older
 * envelopes, so a deployment can move from one to the other with `convene keys rotate`).
 *
 * @throws ConveneError `internal` when neither is given.
 */
export function createCredentialSealer(options: { keyring?: Keyring | undefined; keyVault?: KeyVaultKeys | undefined }): CredentialSealer {
  const { keyring, keyVault } = options;
  if (!keyring && !keyVault) throw new ConveneError(internal, 'no master key or Key Vault key configured to seal credentials');

  function needKeyring(): Keyring {
    if (!keyring)
      throw new ConveneError(
        internal,
        'this credential is sealed with a master key, but no CONVENE_MASTER_KEY (or CONVENE_MASTER_KEY_PREVIOUS) is configured',
      );
    return keyring;
  }
  function needKeyVault(): KeyVaultKeys {
    if (!keyVault)
      throw new ConveneError(internal, 'this credential is sealed with Azure Key Vault, but CONVENE_KEYVAULT_KEY_ID is not set');
    return keyVault;
  }

  async function wrapWithKeyVault(dataKey: Buffer): Promise<{ kid: string; wk: string }> {
    const kv = needKeyVault();
    try {
      const wrapped = await kv.client(kv.keyId).wrapKey(wrapAlgorithm, dataKey);
      return { kid: wrapped.keyID ?? kv.keyId, wk: Buffer.from(wrapped.result).toString('base64') };
    } catch (cause) {
      throw new ConveneError(internal, `Azure Key Vault could not wrap the data key with ${kv.keyId}`, { cause });
    }
  }

  async function unwrapWithKeyVault(e: KeyVaultEnvelope): Promise<Buffer> {
    const kv = needKeyVault();
    let dataKey: Buffer;
    try {
      dataKey = Buffer.from((await kv.client(e.kid).unwrapKey(wrapAlgorithm, Buffer.from(e.wk, 'base64'))).result);
    } catch (cause) {
      throw new ConveneError(internal, `Azure Key Vault could not unwrap the data key with ${e.kid}`, { cause });
    }
    if (dataKey.length !== keyBytes) {
      dataKey.fill(0);
      throw new ConveneError(internal, 'the data key in the envelope has the wrong length');
    }
    return dataKey;
  }

  return {
    kind: keyVault ? 'key-vault' : 'master-key',

    async seal(plaintext, tid) {
      if (!keyVault) {
        const envelope = encryptCredential(plaintext, tid, needKeyring());
        return { envelope, keyId: envelopeKeyId(envelope) };
      }
      const dataKey = randomBytes(keyBytes);
      try {
        const body = seal(dataKey, Buffer.from(plaintext, 'utf8'), credentialAad(tid));
        const { kid, wk } = await wrapWithKeyVault(dataKey);
        const e: KeyVaultEnvelope = { v: 1, alg: 'A256GCM', kek: keyVaultKek, kid, wk, ...body };
        return { envelope: JSON.stringify(e), keyId: kid };
      } finally {
        dataKey.fill(0);
      }
    },

    async open(envelope, tid) {
      const kv = parseKeyVaultEnvelope(envelope);
      if (!kv) return decryptCredential(envelope, tid, needKeyring());
      const dataKey = await unwrapWithKeyVault(kv);
      try {
        return open(dataKey, kv, credentialAad(tid), 'the credential').toString('utf8');
      } finally {
        dataKey.fill(0);
      }
    },

    keyIdOf(envelope) {
      return parseKeyVaultEnvelope(envelope)?.kid ?? envelopeKeyId(envelope);
    },

    isCurrent(envelope) {
      const kv = parseKeyVaultEnvelope(envelope);
      // A versionless CONVENE_KEYVAULT_KEY_ID never equals an envelope's versioned kid: every
      // envelope counts as stale and a rotation rewraps all (harmless). Pin a version to skip.
      if (keyVault) return kv !== null && kv.kid === keyVault.keyId;
      return kv === null && envelopeKeyId(envelope) === needKeyring().currentKeyId;
    },

    async rewrap(envelope) {
      const kv = parseKeyVaultEnvelope(envelope);
      if (!keyVault) {
        const ring = needKeyring();
        if (kv) throw new ConveneError(internal, 'a Key Vault envelope cannot be rewrapped without CONVENE_KEYVAULT_KEY_ID');
        const current = ring.keys.get(ring.currentKeyId) as Buffer;
        return rewrap(envelope, ring, current);
      }
      // Target Key Vault: unwrap the data key (from either kind of envelope), wrap it again.
      let dataKey: Buffer;
      let body: { iv: string; ct: string; tag: string };
      if (kv) {
        dataKey = await unwrapWithKeyVault(kv);
        body = { iv: kv.iv, ct: kv.ct, tag: kv.tag };
      } else {
        ({ dataKey, body } = openDataKey(envelope, needKeyring()));
      }
      try {
        const { kid, wk } = await wrapWithKeyVault(dataKey);
        const next: KeyVaultEnvelope = { v: 1, alg: 'A256GCM', kek: keyVaultKek, kid, wk, ...body };
        return JSON.stringify(next);
      } finally {
        dataKey.fill(0);
      }
    },
  };
}

/** The Key Vault envelope, or null when `text` is another (master-key) envelope. */
function parseKeyVaultEnvelope(text: string): KeyVaultEnvelope | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ConveneError(internal, 'the credential envelope is not JSON', { cause });
  }
  const e = raw as Partial<KeyVaultEnvelope> | null;
  if (typeof e !== 'object' || e === null || e.kek !== keyVaultKek) return null;
  const ok =
    e.v === 1 && e.alg === 'A256GCM' && typeof e.kid === 'string' && /^https:\/\//.test(e.kid) && typeof e.wk === 'string' && isSealed(e);
  if (!ok) throw new ConveneError(internal, 'the credential envelope is malformed');
  return e as KeyVaultEnvelope;
}
