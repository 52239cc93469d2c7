/**
 * The audit trail of self-service actions. Rows are only ever appended (triggers in
 * drizzle/*_audit_append_only.sql refuse UPDATE and DELETE); each carries the hash of the one before.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const AUDIT_EVENTS = [
  'requested',
  'approved',
  'rejected',
  'expired',
  'reminded',
  'escalated',
  'step_started',
  'step_succeeded',
  'step_failed',
  'compensated',
  'completed',
  'failed',
  'refused',
  'break_glass',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

export const auditLog = sqliteTable(
  'audit_log',
  {
    // Assigned by append() as last + 1, never by SQLite: a gap means a deleted row.
    seq: integer('seq').primaryKey(),
    at: text('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    // A plain string column: adding an event must not need a table rebuild; append() validates it.
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

/**
 * The chain's head (last seq and its hash), one row, updated in the append's transaction: deleting
 * the last rows of audit_log leaves no gap, so only the head tells that they existed.
 */
export const auditHead = sqliteTable(
  'audit_head',
  {
    id: integer('id').primaryKey(),
    lastSeq: integer('last_seq').notNull(),
    lastHash: text('last_hash').notNull(),
  },
  (t) => [check('audit_head_single_row', sql`${t.id} = 1`)],
);
