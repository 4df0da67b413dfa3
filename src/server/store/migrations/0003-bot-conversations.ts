/**
 * Migration 3 (issue 5, the Teams bot): conversation references for proactive messages, and the
 * cards the bot sent.
 *
 * `conversation_references`: one row per tenant and user (the latest conversation the user
 * talked to the bot in), so a later job can tell a coordinator, for example, that an interviewer
 * declined. The reference is Bot Framework's routing data (service URL, conversation, bot and
 * user ids); never message text.
 *
 * `bot_cards`: every card with buttons the bot sent, bound to the tenant and user it was sent to,
 * so a button pressed by someone else (another user, another tenant) is refused, an old card
 * expires, and a double click books once (`chosen_start` is set once per card). `request` holds
 * what the coordinator asked for (candidate, panel addresses, duration): never calendar data.
 *
 * Both are tenant-scoped: offboarding and "delete my data" delete them (`TENANT_SCOPED_TABLES`).
 */
import type { Migration } from './migration';

export const botConversations: Migration = {
  version: 3,
  name: 'bot-conversations',
  statements: [
    `CREATE TABLE conversation_references (
      tid        text NOT NULL,
      user_oid   text NOT NULL,
      reference  jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tid, user_oid)
    )`,
    `CREATE TABLE bot_cards (
      id           uuid PRIMARY KEY,
      tid          text NOT NULL,
      user_oid     text NOT NULL,
      kind         text NOT NULL CHECK (kind IN ('proposals', 'form', 'interviews')),
      request      jsonb,
      created_at   timestamptz NOT NULL,
      chosen_start timestamptz,
      interview_id uuid
    )`,
    `CREATE INDEX bot_cards_user_idx ON bot_cards (tid, user_oid)`,
    `CREATE INDEX bot_cards_created_idx ON bot_cards (created_at)`,
  ],
};
