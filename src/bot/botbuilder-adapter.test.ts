/**
 * The bot's Bot Framework identity (issue 5/6): Azure creates Azure Bot resources single tenant
 * only, so with `MicrosoftAppTenantId` the CloudAdapter must get its channel tokens from that
 * tenant (`https://login.microsoftonline.com/<tenant>`), not from the multitenant
 * `botframework.com` tenant. Checked on the connector client the adapter builds for a proactive
 * turn (no network: botbuilder only asks Entra ID for a token when it sends).
 */
import type { ConversationReference, TurnContext } from 'botbuilder';
import type { UserTokenVerifier } from '../server/auth/user-token';
import type { CalendarService } from '../server/calendar/calendar-service';
import { createLogger } from '../server/log';
import type { ConversationStore } from '../server/store/conversations';
import { type BotDeps, botFrameworkAuthConfig, createBot } from './botbuilder-adapter';

const APP_ID = '7c1e4a2b-3d5f-4e6a-8b9c-0d1e2f3a4b5c';
const BOT_TENANT = '9f8e7d6c-5b4a-4c3d-9e2f-1a0b9c8d7e6f';

/** Nothing of the server is used by a proactive turn that sends nothing. */
function deps(overrides: Partial<BotDeps>): BotDeps {
  const unused = new Proxy({}, { get: () => () => Promise.reject(new Error('not used')) });
  return {
    calendar: unused as CalendarService,
    verifier: unused as UserTokenVerifier,
    conversations: unused as ConversationStore,
    logger: createLogger('silent'),
    appId: undefined,
    appPassword: undefined,
    appTenantId: undefined,
    oauthConnectionName: 'convene-sso',
    ...overrides,
  };
}

const reference: Partial<ConversationReference> = {
  channelId: 'msteams',
  serviceUrl: 'https://smba.trafficmanager.net/amer/',
  conversation: { id: 'a:1', isGroup: false, conversationType: 'personal', name: '' },
  bot: { id: `28:${APP_ID}`, name: 'Convene' },
};

/** The credentials of the connector client CloudAdapter builds for a turn of bot `appId`. */
async function connectorCredentials(botDeps: BotDeps): Promise<{ oAuthEndpoint: string; appId: string }> {
  const bot = createBot(botDeps);
  let credentials: { oAuthEndpoint: string; appId: string } | undefined;
  await bot.adapter.continueConversationAsync(botDeps.appId ?? '', reference, async (context: TurnContext) => {
    const client = context.turnState.get(bot.adapter.ConnectorClientKey) as { credentials: { oAuthEndpoint: string; appId: string } };
    credentials = client.credentials;
  });
  if (!credentials) throw new Error('the turn did not run');
  return credentials;
}

describe('Bot Framework identity', () => {
  test('MicrosoftAppTenantId set: SingleTenant, channel tokens from the bot’s own tenant', async () => {
    const d = deps({ appId: APP_ID, appPassword: 'bot-secret', appTenantId: BOT_TENANT });
    expect(botFrameworkAuthConfig(d)).toEqual({
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'bot-secret',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: BOT_TENANT,
    });
    const credentials = await connectorCredentials(d);
    expect(credentials.appId).toBe(APP_ID);
    expect(credentials.oAuthEndpoint).toBe(`https://login.microsoftonline.com/${BOT_TENANT}`);
  });

  test('no tenant: a legacy MultiTenant bot, channel tokens from botframework.com', async () => {
    const d = deps({ appId: APP_ID, appPassword: 'bot-secret', appTenantId: '  ' });
    expect(botFrameworkAuthConfig(d).MicrosoftAppType).toBe('MultiTenant');
    const credentials = await connectorCredentials(d);
    expect(credentials.oAuthEndpoint).toBe('https://login.microsoftonline.com/botframework.com');
  });

  test('no app id: authentication off (local simulator runs), whatever the tenant says', () => {
    expect(botFrameworkAuthConfig({ appId: undefined, appPassword: undefined, appTenantId: BOT_TENANT })).toEqual({
      MicrosoftAppId: '',
      MicrosoftAppPassword: '',
      MicrosoftAppType: '',
      MicrosoftAppTenantId: '',
    });
  });

  test('single tenant without a password is refused by botbuilder when the bot is built', () => {
    expect(() => createBot(deps({ appId: APP_ID, appPassword: '', appTenantId: BOT_TENANT }))).toThrow(
      /MicrosoftAppPassword is required for SingleTenant/,
    );
  });
});
