/**
 * The shared state's tables for PostgreSQL (SWITCHBOARD_STATE_URL): the same tables, columns, keys and
 * indexes as the SQLite ones in src/state/schema.ts, src/audit/schema.ts and src/deployments/schema.ts,
 * in PostgreSQL's types. schema-parity.test.ts fails when the two drift apart, and drizzle-kit generates
 * each dialect's migrations from its file (drizzle.config.ts, drizzle.pg.config.ts). Times are epoch
 * milliseconds in both (bigint here), so rows read the same from either store.
 */
import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, primaryKey, serial, text } from 'drizzle-orm/pg-core';
import type { AuditEvent } from '../audit/schema.js';

const ms = (name: string) => bigint(name, { mode: 'number' });

export const deliveries = pgTable('deliveries', {
  key: text('key').primaryKey(),
  seenAt: ms('seen_at').notNull(),
});

export const incidentPosts = pgTable(
  'incident_posts',
  {
    conversation: text('conversation').notNull(),
    entityRef: text('entity_ref').notNull(),
    messageId: text('message_id'),
    postedAt: ms('posted_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.conversation, t.entityRef] })],
);

export const stepJournal = pgTable('step_journal', {
  key: text('key').primaryKey(),
  result: text('result').notNull(),
  finishedAt: ms('finished_at').notNull(),
});

export const chatConversations = pgTable('chat_conversations', {
  ref: text('ref').primaryKey(),
  serviceUrl: text('service_url').notNull(),
  tenantId: text('tenant_id'),
  kind: text('kind').notNull(),
  name: text('name'),
  updatedAt: ms('updated_at').notNull(),
});

export const chatAccounts = pgTable(
  'chat_accounts',
  {
    platform: text('platform').notNull(),
    account: text('account').notNull(),
    chatUserId: text('chat_user_id').notNull(),
    email: text('email'),
    name: text('name'),
    tenantId: text('tenant_id'),
    serviceUrl: text('service_url').notNull(),
    personal: text('personal'),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.account] }), index('chat_accounts_email').on(t.platform, t.email)],
);

export const registeredDescriptors = pgTable('registered_descriptors', {
  path: text('path').primaryKey(),
  content: text('content').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

export const attestations = pgTable('attestations', {
  entityRef: text('entity_ref').primaryKey(),
  ownerRef: text('owner_ref').notNull(),
  verdict: text('verdict').notNull(),
  byRef: text('by_ref').notNull(),
  byName: text('by_name'),
  at: ms('at').notNull(),
  proposedOwner: text('proposed_owner'),
  change: text('change'),
});

export const attestationAsks = pgTable(
  'attestation_asks',
  {
    round: text('round').notNull(),
    teamRef: text('team_ref').notNull(),
    entities: text('entities').notNull(),
    messages: text('messages').notNull(),
    askedAt: ms('asked_at').notNull(),
    remindedAt: ms('reminded_at'),
  },
  (t) => [primaryKey({ columns: [t.round, t.teamRef] })],
);

export const digestPosts = pgTable(
  'digest_posts',
  {
    teamRef: text('team_ref').notNull(),
    week: text('week').notNull(),
    channel: text('channel').notNull(),
    message: text('message'),
    claimedAt: ms('claimed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamRef, t.week, t.channel] })],
);

export const questions = pgTable(
  'questions',
  {
    id: serial('id').primaryKey(),
    at: ms('at').notNull(),
    query: text('query').notNull(),
    status: text('status').notNull(),
    entityRef: text('entity_ref'),
    platform: text('platform').notNull(),
  },
  (t) => [index('questions_at').on(t.at), index('questions_entity').on(t.entityRef, t.at)],
);

export const auditLog = pgTable(
  'audit_log',
  {
    seq: integer('seq').primaryKey(),
    at: text('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    event: text('event').$type<AuditEvent>().notNull(),
    target: text('target'),
    inputs: text('inputs').notNull(),
    detail: text('detail').notNull(),
    thread: text('thread'),
    workflowId: text('workflow_id'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('audit_log_workflow').on(t.workflowId, t.seq)],
);

export const auditHead = pgTable(
  'audit_head',
  {
    id: integer('id').primaryKey(),
    lastSeq: integer('last_seq').notNull(),
    lastHash: text('last_hash').notNull(),
    keyedFrom: integer('keyed_from'),
    keyedAt: text('keyed_at'),
    keyId: text('key_id'),
    mac: text('mac'),
  },
  (t) => [check('audit_head_single_row', sql`${t.id} = 1`)],
);

export const deployments = pgTable(
  'deployments',
  {
    id: serial('id').primaryKey(),
    serviceRef: text('service_ref').notNull(),
    version: text('version').notNull(),
    environment: text('environment').notNull(),
    commit: text('commit'),
    url: text('url'),
    status: text('status', { enum: ['succeeded', 'failed'] }).notNull(),
    at: ms('at').notNull(),
  },
  (t) => [index('deployments_service_env').on(t.serviceRef, t.environment, t.at)],
);
