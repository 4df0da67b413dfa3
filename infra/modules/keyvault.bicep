// Key Vault holding Convene's secrets (master key, app and bot credentials, database URL).
// RBAC authorization: only identities granted "Key Vault Secrets User" read them (the app's
// managed identity, see keyvault-access.bicep). Soft delete and purge protection on: a deleted
// master key can be recovered.
param name string
param location string
param tags object
@secure()
param secrets object

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [
  for s in items(secrets): {
    parent: vault
    name: s.key
    properties: { value: s.value }
  }
]

output name string = vault.name
output uri string = vault.properties.vaultUri
