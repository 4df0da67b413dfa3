/**
 * The Teams bot's contract: the factory the composition root calls and the local identity hook.
 * The conversation itself (`conversation/`) has no Bot Framework types.
 *
 * botbuilder (with the bot's conversation and chrono-node) costs about 30 MB of resident memory
 * and 0.3 s to load, so this module loads `./botbuilder-adapter` only when a bot is built:
 * {@link createLazyBot} defers that to the first `POST /api/messages` (or to startup when the
 * bot is really deployed, `MicrosoftAppId` set), and servers that never see a bot message never
 * carry it. Only type imports reach botbuilder from here.
 */
import type { CloudAdapter, Request as BotRequest, Response as BotResponse, TurnContext } from 'botbuilder';
import type { BotDeps, ConveneBot } from './botbuilder-adapter';

export type { BotDeps, ConveneBot, UserTokenSource } from './botbuilder-adapter';

type BotbuilderAdapterModule = typeof import('./botbuilder-adapter');

/** Loads the Bot Framework adapter (and botbuilder) now; Node's module cache makes later calls free. */
function loadAdapter(): BotbuilderAdapterModule {
  // A synchronous require so the bot is ready within the same turn; `import()` would also work in
  // Node, but not for a relative .ts module under jest.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./botbuilder-adapter') as BotbuilderAdapterModule;
}

/**
 * Builds the bot now (loads botbuilder).
 * @example const bot = createBot({ calendar, verifier, conversations, logger, appId: undefined, ... });
 */
export function createBot(deps: BotDeps): ConveneBot {
  return loadAdapter().createBot(deps);
}

/**
 * The bot, with botbuilder loaded and the CloudAdapter built on first use: the first
 * `process`/`onTurn` call or the first read of `adapter`. When `deps.appId` (`MicrosoftAppId`)
 * is set the bot is deployed for Teams, and it is built at once, so the first Teams message does
 * not wait for the load (about 0.3 s). Same behaviour as {@link createBot} otherwise.
 */
export function createLazyBot(deps: BotDeps): ConveneBot {
  let bot: ConveneBot | undefined;
  const built = (): ConveneBot => (bot ??= createBot(deps));
  if (deps.appId) built();
  return {
    get adapter(): CloudAdapter {
      return built().adapter;
    },
    process: (req: BotRequest, res: BotResponse) => built().process(req, res),
    onTurn: (context: TurnContext) => built().onTurn(context),
  };
}
