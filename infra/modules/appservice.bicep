// App Service (Linux, Node 24 LTS) running `instanceCount` stateless Convene instances behind
// App Service's load balancer; TLS ends at App Service (httpsOnly, TLS 1.2+), which is why
// CONVENE_PUBLIC_URL is https:// (production mode refuses anything else). Every setting the
// server reads is either set here or listed in infra/README.md as not for production; a test
// (test/ship/config-drift.test.ts) keeps this list, src/server/config.ts and README.md equal.
// Secrets are Key Vault references resolved with the app's system-assigned managed identity.
param name string
param location string
param tags object
param sku string
param instanceCount int
param publicHost string
param vaultUri string
param appInsightsConnectionString string
param aadAppClientId string
param botAppId string
param botAppTenantId string
param botOAuthConnectionName string
param conveneCloud string
param auditRetentionDays int
param logLevel string

var kvPrefix = '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/'

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${name}-plan'
  location: location
  tags: tags
  kind: 'linux'
  sku: { name: sku, capacity: instanceCount }
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: name
  location: location
  tags: tags
  kind: 'app,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: 'SystemAssigned'
    siteConfig: {
      linuxFxVersion: 'NODE|24-lts'
      // Same Node flags as the Dockerfile's CMD and `npm start` (bench/node-flags.ts).
      appCommandLine: 'node --max-semi-space-size=16 --max-old-space-size=768 dist/src/server/main.js'
      alwaysOn: true
      healthCheckPath: '/healthz'
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: [
        { name: 'NODE_ENV', value: 'production' }
        { name: 'PORT', value: '8080' }
        { name: 'CONVENE_PUBLIC_URL', value: 'https://${publicHost}' }
        { name: 'DATABASE_URL', value: '${kvPrefix}database-url)' }
        { name: 'CONVENE_MASTER_KEY', value: '${kvPrefix}convene-master-key)' }
        { name: 'AZURE_CLIENT_ID', value: aadAppClientId }
        { name: 'AZURE_CLIENT_SECRET', value: '${kvPrefix}azure-client-secret)' }
        { name: 'CONVENE_CLOUD', value: conveneCloud }
        { name: 'MicrosoftAppId', value: botAppId }
        { name: 'MicrosoftAppPassword', value: '${kvPrefix}bot-app-password)' }
        { name: 'MicrosoftAppTenantId', value: botAppTenantId }
        { name: 'CONVENE_BOT_OAUTH_CONNECTION', value: botOAuthConnectionName }
        { name: 'CONVENE_AUDIT_RETENTION_DAYS', value: string(auditRetentionDays) }
        { name: 'CONVENE_JOBS', value: 'audit-purge,user-archive,bot-card-purge' }
        { name: 'LOG_LEVEL', value: logLevel }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
        { name: 'ApplicationInsightsAgent_EXTENSION_VERSION', value: '~3' }
        { name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'false' }
      ]
    }
  }
}

output principalId string = site.identity.principalId
output publicHost string = publicHost
output resourceId string = site.id
