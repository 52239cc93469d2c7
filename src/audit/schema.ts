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
  // No approver could be asked (no chat account, the DM failed): the request ended at once.
  'unreachable',
  // Paging the on-call (src/paging): asked (before it leaves), then sent or refused by the provider.
  'page_requested',
  'paged',
  'page_failed',
  // "Still yours?" (src/attestation): an owner confirmed an entity, or said it is not theirs.
  'attested',
  'disowned',
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
 * the last rows of audit_log leaves no gap, so only the head tells that they existed. Once keyed, the
 * head carries its own MAC.
 */
export const auditHead = sqliteTable(
  'audit_head',
  {
    id: integer('id').primaryKey(),
    lastSeq: integer('last_seq').notNull(),
    lastHash: text('last_hash').notNull(),
    // Set once, when a key first seals the chain: rows from keyed_from on are HMAC-SHA256 with that key,
    // rows before it keep the unkeyed SHA-256 they were written with. Null: never keyed.
    keyedFrom: integer('keyed_from'),
    keyedAt: text('keyed_at'),
    /** The key's fingerprint (not the key), so a wrong key is told apart from tampered rows. */
    keyId: text('key_id'),
    /** HMAC of the head's other columns: moving the head needs the key. */
    mac: text('mac'),
  },
  (t) => [check('audit_head_single_row', sql`${t.id} = 1`)],
);
