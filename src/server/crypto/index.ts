/**
 * Convene's cryptography: envelope encryption of tenant credentials under a master key.
 */
export {
  createKeyring,
  decryptCredential,
  encryptCredential,
  envelopeKeyId,
  generateMasterKey,
  keyIdOf,
  parseMasterKey,
  rewrap,
} from './envelope';
export type { Keyring } from './envelope';
