/**
 * How a row's hash and the head's MAC are computed. Rows written before the chain was keyed keep the
 * unkeyed SHA-256 (anyone can recompute it, so it shows accidents, not an attacker); rows from the
 * keying on are HMAC-SHA256 under the audit key, which is never in the database.
 */
import { createHash, createHmac } from 'node:crypto';
import type { auditHead, auditLog } from './schema.js';

export const GENESIS_HASH = '0'.repeat(64);

export type StoredRow = typeof auditLog.$inferSelect;
export type StoredHead = typeof auditHead.$inferSelect;
export type RowBody = Omit<StoredRow, 'hash'>;

/**
 * The canonical JSON names the columns as SQLite does, in sorted order, with inputs and detail as
 * their stored text, so anyone with the key (or, unkeyed, anyone) can recompute it from the table.
 */
function canonical(r: RowBody): string {
  return JSON.stringify({
    action: r.action,
    actor: r.actor,
    at: r.at,
    detail: r.detail,
    event: r.event,
    inputs: r.inputs,
    prev_hash: r.prevHash,
    seq: r.seq,
    target: r.target,
    thread: r.thread,
    workflow_id: r.workflowId,
  });
}

/** The unkeyed scheme of rows written before keying: sha256(prev_hash + canonical JSON). */
export function hashRow(r: RowBody): string {
  return createHash('sha256')
    .update(r.prevHash + canonical(r))
    .digest('hex');
}

/** The keyed scheme: HMAC-SHA256(key, prev_hash + canonical JSON). */
export function macRow(key: Buffer, r: RowBody): string {
  return createHmac('sha256', key)
    .update(r.prevHash + canonical(r))
    .digest('hex');
}

/** The head's MAC covers every column but itself, so neither its position nor its keying can be moved. */
export function macHead(key: Buffer, h: Omit<StoredHead, 'mac'>): string {
  const text = JSON.stringify({ id: h.id, key_id: h.keyId, keyed_at: h.keyedAt, keyed_from: h.keyedFrom, last_hash: h.lastHash, last_seq: h.lastSeq });
  return createHmac('sha256', key).update(`head:${text}`).digest('hex');
}

/** The hash a row must carry, by the scheme its position calls for. */
export function expectedHash(r: RowBody, keyedFrom: number | null, key: Buffer | undefined): string | undefined {
  if (keyedFrom === null || r.seq < keyedFrom) return hashRow(r);
  return key ? macRow(key, r) : undefined;
}
