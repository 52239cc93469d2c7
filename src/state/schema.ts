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
