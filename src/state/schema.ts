/** Bot state that must survive a restart: deliveries already handled, incident cards already posted. */
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Platform deliveries (Slack event ids, ...) already handled: a retry or duplicate is dropped. */
export const deliveries = sqliteTable('deliveries', {
  key: text('key').primaryKey(),
  seenAt: integer('seen_at').notNull(),
});

/** One row per (conversation, entity) card posted into an incident conversation. */
export const incidentPosts = sqliteTable(
  'incident_posts',
  {
    conversation: text('conversation').notNull(),
    entityRef: text('entity_ref').notNull(),
    messageId: text('message_id'),
    postedAt: integer('posted_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.conversation, t.entityRef] })],
);

/**
 * Results of self-service steps that finished, by `<workflow id>/<step>`: when a worker dies after a
 * step's side effect but before Temporal heard of it, the retried activity returns the recorded result
 * instead of doing the step again.
 */
export const stepJournal = sqliteTable('step_journal', {
  key: text('key').primaryKey(),
  result: text('result').notNull(),
  finishedAt: integer('finished_at').notNull(),
});

/**
 * Conversations a chat surface was told about (Teams: install, first message), with what it needs to
 * post there later: the Bot Framework service URL and tenant. Keyed by conversation ref (threads.ts).
 */
export const chatConversations = sqliteTable('chat_conversations', {
  ref: text('ref').primaryKey(),
  serviceUrl: text('service_url').notNull(),
  tenantId: text('tenant_id'),
  /** `personal`, `channel`, `groupChat`. */
  kind: text('kind').notNull(),
  /** A channel's name, when Teams said it (channel created or renamed, the team's channel list). */
  name: text('name'),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * People a chat surface has seen, by their verified account (Teams: the Entra object id), with their
 * per-app chat id, the e-mail the platform reported and their 1:1 conversation with the bot once known.
 */
export const chatAccounts = sqliteTable(
  'chat_accounts',
  {
    platform: text('platform').notNull(),
    account: text('account').notNull(),
    chatUserId: text('chat_user_id').notNull(),
    email: text('email'),
    name: text('name'),
    tenantId: text('tenant_id'),
    serviceUrl: text('service_url').notNull(),
    /** The 1:1 conversation's id, once one exists. */
    personal: text('personal'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.account] }), index('chat_accounts_email').on(t.platform, t.email)],
);

/**
 * Descriptors self-service registered (register-catalog, record-resource), by path under the registry:
 * in the shared state, so every replica's catalog takes them in (app.ts writes them into its own
 * registry folder before each ingest), whichever worker ran the step.
 */
export const registeredDescriptors = sqliteTable('registered_descriptors', {
  path: text('path').primaryKey(),
  content: text('content').notNull(),
  updatedAt: integer('updated_at').notNull(),
});
