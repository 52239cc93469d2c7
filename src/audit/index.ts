/**
 * The audit trail of self-service actions, on the same SQLite file as the catalog and bot state.
 * Callers append each request, decision, step and outcome BEFORE its side effect, so an action that
 * could not be recorded does not happen. Rows form a hash chain (each hash covers the previous hash),
 * and a one-row head records the last seq and hash, so verify() detects a changed, removed or
 * trailing-deleted row even by someone who dropped the append-only triggers.
 */
import { createHash } from 'node:crypto';
import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import { openDb } from '../db/open.js';
import { redact } from './redact.js';
import { AUDIT_EVENTS, type AuditEvent, auditHead, auditLog } from './schema.js';

export { redact } from './redact.js';
export { AUDIT_EVENTS, type AuditEvent } from './schema.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntryInput {
  /** `slack:U123`, `user:default/alice`, `system`. */
  actor: string;
  /** `create-service`, ... */
  action: string;
  event: AuditEvent;
  /** `component:default/foo`, or a workflow id. */
  target?: string | null;
  /** Redacted, then stored as JSON. */
  inputs?: unknown;
  /** Decision reason, step name, error...; redacted, then stored as JSON. */
  detail?: unknown;
  /** `slack:C1:1712.0001`. */
  thread?: string | null;
  workflowId?: string | null;
}

export interface AuditRow {
  seq: number;
  /** ISO 8601, UTC. */
  at: string;
  actor: string;
  action: string;
  event: AuditEvent;
  target: string | null;
  inputs: unknown;
  detail: unknown;
  thread: string | null;
  workflowId: string | null;
  prevHash: string;
  hash: string;
}

export interface AuditProblem {
  /** The row concerned; 0 when the head itself is missing. */
  seq: number;
  problem: 'changed' | 'missing' | 'broken_link';
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Rows present in audit_log. */
  rows: number;
  problems: AuditProblem[];
}

export interface AuditListOptions {
  workflowId?: string;
  /** Rows with seq greater than this (paging). */
  after?: number;
  limit?: number;
}

export interface AuditLog {
  append(entry: AuditEntryInput): AuditRow;
  /** In seq order. */
  list(opts?: AuditListOptions): AuditRow[];
  verify(): VerifyResult;
  close(): void;
}

type Stored = typeof auditLog.$inferSelect;

/**
 * sha256(prev_hash + canonical JSON). The canonical JSON names the columns as SQLite does, in sorted
 * order, with inputs and detail as their stored text, so anyone can recompute it from the table.
 */
export function hashRow(r: Omit<Stored, 'hash'>): string {
  const canonical = JSON.stringify({
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
  return createHash('sha256').update(r.prevHash + canonical).digest('hex');
}

export function openAudit(file: string, now: () => Date = () => new Date()): AuditLog {
  const { sqlite, orm } = openDb(file);
  const readHead = () => orm.select().from(auditHead).where(eq(auditHead.id, 1)).get();

  // IMMEDIATE takes the write lock before reading the head: a second process waits (busy_timeout)
  // instead of reading the same head and forking the chain, or failing on a stale snapshot.
  const appendTx = sqlite.transaction((entry: AuditEntryInput): Stored => {
    const head = readHead();
    // seq and prev_hash come from the head, not from the table's last row: appending after a deleted
    // last row then leaves a visible gap instead of silently reusing its seq.
    if (!head) throw new Error('audit_head is missing: the audit log was tampered with (run switchboard audit --verify)');
    const body = {
      seq: head.lastSeq + 1,
      at: now().toISOString(),
      actor: entry.actor,
      action: entry.action,
      event: entry.event,
      target: entry.target ?? null,
      inputs: JSON.stringify(redact(entry.inputs ?? {})),
      detail: JSON.stringify(redact(entry.detail ?? {})),
      thread: entry.thread ?? null,
      workflowId: entry.workflowId ?? null,
      prevHash: head.lastHash,
    };
    const row = { ...body, hash: hashRow(body) };
    orm.insert(auditLog).values(row).run();
    orm.update(auditHead).set({ lastSeq: row.seq, lastHash: row.hash }).where(eq(auditHead.id, 1)).run();
    return row;
  });

  // In pages, so verifying a long log does not hold it all in memory.
  function* pages(): Generator<Stored> {
    const size = 1000;
    // Not from 0: a row an attacker inserted with seq <= 0 must be seen too.
    let after = Number.MIN_SAFE_INTEGER;
    for (;;) {
      const page = orm.select().from(auditLog).where(gt(auditLog.seq, after)).orderBy(asc(auditLog.seq)).limit(size).all();
      yield* page;
      const tail = page.at(-1);
      if (!tail || page.length < size) return;
      after = tail.seq;
    }
  }

  // A plain (deferred) transaction: the rows and the head are read from one snapshot.
  const verifyTx = sqlite.transaction((): VerifyResult => {
    const problems: AuditProblem[] = [];
    let rows = 0;
    let last = { seq: 0, hash: GENESIS_HASH };
    for (const r of pages()) {
      rows++;
      const gap = r.seq > last.seq + 1;
      if (gap) problems.push({ seq: last.seq + 1, problem: 'missing', message: `${range(last.seq + 1, r.seq - 1)} deleted` });
      // After a gap the link is necessarily broken; the gap already says why.
      else if (r.prevHash !== last.hash) {
        problems.push({ seq: r.seq, problem: 'broken_link', message: `row ${r.seq}: prev_hash does not match ${last.seq ? `row ${last.seq}'s hash (row ${last.seq} was replaced)` : 'the genesis hash'}` });
      }
      if (hashRow(r) !== r.hash) problems.push({ seq: r.seq, problem: 'changed', message: `row ${r.seq}: contents do not match its hash` });
      last = { seq: r.seq, hash: r.hash };
    }
    const head = readHead();
    if (!head) problems.push({ seq: 0, problem: 'missing', message: 'audit_head is missing: the log cannot be checked for deleted last rows' });
    else if (head.lastSeq > last.seq) {
      problems.push({ seq: last.seq + 1, problem: 'missing', message: `${range(last.seq + 1, head.lastSeq)} deleted from the end (head records ${head.lastSeq})` });
    } else if (head.lastSeq < last.seq) {
      problems.push({ seq: head.lastSeq + 1, problem: 'broken_link', message: `${range(head.lastSeq + 1, last.seq)} inserted outside the audit log (head records ${head.lastSeq})` });
    } else if (head.lastHash !== last.hash) {
      problems.push({ seq: last.seq, problem: 'changed', message: `row ${last.seq}: hash differs from the one recorded in the head (row replaced)` });
    }
    return { ok: problems.length === 0, rows, problems };
  });

  return {
    append(entry) {
      if (!(AUDIT_EVENTS as readonly string[]).includes(entry.event)) throw new Error(`unknown audit event "${String(entry.event)}"`);
      if (!entry.actor || !entry.action) throw new Error('an audit entry needs an actor and an action');
      return toRow(appendTx.immediate(entry));
    },
    list(opts = {}) {
      const where: SQL[] = [];
      if (opts.workflowId !== undefined) where.push(eq(auditLog.workflowId, opts.workflowId));
      if (opts.after !== undefined) where.push(gt(auditLog.seq, opts.after));
      const q = orm.select().from(auditLog).where(and(...where)).orderBy(asc(auditLog.seq));
      return (opts.limit !== undefined ? q.limit(opts.limit) : q).all().map(toRow);
    },
    verify: () => verifyTx(),
    close: () => sqlite.close(),
  };
}

const range = (from: number, to: number) => (from === to ? `row ${from}` : `rows ${from}-${to}`);

function toRow(r: Stored): AuditRow {
  return { ...r, inputs: parse(r.inputs), detail: parse(r.detail) };
}

/** Tampered text that is no longer JSON is shown as it is rather than hiding the whole list. */
function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
