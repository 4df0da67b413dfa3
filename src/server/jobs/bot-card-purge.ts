/**
 * The daily bot-card purge: deletes the Teams bot's cards (`bot_cards`: who a card was sent to
 * and the scheduling request on it) created more than {@link botCardRetentionDays} days ago.
 *
 * A card's buttons stop working a day after it was sent (the bot answers "expired"); the rows are
 * kept a few days longer so a late click on a card already used still replays the same booking
 * instead of booking again, then they go. Disconnecting a tenant and "delete my data" remove them
 * at once (they are tenant-scoped).
 */
import type { ConversationStore } from '../store/conversations';
import { dailyPeriod, type ScheduledJob } from './runner';

/** The job's name in `job_runs` and `CONVENE_JOBS`. */
export const botCardPurgeJobName = 'bot-card-purge';

/** Whole days a bot card is kept after it was sent (its buttons expire after one). */
export const botCardRetentionDays = 7;

const DAY_MS = 86_400_000;

/**
 * @param retentionDays Whole days a card is kept (>= 2, so a card outlives its one-day expiry); default {@link botCardRetentionDays}.
 * @throws Error when `retentionDays` is not a whole number >= 2.
 */
export function createBotCardPurgeJob(deps: { store: Pick<ConversationStore, 'purgeCards'>; retentionDays?: number }): ScheduledJob {
  const retentionDays = deps.retentionDays ?? botCardRetentionDays;
  if (!Number.isInteger(retentionDays) || retentionDays < 2)
    throw new Error(`the bot card retention must be a whole number of days >= 2, not ${retentionDays}`);
  return {
    name: botCardPurgeJobName,
    period: dailyPeriod,
    async run({ nowMs }) {
      const cutoff = new Date(nowMs - retentionDays * DAY_MS).toISOString();
      const deleted = await deps.store.purgeCards(cutoff);
      return { cutoff, retentionDays, deleted };
    },
  };
}
