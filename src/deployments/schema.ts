/** Deploys recorded by CI through POST /api/deployments; rollbacks pick their target from here. */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const deployments = sqliteTable(
  'deployments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Canonical ref of the deployed component. */
    serviceRef: text('service_ref').notNull(),
    version: text('version').notNull(),
    environment: text('environment').notNull(),
    commit: text('commit'),
    url: text('url'),
    status: text('status', { enum: ['succeeded', 'failed'] }).notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('deployments_service_env').on(t.serviceRef, t.environment, t.at)],
);
