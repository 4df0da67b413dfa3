/**
 * The Teams bot's contract: the factory the composition root calls and the local identity hook.
 * The conversation itself (`conversation/`) has no Bot Framework types.
 */
export { createBot } from './botbuilder-adapter';
export type { BotDeps, ConveneBot, UserTokenSource } from './botbuilder-adapter';
