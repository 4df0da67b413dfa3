/**
 * Binds the server's Calendar Service to one verified user for the conversation: the bot calls
 * the same service as the HTTP routes, in-process, with the same {@link AuthContext}, so the
 * dual lock, the audit and idempotency apply unchanged. Bookings are recorded with channel `bot`.
 */
import type { AuthContext } from '../server/auth/user-token';
import type { CalendarService } from '../server/calendar/calendar-service';
import type { ConversationStore } from '../server/store/conversations';
import type { BotCard, CardStorePort, ProposalRequest, SchedulingPort } from './conversation/types';

/** The user-bound port. `requestId` ties the turn's Graph calls together in the audit log. */
export function bindCalendar(calendar: CalendarService, auth: AuthContext, requestId: string): SchedulingPort {
  return {
    findAvailability: (input) => calendar.findAvailability(auth, input, requestId),
    bookInterview: (input, key) => calendar.bookInterview(auth, input, key, 'bot', requestId),
    listInterviews: (query) => calendar.listInterviews(auth, query, requestId),
    cancelInterview: (id) => calendar.cancelInterview(auth, id, {}, requestId),
    searchPeople: (q) => calendar.searchPeople(auth, { q }, requestId),
  };
}

/** The card store port over the store's `bot_cards` table. */
export function cardStore(store: ConversationStore): CardStorePort {
  return {
    create: (card) =>
      store.createCard({
        id: card.id,
        tid: card.tid,
        userOid: card.userOid,
        kind: card.kind,
        request: card.request as unknown as Record<string, unknown> | null,
        createdAt: new Date(card.createdAtMs).toISOString(),
      }),
    async get(tid, id) {
      const r = await store.getCard(tid, id);
      if (!r) return null;
      const card: BotCard = {
        id: r.id,
        tid: r.tid,
        userOid: r.userOid,
        kind: r.kind,
        request: r.request as unknown as ProposalRequest | null,
        createdAtMs: Date.parse(r.createdAt),
        chosenStart: r.chosenStart,
        interviewId: r.interviewId,
      };
      return card;
    },
    choose: (tid, id, start) => store.chooseSlot(tid, id, start),
    setInterview: (tid, id, interviewId) => store.setInterview(tid, id, interviewId),
  };
}
