// Convene on Azure: N stateless instances of the server (App Service, Linux, Node 24) on one
// Azure Database for PostgreSQL Flexible Server, secrets in Key Vault read through the app's
// managed identity (Key Vault references: no secret value sits in an app setting), the Azure
// Bot with its Teams channel and the OAuth connection for Teams SSO, and Application Insights.
// Deployed by Microsoft 365 Agents Toolkit (`arm/deploy` in m365agents.yml) or by hand:
//   az deployment group create -g <group> -f infra/main.bicep -p infra/main.parameters.dev.json ...
// See docs/deploy.md.
targetScope = 'resourceGroup'

@description('Short name used to derive every resource name (letters and digits).')
@minLength(3)
@maxLength(16)
param resourceBaseName string

@description('Environment name (dev, prod): a suffix of resource names.')
param environmentName string

param location string = resourceGroup().location

@description('App Service plan SKU: B1 for dev, P1v3 or higher for production.')
param appServiceSku string = 'B1'

@description('Number of server instances behind App Service\'s load balancer (stateless; PostgreSQL is the shared state).')
@minValue(1)
@maxValue(10)
param instanceCount int = 2

@description('PostgreSQL Flexible Server SKU and tier.')
param postgresSku string = 'Standard_B1ms'
@allowed(['Burstable', 'GeneralPurpose', 'MemoryOptimized'])
param postgresTier string = 'Burstable'

@description('Convene\'s multitenant app registration (infra/entra/aad.manifest.json).')
param aadAppClientId string
@secure()
param aadAppClientSecret string

@description('The bot\'s Microsoft Entra app (its Bot Framework identity) and its home tenant.')
param botAppId string
@secure()
param botAppPassword string
param botAppTenantId string = tenant().tenantId

@description('32 random bytes, base64 (openssl rand -base64 32). Wraps the per-tenant data keys; keep a copy: losing it loses stored tenant credentials.')
@secure()
param masterKey string

@description('PostgreSQL administrator login and password (the password lives only in Key Vault).')
param postgresAdminLogin string = 'convene'
@secure()
param postgresAdminPassword string

@description('Name of the Azure Bot OAuth connection used for Teams single sign-on.')
param botOAuthConnectionName string = 'ConveneSso'

@description('Custom domain of the app, if any (empty: the App Service default host name).')
param customDomain string = ''

@allowed(['global', 'usgov', 'usgovdod', 'china'])
param conveneCloud string = 'global'

@description('Days audit entries are kept before the daily purge.')
param auditRetentionDays int = 90

param logLevel string = 'info'

var baseName = toLower('${resourceBaseName}${environmentName}')
var tags = { application: 'convene', environment: environmentName }

module monitoring 'modules/monitoring.bicep' = {
  name: 'convene-monitoring'
  params: { name: baseName, location: location, tags: tags }
}

module postgres 'modules/postgres.bicep' = {
  name: 'convene-postgres'
  params: {
    name: '${baseName}-pg'
    location: location
    tags: tags
    skuName: postgresSku
    skuTier: postgresTier
    adminLogin: postgresAdminLogin
    adminPassword: postgresAdminPassword
  }
}

module vault 'modules/keyvault.bicep' = {
  name: 'convene-keyvault'
  params: {
    name: '${baseName}-kv'
    location: location
    tags: tags
    secrets: {
      'convene-master-key': masterKey
      'azure-client-secret': aadAppClientSecret
      'bot-app-password': botAppPassword
      'database-url': 'postgres://${postgresAdminLogin}:${uriComponent(postgresAdminPassword)}@${postgres.outputs.fqdn}:5432/${postgres.outputs.databaseName}?sslmode=require'
    }
  }
}

module app 'modules/appservice.bicep' = {
  name: 'convene-app'
  params: {
    name: baseName
    location: location
    tags: tags
    sku: appServiceSku
    instanceCount: instanceCount
    publicHost: empty(customDomain) ? '${baseName}.azurewebsites.net' : customDomain
    vaultUri: vault.outputs.uri
    appInsightsConnectionString: monitoring.outputs.connectionString
    aadAppClientId: aadAppClientId
    botAppId: botAppId
    botAppTenantId: botAppTenantId
    botOAuthConnectionName: botOAuthConnectionName
    conveneCloud: conveneCloud
    auditRetentionDays: auditRetentionDays
    logLevel: logLevel
  }
}

module vaultAccess 'modules/keyvault-access.bicep' = {
  name: 'convene-keyvault-access'
  params: { vaultName: vault.outputs.name, principalId: app.outputs.principalId }
}

module bot 'modules/bot.bicep' = {
  name: 'convene-bot'
  params: {
    name: '${baseName}-bot'
    tags: tags
    botAppId: botAppId
    botAppTenantId: botAppTenantId
    messagingEndpoint: 'https://${app.outputs.publicHost}/api/messages'
    oauthConnectionName: botOAuthConnectionName
    aadAppClientId: aadAppClientId
    aadAppClientSecret: aadAppClientSecret
    tokenExchangeUrl: 'api://${app.outputs.publicHost}/${aadAppClientId}'
  }
}

// Written back to env/.env.<env> by Microsoft 365 Agents Toolkit (arm/deploy): they fill the
// app package's placeholders (manifest/manifest.json).
output CONVENE_DOMAIN string = app.outputs.publicHost
output TASKPANE_URL string = 'https://${app.outputs.publicHost}/taskpane.html'
output BOT_ENDPOINT string = 'https://${app.outputs.publicHost}'
output CONVENE_AZURE_APP_SERVICE_RESOURCE_ID string = app.outputs.resourceId
output BOT_OAUTH_CONNECTION_NAME string = bot.outputs.oauthConnectionName
