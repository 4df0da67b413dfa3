/**
 * The one file that knows Bot Framework (botbuilder 4, CloudAdapter). It authenticates the
 * channel (Bot Framework auth is on when `MicrosoftAppId` is set), finds the user's verified
 * Convene identity, maps the activity to the plain conversation ({@link handle}) and its outcome
 * back to activities, invoke responses and card updates. Moving to the Teams SDK or the Agents
 * SDK means replacing this file.
 *
 * Identity: the user token goes through the server's verifier (`app.verifier`), exactly as a
 * bearer token on the HTTP API does; nothing in the activity is trusted on its own.
 * - With `MicrosoftAppId`: Teams SSO through the Azure Bot OAuth connection
 *   (`CONVENE_BOT_OAUTH_CONNECTION`): the stored token, else an OAuthCard with a token-exchange
 *   resource; the `signin/tokenExchange` invoke (412 when the exchange fails, so Teams falls
 *   back to the sign-in button) and `signin/verifyState` (magic code). This is the protocol of
 *   botbuilder-dialogs' OAuthPrompt, without dialog state, so any server instance can answer.
 * - Without it (local runs against the simulator): an injected {@link UserTokenSource} maps the
 *   Teams user (`from.aadObjectId`, `channelData.tenant.id`) to a token; it comes from sim/, never
 *   from product code. With neither, the bot refuses.
 *
 * @see https://learn.microsoft.com/microsoftteams/platform/bots/how-to/authentication/bot-sso-code
 * @see https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/overview
 * @see https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference (deliveryMode expectReplies)
 */
import { randomUUID } from 'node:crypto';
import {
  type Activity,
  ActivityTypes,
  type Attachment,
  CardFactory,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Request as BotRequest,
  type Response as BotResponse,
  TurnContext,
} from 'botbuilder';
import type { UserTokenClient } from 'botframework-connector';
import { isConveneError } from '../shared/errors';
import type { AuthContext, UserTokenVerifier } from '../server/auth/user-token';
import type { CalendarService } from '../server/calendar/calendar-service';
import type { Logger } from '../server/log';
import type { ConversationStore } from '../server/store/conversations';
import { helpCard } from './conversation/cards';
import { handle } from './conversation/handle';
import type { AdaptiveCard, Incoming, Outcome, Reply } from './conversation/types';
import { bindCalendar, cardStore } from './service';

/**
 * Local identity for the simulator: a user access token for Convene's API for the Teams user
 * `oid` of tenant `tid`, or null when there is no such user. Injected by sim/ wiring only.
 */
export type UserTokenSource = (tid: string, oid: string) => Promise<string | null>;

/** What the bot needs from the server. */
export interface BotDeps {
  calendar: CalendarService;
  verifier: UserTokenVerifier;
  conversations: ConversationStore;
  logger: Logger;
  /** `MicrosoftAppId` / `MicrosoftAppPassword` / `MicrosoftAppTenantId`; no app id = Bot Framework auth off (local only). */
  appId: string | undefined;
  appPassword: string | undefined;
  appTenantId: string | undefined;
  /** Azure Bot OAuth connection for Teams SSO (`CONVENE_BOT_OAUTH_CONNECTION`). */
  oauthConnectionName: string | undefined;
  /** Local runs only (see {@link UserTokenSource}). */
  userTokenSource?: UserTokenSource;
  /** Epoch ms. */
  now?: () => number;
  stillWorkingAfterMs?: number;
  /** The Bot Framework token service client of a turn (default: the one CloudAdapter puts in the turn state). */
  userTokenClient?: (context: TurnContext) => UserTokenClient | undefined;
}

/** The bot: the CloudAdapter plus the turn logic (usable with any botbuilder adapter, e.g. TestAdapter). */
export interface ConveneBot {
  readonly adapter: CloudAdapter;
  /** Handles `POST /api/messages` (`req.body` already parsed JSON). */
  process(req: BotRequest, res: BotResponse): Promise<void>;
  /** The turn logic. */
  onTurn(context: TurnContext): Promise<void>;
}

/** The Bot Framework identity settings botbuilder reads (`ConfigurationBotFrameworkAuthentication`). */
export type BotFrameworkAuthConfig = {
  MicrosoftAppId: string;
  MicrosoftAppPassword: string;
  /** `SingleTenant` or `MultiTenant`; empty when Bot Framework auth is off (no app id). */
  MicrosoftAppType: '' | 'SingleTenant' | 'MultiTenant';
  MicrosoftAppTenantId: string;
};

/**
 * The bot's Bot Framework identity for botbuilder. Azure creates new Azure Bot resources single
 * tenant only (infra/modules/bot.bicep: `msaAppType: 'SingleTenant'` with `msaAppTenantId`), and
 * botbuilder then has to get its channel tokens from that tenant
 * (`https://login.microsoftonline.com/<MicrosoftAppTenantId>`) instead of the multitenant
 * `botframework.com` one, which it does only with `MicrosoftAppType: 'SingleTenant'`: without
 * it botbuilder ignores `MicrosoftAppTenantId` and Entra ID refuses the bot's replies.
 * So: `MicrosoftAppTenantId` set means `SingleTenant`; unset means a (legacy) `MultiTenant` bot;
 * no `MicrosoftAppId` means authentication off (local runs only).
 *
 * @throws Error from botbuilder when it is then used single tenant without a password (checked by
 *   `ConfigurationServiceClientCredentialFactory`; `loadConfig` refuses that earlier).
 * @see https://learn.microsoft.com/azure/bot-service/bot-service-quickstart-registration (app types; multitenant bot creation deprecated after July 31, 2025)
 * @see botbuilder-core `ConfigurationServiceClientCredentialFactory` (4.23: `MicrosoftAppType` SingleTenant requires `MicrosoftAppTenantId` and a password)
 */
export function botFrameworkAuthConfig(deps: Pick<BotDeps, 'appId' | 'appPassword' | 'appTenantId'>): BotFrameworkAuthConfig {
  const appId = deps.appId?.trim() ?? '';
  const tenantId = deps.appTenantId?.trim() ?? '';
  return {
    MicrosoftAppId: appId,
    MicrosoftAppPassword: deps.appPassword ?? '',
    MicrosoftAppType: appId ? (tenantId ? 'SingleTenant' : 'MultiTenant') : '',
    MicrosoftAppTenantId: appId ? tenantId : '',
  };
}

const INVOKE_RESPONSE = 'invokeResponse';
const CARD_TYPE = 'application/vnd.microsoft.card.adaptive';

/** Builds the bot. @example const bot = createBot({ calendar, verifier, conversations, logger, appId: undefined, ... }); */
export function createBot(deps: BotDeps): ConveneBot {
  const log = deps.logger.child({ module: 'bot' });
  const now = deps.now ?? Date.now;
  const cards = cardStore(deps.conversations);
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(botFrameworkAuthConfig(deps)));
  adapter.onTurnError = async (context, error) => {
    log.error({ err: error, activityType: context.activity.type }, 'bot turn failed');
  };

  async function onTurn(context: TurnContext): Promise<void> {
    const a = context.activity;
    if (a.type === ActivityTypes.ConversationUpdate) {
      const joined = (a.membersAdded ?? []).some((m) => m.id !== a.recipient?.id);
      if (joined)
        await context.sendActivity(
          cardActivity(helpCard('Hi! I find times when a whole interview panel is free and book them in your calendar.')),
        );
      return;
    }
    const incoming = toIncoming(a);
    const isSignin = a.type === ActivityTypes.Invoke && (a.name === 'signin/tokenExchange' || a.name === 'signin/verifyState');
    if (!incoming && !isSignin) {
      if (a.type === ActivityTypes.Invoke) await invokeResponse(context, 501, undefined);
      return;
    }
    const user = await identify(context);
    if (!user) return;
    if (isSignin || !incoming) {
      await context.sendActivity('You are signed in. What shall I schedule?');
      return;
    }

    const reference = TurnContext.getConversationReference(a);
    await deps.conversations.saveReference(user.tid, user.oid, reference as unknown as Record<string, unknown>).catch((err: unknown) => {
      log.warn({ err }, 'could not save the conversation reference');
    });

    const requestId = randomUUID();
    let outcome: Outcome;
    try {
      outcome = await handle(incoming, {
        user: { tid: user.tid, oid: user.oid, name: user.name },
        service: bindCalendar(deps.calendar, user, requestId),
        cards,
        now,
        newId: randomUUID,
        progress: async (reply) => {
          await context.sendActivity(toActivity(reply));
        },
        ...(deps.stillWorkingAfterMs !== undefined ? { stillWorkingAfterMs: deps.stillWorkingAfterMs } : {}),
      });
    } catch (err) {
      log.error({ err, requestId }, 'bot turn failed');
      outcome = { replies: [{ type: 'text', text: `Something went wrong on my side (reference ${requestId}). Please try again.` }] };
    }
    await deliver(context, incoming, outcome);
  }

  /** The verified user, or null after answering why not (sign-in card, refusal). */
  async function identify(context: TurnContext): Promise<AuthContext | null> {
    const a = context.activity;
    const tid = (a.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ?? a.conversation?.tenantId;
    const oid = a.from?.aadObjectId;
    let token: string | null;
    if (deps.appId) {
      token = await ssoToken(context);
      if (!token) return null;
    } else if (deps.userTokenSource) {
      if (!tid || !oid) return refuse(context, 'I work with Microsoft Teams work accounts: this message came without a tenant or user id.');
      token = await deps.userTokenSource(tid, oid);
      if (!token) return refuse(context, 'Your account is not known in this organization, so I cannot act for you.');
    } else {
      log.error('neither MicrosoftAppId (Teams SSO) nor a local user token source is configured: refusing');
      return refuse(context, 'Sign-in is not configured for this bot, so I cannot act for anyone. Ask your administrator.');
    }
    let user: AuthContext;
    try {
      user = await deps.verifier.verify(`Bearer ${token}`);
    } catch (e) {
      if (!isConveneError(e)) throw e;
      return refuse(context, `I could not verify your sign-in: ${e.message}`);
    }
    // The channel's word about who is typing must agree with the verified token.
    if ((tid && tid !== user.tid) || (oid && oid !== user.oid))
      return refuse(context, 'Your Teams account and your sign-in do not match, so I will not act.');
    if (a.type === ActivityTypes.Invoke && a.name === 'signin/tokenExchange')
      await invokeResponse(context, 200, { id: tokenExchangeId(a), connectionName: deps.oauthConnectionName });
    return user;
  }

  async function refuse(context: TurnContext, text: string): Promise<null> {
    const a = context.activity;
    if (a.type === ActivityTypes.Invoke && a.name === 'adaptiveCard/action')
      await invokeResponse(context, 200, { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text });
    else if (a.type === ActivityTypes.Invoke && a.name === 'signin/tokenExchange') {
      // An exchanged token Convene does not accept: 412 (one invoke response), as for a failed exchange.
      await invokeResponse(context, 412, { id: tokenExchangeId(a), connectionName: deps.oauthConnectionName, failureDetail: text });
      await context.sendActivity(text);
    } else {
      if (context.activity.type === ActivityTypes.Invoke) await invokeResponse(context, 403, undefined);
      await context.sendActivity(text);
    }
    return null;
  }

  /** Teams SSO: a token from the Bot Framework token service, or null after prompting. */
  async function ssoToken(context: TurnContext): Promise<string | null> {
    const a = context.activity;
    const connection = deps.oauthConnectionName;
    const client = deps.userTokenClient
      ? deps.userTokenClient(context)
      : context.turnState.get<UserTokenClient | undefined>(
          (context.adapter as unknown as { UserTokenClientKey: symbol }).UserTokenClientKey,
        );
    if (!connection || !client) {
      log.error({ connection: Boolean(connection) }, 'Teams SSO needs CONVENE_BOT_OAUTH_CONNECTION and a user token client');
      await refuse(context, 'Sign-in is not configured for this bot (no OAuth connection). Ask your administrator.');
      return null;
    }
    const userId = a.from?.id ?? '';
    if (a.type === ActivityTypes.Invoke && a.name === 'signin/tokenExchange') {
      const value = a.value as { id?: string; connectionName?: string; token?: string } | undefined;
      const fail = async (status: number, detail: string) => {
        await invokeResponse(context, status, { id: value?.id, connectionName: connection, failureDetail: detail });
        return null;
      };
      if (!value?.token) return fail(400, 'The token exchange request has no token.');
      if (value.connectionName !== connection) return fail(400, 'The token exchange request names another OAuth connection.');
      let exchanged: { token?: string } | undefined;
      try {
        exchanged = await client.exchangeToken(userId, connection, a.channelId, { token: value.token });
      } catch (err) {
        log.warn({ err }, 'token exchange failed');
      }
      // 412: Teams then shows the sign-in button instead (Microsoft's documented fallback).
      if (!exchanged?.token) return fail(412, 'The bot is unable to exchange token. Proceed with regular login.');
      // The 200 waits for the verifier (identify): a token it refuses answers 412 instead.
      return exchanged.token;
    }
    if (a.type === ActivityTypes.Invoke && a.name === 'signin/verifyState') {
      const state = (a.value as { state?: string } | undefined)?.state;
      const found = state ? await client.getUserToken(userId, connection, a.channelId, state).catch(() => undefined) : undefined;
      await invokeResponse(context, found?.token ? 200 : 404, undefined);
      return found?.token ?? null;
    }
    const stored = await client.getUserToken(userId, connection, a.channelId, '').catch(() => undefined);
    if (stored?.token) return stored.token;
    const resource = await client.getSignInResource(connection, a as Activity, '');
    const card = CardFactory.oauthCard(
      connection,
      'Sign in to Convene',
      'Sign in so I can read free/busy and book interviews as you.',
      resource.signInLink,
      resource.tokenExchangeResource,
      resource.tokenPostResource,
    );
    if (a.type === ActivityTypes.Invoke) await invokeResponse(context, 401, undefined);
    await context.sendActivity({ type: ActivityTypes.Message, attachments: [card] });
    return null;
  }

  return {
    adapter,
    process: (req, res) => adapter.process(req, res, onTurn),
    onTurn,
  };
}

/** The activity as the conversation sees it, or null when the bot does not handle it. */
function toIncoming(a: Activity): Incoming | null {
  if (a.type === ActivityTypes.Message) {
    const value = a.value as Record<string, unknown> | undefined;
    if (value && typeof value === 'object' && typeof value.convene === 'string') {
      const { convene, ...data } = value;
      return { kind: 'action', verb: convene as string, data, via: 'submit' };
    }
    return { kind: 'message', text: a.text ?? '' };
  }
  if (a.type === ActivityTypes.Invoke && a.name === 'adaptiveCard/action') {
    const action = (a.value as { action?: { verb?: string; data?: Record<string, unknown> } } | undefined)?.action;
    return { kind: 'action', verb: action?.verb ?? '', data: action?.data ?? {}, via: 'execute' };
  }
  if (a.type === ActivityTypes.Invoke && a.name === 'application/search') {
    const v = a.value as { queryText?: string; dataset?: string; queryOptions?: { top?: number } } | undefined;
    return {
      kind: 'search',
      dataset: v?.dataset ?? '',
      queryText: String(v?.queryText ?? ''),
      top: Number(v?.queryOptions?.top ?? 15) || 15,
    };
  }
  return null;
}

function cardAttachment(card: AdaptiveCard): Attachment {
  return CardFactory.adaptiveCard(card);
}

function cardActivity(card: AdaptiveCard): Partial<Activity> {
  return { type: ActivityTypes.Message, attachments: [cardAttachment(card)] };
}

function toActivity(reply: Reply): Partial<Activity> {
  return reply.type === 'text' ? { type: ActivityTypes.Message, text: reply.text } : cardActivity(reply.card);
}

/** The `id` of a `signin/tokenExchange` invoke's value (echoed in its invoke response). */
function tokenExchangeId(a: Activity): string | undefined {
  const id = (a.value as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}

async function invokeResponse(context: TurnContext, status: number, body: unknown): Promise<void> {
  await context.sendActivity({ type: INVOKE_RESPONSE, value: { status, body } } as Partial<Activity>);
}

/** Sends the outcome: new messages, the card update (invoke response or updateActivity), search results. */
async function deliver(context: TurnContext, incoming: Incoming, outcome: Outcome): Promise<void> {
  // A universal action that changes no card answers with its text as the invoke's message.
  const inline = incoming.kind === 'action' && incoming.via === 'execute' && !outcome.update;
  const texts = outcome.replies.flatMap((r) => (r.type === 'text' ? [r.text] : []));
  for (const reply of outcome.replies) if (!(inline && reply.type === 'text')) await context.sendActivity(toActivity(reply));
  if (incoming.kind === 'search') {
    await invokeResponse(context, 200, {
      type: 'application/vnd.microsoft.search.searchResponse',
      value: { results: outcome.searchResults ?? [] },
    });
    return;
  }
  if (incoming.kind !== 'action') return;
  if (incoming.via === 'execute') {
    await invokeResponse(
      context,
      200,
      outcome.update
        ? { statusCode: 200, type: CARD_TYPE, value: outcome.update }
        : { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: texts.join('\n\n') || 'Done.' },
    );
    return;
  }
  if (!outcome.update) return;
  const replyToId = context.activity.replyToId;
  if (replyToId) {
    try {
      await context.updateActivity({ ...cardActivity(outcome.update), id: replyToId });
      return;
    } catch (err) {
      // A channel without message updates: post the new card instead.
      if (!(err instanceof Error)) throw err;
    }
  }
  await context.sendActivity(cardActivity(outcome.update));
}
