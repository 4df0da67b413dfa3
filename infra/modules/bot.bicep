// The Azure Bot: Bot Framework registration of Convene's bot, its Microsoft Teams channel, and
// the OAuth connection Teams single sign-on exchanges tokens through (Azure AD v2 provider,
// asking for Convene's own API scope, token exchange URL = webApplicationInfo.resource).
param name string
param tags object
param botAppId string
param botAppTenantId string
param messagingEndpoint string
param oauthConnectionName string
param aadAppClientId string
@secure()
param aadAppClientSecret string
param tokenExchangeUrl string

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: name
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: { name: 'F0' }
  properties: {
    displayName: 'Convene'
    endpoint: messagingEndpoint
    msaAppId: botAppId
    msaAppType: 'SingleTenant'
    msaAppTenantId: botAppTenantId
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}

resource sso 'Microsoft.BotService/botServices/connections@2022-09-15' = {
  parent: bot
  name: oauthConnectionName
  location: 'global'
  properties: {
    serviceProviderDisplayName: 'Azure Active Directory v2'
    serviceProviderId: '30dd229c-58e3-4a48-bdfd-91ec48eb906c'
    clientId: aadAppClientId
    clientSecret: aadAppClientSecret
    scopes: 'api://${aadAppClientId}/access_as_user'
    parameters: [
      { key: 'tenantID', value: 'common' }
      { key: 'tokenExchangeUrl', value: tokenExchangeUrl }
    ]
  }
}

output oauthConnectionName string = sso.name
