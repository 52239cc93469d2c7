/**
 * The audit trail of self-service actions, on the same SQLite file as the catalog and bot state.
 * Callers append each request, decision, step and outcome BEFORE its side effect, so an action that
 * could not be recorded does not happen. Rows form a chain (each hash covers the previous hash), and a
 * one-row head records the last seq and hash, so verify() detects a changed, removed or
 * trailing-deleted row even by someone who dropped the append-only triggers. With the audit key the
 * chain and the head are HMACs, so rewriting rows and recomputing the chain needs the key too.
 */
import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import { openDb } from '../db/open.js';
import { expectedHash, macHead, type StoredHead, type StoredRow } from './chain.js';
import { type AuditKey, AuditKeyError } from './key.js';
import { redact } from './redact.js';
import { AUDIT_EVENTS, type AuditEvent, auditHead, auditLog } from './schema.js';
import { type VerifyResult, verifyChain } from './verify.js';

export { redact, redactText } from './redact.js';
export { AUDIT_EVENTS, type AuditEvent } from './schema.js';
export { GENESIS_HASH, hashRow, macRow } from './chain.js';
export { type AuditKey, AuditKeyError, resolveAuditKey } from './key.js';
export type { AuditProblem, VerifyResult } from './verify.js';

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

export interface AuditListOptions {
  workflowId?: string;
  /** Rows with seq greater than this (paging). */
  after?: number;
  limit?: number;
}

export interface AuditLog {
  append(entry: AuditEntryInput): Promise<AuditRow>;
  /** In seq order. */
  list(opts?: AuditListOptions): Promise<AuditRow[]>;
  verify(): Promise<VerifyResult>;
  close(): void;
}

export interface AuditOptions {
  /** Without it the chain stays unkeyed, and a keyed chain can be listed and checked but not appended to. */
  key?: AuditKey;
  /** Key an unkeyed log at open (default true). `audit --verify` passes false: checking changes nothing. */
  seal?: boolean;
  now?: () => Date;
}

/**
 * What both stores (SQLite here, PostgreSQL in ./postgres.ts) share: the rules for the head and the
 * next row. Each store reads the head and writes the result inside its own write-locked transaction.
 */
export function auditRules(key: AuditKey | undefined, now: () => Date) {
  /**
   * The head to append after, keyed when a key is given (the first keyed row is the next one; the rows
   * before it keep their unkeyed hashes and are sealed by the head's MAC now, and by the first keyed
   * row's link later); refuses a key that does not match the chain's.
   */
  const writableHead = (head: StoredHead | undefined): StoredHead => {
    if (!head) throw new Error('audit_head is missing: the audit log was tampered with (run switchboard audit --verify)');
    if (head.keyedFrom === null) {
      if (!key) return head;
      // A key file that existed before this start means this log was keyed by it: an unkeyed head
      // with rows is a rewrite, not an old log, and keying it now would bless the rewrite.
      if (!key.created && key.source !== 'SWITCHBOARD_AUDIT_KEY' && head.lastSeq > 0) {
        throw new AuditKeyError(
          'AUDIT_KEY_MISMATCH',
          `audit_head is not keyed although the key file ${key.source} already existed: the log was rewritten without the key; run switchboard audit --verify`,
        );
      }
      const keyed = { ...head, keyedFrom: head.lastSeq + 1, keyedAt: now().toISOString(), keyId: key.id };
      return { ...keyed, mac: macHead(key.bytes, keyed) };
    }
    if (!key)
      throw new AuditKeyError(
        'AUDIT_KEY_MISSING',
        `the audit log is keyed (key ${head.keyId}): set SWITCHBOARD_AUDIT_KEY or restore the audit.key file beside the database to append to it`,
      );
    if (head.keyId !== key.id)
      throw new AuditKeyError(
        'AUDIT_KEY_MISMATCH',
        `the audit log is keyed with key ${head.keyId}, not with the configured key ${key.id} (${key.source}); run switchboard audit --verify`,
      );
    return head;
  };

  return {
    writableHead,
    /** The row to insert after `stored` and the head to write with it. */
    next(stored: StoredHead | undefined, entry: AuditEntryInput): { row: StoredRow; head: StoredHead } {
      if (!(AUDIT_EVENTS as readonly string[]).includes(entry.event)) throw new Error(`unknown audit event "${String(entry.event)}"`);
      if (!entry.actor || !entry.action) throw new Error('an audit entry needs an actor and an action');
      const head = writableHead(stored);
      // seq and prev_hash come from the head, not from the table's last row: appending after a deleted
      // last row then leaves a visible gap instead of silently reusing its seq.
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
      const row = { ...body, hash: expectedHash(body, head.keyedFrom, key?.bytes) as string };
      const next = { ...head, lastSeq: row.seq, lastHash: row.hash };
      return { row, head: key && next.keyedFrom !== null ? { ...next, mac: macHead(key.bytes, next) } : next };
    },
  };
}

export function resolveAuditOptions(opts: AuditOptions | (() => Date)) {
  const { key, seal = true, now = () => new Date() } = typeof opts === 'function' ? { now: opts } : opts;
  return { key, seal, now };
}

/** The SQLite audit log; `opts` as a function is the clock alone (the older signature). */
export function openAudit(file: string, opts: AuditOptions | (() => Date) = {}): AuditLog {
  const { key, seal: sealAtOpen, now } = resolveAuditOptions(opts);
  const rules = auditRules(key, now);
  const { sqlite, orm } = openDb(file);
  const readHead = () => orm.select().from(auditHead).where(eq(auditHead.id, 1)).get();
  const writeHead = (head: StoredHead) => {
    const { id: _id, ...rest } = head;
    orm.update(auditHead).set(rest).where(eq(auditHead.id, 1)).run();
  };

  // IMMEDIATE takes the write lock before reading the head: a second process waits (busy_timeout)
  // instead of reading the same head and forking the chain, or failing on a stale snapshot.
  const appendTx = sqlite.transaction((entry: AuditEntryInput): StoredRow => {
    const { row, head } = rules.next(readHead(), entry);
    orm.insert(auditLog).values(row).run();
    writeHead(head);
    return row;
  });
  // Keyed at open, so an idle log is sealed too, not only from its next row.
  if (key && sealAtOpen) {
    try {
      sqlite
        .transaction(() => {
          const head = readHead();
          const sealed = rules.writableHead(head);
          if (sealed !== head) writeHead(sealed);
        })
        .immediate();
    } catch (err) {
      // A key that does not fit is reported by every append and by verify; listing still works.
      if (!(err instanceof AuditKeyError)) throw err;
    }
  }

  // In pages, so verifying a long log does not hold it all in memory.
  function* pages(): Generator<StoredRow> {
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
  const verifyTx = sqlite.transaction((): VerifyResult => verifyChain(pages(), readHead(), key, file));

  return {
    append: async (entry) => toRow(appendTx.immediate(entry)),
    async list(opts = {}) {
      return orm
        .select()
        .from(auditLog)
        .where(listFilter(opts))
        .orderBy(asc(auditLog.seq))
        .limit(opts.limit ?? -1)
        .all()
        .map(toRow);
    },
    verify: async () => verifyTx(),
    close: () => sqlite.close(),
  };
}

function listFilter(opts: AuditListOptions): SQL | undefined {
  const where: SQL[] = [];
  if (opts.workflowId !== undefined) where.push(eq(auditLog.workflowId, opts.workflowId));
  if (opts.after !== undefined) where.push(gt(auditLog.seq, opts.after));
  return and(...where);
}

export function toRow(r: StoredRow): AuditRow {
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
