/**
 * Azure Key Vault as the key encryption key for tenant credentials (`CONVENE_KEYVAULT_KEY_ID`):
 * @azure/keyvault-keys' `CryptographyClient` (wrapKey/unwrapKey, RSA-OAEP-256) signed in with
 * `DefaultAzureCredential` (managed identity in Azure, the developer's Azure CLI sign-in locally).
 * The identity needs the "Key Vault Crypto User" role (or wrapKey/unwrapKey access policy) on the key.
 *
 * @see https://learn.microsoft.com/javascript/api/overview/azure/keyvault-keys-readme
 * @see https://learn.microsoft.com/azure/key-vault/general/rbac-guide
 */
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { CryptographyClient } from '@azure/keyvault-keys';
import type { KeyVaultKeys, KeyWrapClient } from './sealer';

/**
 * Key Vault keys for {@link createCredentialSealer}: one `CryptographyClient` per key id (the
 * configured one, and each versioned id found in older envelopes).
 * @param keyId `https://<vault>.vault.azure.net/keys/<name>[/<version>]`
 * @param credential default `new DefaultAzureCredential()`
 */
export function createKeyVaultKeys(keyId: string, credential: TokenCredential = new DefaultAzureCredential()): KeyVaultKeys {
  const clients = new Map<string, KeyWrapClient>();
  return {
    keyId,
    client(id) {
      let c = clients.get(id);
      if (!c) {
        c = new CryptographyClient(id, credential);
        clients.set(id, c);
      }
      return c;
    },
  };
}
