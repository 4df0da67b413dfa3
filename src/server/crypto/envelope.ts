/**
 * Envelope encryption for tenant-provided credentials (DESIGN.md, "Data": "AES-256-GCM,
 * per-tenant data key wrapped by a master key").
 *
 * Each record gets a fresh random 32-byte data key; the credential is sealed with it
 * (AES-256-GCM, associated data = the tenant id, so a ciphertext copied to another tenant's row
 * does not open), and the data key is itself sealed with the master key (AES-256-GCM, associated
 * data = the master key id). Rotating the master key only re-seals the small data key
 * ({@link rewrap}); the credential ciphertext is untouched.
 *
 * The envelope is a JSON string, self-describing and versioned:
 * `{"v":1,"alg":"A256GCM","kid":"<16 hex>","wk":{"iv","ct","tag"},"iv","ct","tag"}` with every
 * binary field in base64. `kid` names the master key that wraps the data key.
 *
 * @see https://learn.microsoft.com/azure/security/fundamentals/encryption-atrest (key hierarchy: data keys wrapped by a key encryption key)
 * @see https://csrc.nist.gov/pubs/sp/800/38/d/final (GCM)
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ConveneError, internal } from '../../shared/errors';

/** Bytes in a master key and in a data key (AES-256). */
export const keyBytes = 32;
/** GCM nonce length in bytes (the 96 bits NIST SP 800-38D recommends). */
const ivBytes = 12;
/** GCM tag length in bytes; decryption demands exactly this many (no truncated tags). */
const tagBytes = 16;
/** The envelope format this module writes. */
export const envelopeVersion = 1;

/**
 * The master keys Convene can open envelopes with: the current one (used to seal) and older
 * ones kept during a rotation until every record is rewrapped.
 */
export interface Keyring {
  /** Id of the key new envelopes are sealed with; must be in `keys`. */
  currentKeyId: string;
  /** Master keys (32 bytes each) by {@link keyIdOf}. */
  keys: Map<string, Buffer>;
}

/** The parsed envelope (internal shape; stored as its JSON string). */
interface Envelope {
  v: typeof envelopeVersion;
  alg: 'A256GCM';
  kid: string;
  wk: Sealed;
  iv: string;
  ct: string;
  tag: string;
}

/** One AES-256-GCM ciphertext with its nonce and tag, base64. */
export interface Sealed {
  iv: string;
  ct: string;
  tag: string;
}

/**
 * A master key's id: the first 8 bytes of its SHA-256, as 16 lowercase hex characters.
 * Safe to store and log (it identifies the key without revealing it).
 */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest().subarray(0, 8).toString('hex');
}

/**
 * Decode and check a master key given as base64 (the `CONVENE_MASTER_KEY` setting). Standard and
 * URL-safe alphabets are accepted; surrounding whitespace is ignored.
 *
 * @param base64 32 random bytes in base64, e.g. from `openssl rand -base64 32`.
 * @returns The 32 key bytes.
 * @throws ConveneError `internal` when the text is not base64 or does not hold exactly 32 bytes
 *   (the message never contains the key).
 */
export function parseMasterKey(base64: string): Buffer {
  const text = base64.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    throw new ConveneError(internal, 'CONVENE_MASTER_KEY is not base64; make one with `openssl rand -base64 32`');
  }
  const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== keyBytes) {
    throw new ConveneError(
      internal,
      `CONVENE_MASTER_KEY must hold ${keyBytes} bytes, it holds ${key.length}; make one with \`openssl rand -base64 32\``,
    );
  }
  return key;
}

/** A new random 32-byte master key (for development, where no `CONVENE_MASTER_KEY` is set). */
export function generateMasterKey(): Buffer {
  return randomBytes(keyBytes);
}

/**
 * A keyring sealing with `current` and still opening envelopes sealed with `previous` keys.
 * @throws ConveneError `internal` when a key is not 32 bytes.
 */
export function createKeyring(current: Buffer, previous: readonly Buffer[] = []): Keyring {
  const keys = new Map<string, Buffer>();
  for (const key of [current, ...previous]) {
    checkKey(key);
    keys.set(keyIdOf(key), key);
  }
  return { currentKeyId: keyIdOf(current), keys };
}

/**
 * Seal a tenant's credential (client secret, certificate, ...) under the keyring's current key.
 *
 * @param plaintext The credential, as text (UTF-8).
 * @param tid The tenant id the credential belongs to; needed again to decrypt.
 * @returns The envelope as a JSON string (about 200 bytes plus 4/3 of the plaintext).
 * @throws ConveneError `internal` when `currentKeyId` is not in the keyring.
 */
export function encryptCredential(plaintext: string, tid: string, keyring: Keyring): string {
  const masterKey = keyFor(keyring, keyring.currentKeyId);
  const dataKey = randomBytes(keyBytes);
  try {
    const body = seal(dataKey, Buffer.from(plaintext, 'utf8'), credentialAad(tid));
    const envelope: Envelope = {
      v: envelopeVersion,
      alg: 'A256GCM',
      kid: keyring.currentKeyId,
      wk: seal(masterKey, dataKey, dataKeyAad(keyring.currentKeyId)),
      ...body,
    };
    return JSON.stringify(envelope);
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Open an envelope made by {@link encryptCredential} (or {@link rewrap}).
 *
 * @param tid The tenant the credential must belong to: another tenant's envelope fails.
 * @throws ConveneError `internal` when the envelope is malformed, its master key is not in the
 *   keyring, or authentication fails (tampered, wrong tenant, wrong key).
 */
export function decryptCredential(envelope: string, tid: string, keyring: Keyring): string {
  const e = parseEnvelope(envelope);
  const dataKey = unwrapDataKey(e, keyring);
  try {
    return open(dataKey, e, credentialAad(tid), 'the credential').toString('utf8');
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Re-seal an envelope's data key under `newKey` (master key rotation). The credential
 * ciphertext stays as it is; no tenant id is needed.
 *
 * Rotation: deploy with the new key current and the old one in the keyring, rewrap every stored
 * envelope whose {@link envelopeKeyId} is not the new key's, then drop the old key.
 *
 * @param oldKeyring Holds the key the envelope is sealed with now.
 * @param newKey The 32-byte master key to seal with from now on.
 * @returns The new envelope (JSON string) naming `keyIdOf(newKey)`.
 * @throws ConveneError `internal` when the envelope is malformed or cannot be opened with
 *   `oldKeyring`, or `newKey` is not 32 bytes.
 */
export function rewrap(envelope: string, oldKeyring: Keyring, newKey: Buffer): string {
  checkKey(newKey);
  const e = parseEnvelope(envelope);
  const dataKey = unwrapDataKey(e, oldKeyring);
  try {
    const kid = keyIdOf(newKey);
    const next: Envelope = { ...e, kid, wk: seal(newKey, dataKey, dataKeyAad(kid)) };
    return JSON.stringify(next);
  } finally {
    dataKey.fill(0);
  }
}

/**
 * The data key of an envelope and its credential ciphertext (to move it under another kind of
 * key encryption key, e.g. Azure Key Vault). The caller must zero `dataKey` after use.
 * @throws ConveneError `internal` when the envelope is malformed or cannot be opened with `keyring`.
 */
export function openDataKey(envelope: string, keyring: Keyring): { dataKey: Buffer; body: Sealed } {
  const e = parseEnvelope(envelope);
  return { dataKey: unwrapDataKey(e, keyring), body: { iv: e.iv, ct: e.ct, tag: e.tag } };
}

/**
 * The id of the master key an envelope is sealed with (to find the records a rotation must
 * rewrap), without decrypting anything.
 * @throws ConveneError `internal` when the envelope is malformed.
 */
export function envelopeKeyId(envelope: string): string {
  return parseEnvelope(envelope).kid;
}

// Associated data: authenticated, not encrypted. Versioned so a future format cannot be confused
// with this one.
/** Associated data binding a credential ciphertext to its tenant (shared with the Key Vault envelope). */
export function credentialAad(tid: string): Buffer {
  return Buffer.from(`convene/credential/v1/tid=${tid}`, 'utf8');
}

function dataKeyAad(kid: string): Buffer {
  return Buffer.from(`convene/data-key/v1/kid=${kid}`, 'utf8');
}

/** AES-256-GCM seal with a fresh 96-bit nonce; fields in base64. */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Sealed {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv: iv.toString('base64'), ct: ct.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
}

/**
 * AES-256-GCM open; a 16-byte tag is required.
 * @throws ConveneError `internal` when the tag does not verify (nothing is returned then).
 */
export function open(key: Buffer, sealed: Sealed, aad: Buffer, what: string): Buffer {
  const iv = Buffer.from(sealed.iv, 'base64');
  const tag = Buffer.from(sealed.tag, 'base64');
  if (iv.length !== ivBytes || tag.length !== tagBytes) {
    throw new ConveneError(internal, `${what} envelope has a malformed nonce or tag`);
  }
  try {
    // authTagLength pins the tag size: without it Node accepts truncated tags (down to 4 bytes).
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]);
  } catch (cause) {
    throw new ConveneError(internal, `${what} could not be decrypted: wrong key or tenant, or the envelope was altered`, { cause });
  }
}

function unwrapDataKey(e: Envelope, keyring: Keyring): Buffer {
  const dataKey = open(keyFor(keyring, e.kid), e.wk, dataKeyAad(e.kid), 'the data key');
  if (dataKey.length !== keyBytes) {
    dataKey.fill(0);
    throw new ConveneError(internal, 'the data key in the envelope has the wrong length');
  }
  return dataKey;
}

function keyFor(keyring: Keyring, kid: string): Buffer {
  const key = keyring.keys.get(kid);
  if (!key) throw new ConveneError(internal, `the credential is sealed with master key ${kid}, which is not in the keyring`);
  checkKey(key);
  return key;
}

function checkKey(key: Buffer): void {
  if (key.length !== keyBytes) throw new ConveneError(internal, `a master key must be ${keyBytes} bytes, got ${key.length}`);
}

const base64Field = /^[A-Za-z0-9+/]*={0,2}$/;

function parseEnvelope(text: string): Envelope {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ConveneError(internal, 'the credential envelope is not JSON', { cause });
  }
  const e = raw as Partial<Envelope> | null;
  if (typeof e !== 'object' || e === null || e.v !== envelopeVersion) {
    throw new ConveneError(internal, `the credential envelope is not version ${envelopeVersion}`);
  }
  const wellFormed = e.alg === 'A256GCM' && typeof e.kid === 'string' && /^[0-9a-f]{16}$/.test(e.kid) && isSealed(e.wk) && isSealed(e);
  if (!wellFormed) {
    throw new ConveneError(internal, 'the credential envelope is malformed');
  }
  return e as Envelope;
}

/** True when `s` has base64 `iv`, `ct` and `tag` strings. */
export function isSealed(s: unknown): s is Sealed {
  if (typeof s !== 'object' || s === null) return false;
  const { iv, ct, tag } = s as Record<string, unknown>;
  return [iv, ct, tag].every((f) => typeof f === 'string' && base64Field.test(f));
}
