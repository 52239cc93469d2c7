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

/**
 * What an owning team last said of an entity when asked "Still yours?" (one row per entity, the latest
 * answer wins; the audit log keeps every answer). `ownerRef` is the owner the team confirmed or
 * disowned: once the catalog names another owner, the row no longer verifies the entity.
 */
export const attestations = sqliteTable('attestations', {
  entityRef: text('entity_ref').primaryKey(),
  ownerRef: text('owner_ref').notNull(),
  /** `confirmed` or `disowned`. */
  verdict: text('verdict').notNull(),
  /** Who answered: their catalog user ref where known, else the chat account (`slack:U123`). */
  byRef: text('by_ref').notNull(),
  byName: text('by_name'),
  at: integer('at').notNull(),
  /** Not ours: the team they named instead. */
  proposedOwner: text('proposed_owner'),
  /** Not ours: the change opened (a pull request or pushed branch URL); null while it is a pending claim. */
  change: text('change'),
});

/** One "Still yours?" ask: a team, in one round (`2026-Q4`), what it was asked about and where. */
export const attestationAsks = sqliteTable(
  'attestation_asks',
  {
    round: text('round').notNull(),
    teamRef: text('team_ref').notNull(),
    /** JSON array of the entity refs asked about. */
    entities: text('entities').notNull(),
    /** JSON array of the message refs the ask was posted as (a channel message, or members' DMs). */
    messages: text('messages').notNull(),
    askedAt: integer('asked_at').notNull(),
    remindedAt: integer('reminded_at'),
  },
  (t) => [primaryKey({ columns: [t.round, t.teamRef] })],
);

/**
 * The weekly digest's posts, one row per team, week (`2026-W49`) and channel: claimed before the post
 * (message null), settled with the message after, so a retried run posts to each channel once.
 */
export const digestPosts = sqliteTable(
  'digest_posts',
  {
    teamRef: text('team_ref').notNull(),
    week: text('week').notNull(),
    /** The channel posted to: `slack:C0123ABCD`, `teams:19:…@thread.tacv2`. */
    channel: text('channel').notNull(),
    /** The message ref; null while claimed and not yet posted. */
    message: text('message'),
    claimedAt: integer('claimed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamRef, t.week, t.channel] })],
);

/** Questions people asked and what they found, for the health report's gaps and the weekly digest. */
export const questions = sqliteTable(
  'questions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    /** What was asked, trimmed and lower-cased. */
    query: text('query').notNull(),
    /** `found`, `ambiguous` or `not_found`. */
    status: text('status').notNull(),
    /** The entity answered about, when found. */
    entityRef: text('entity_ref'),
    /** `slack`, `teams`, `shell`, `cli`. */
    platform: text('platform').notNull(),
  },
  (t) => [index('questions_at').on(t.at), index('questions_entity').on(t.entityRef, t.at)],
);
