/** Bot state that must survive a restart: deliveries already handled, incident cards already posted. */
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

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
