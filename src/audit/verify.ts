/**
 * Checks the audit chain and says what that check proves and what it cannot. The rows come in seq
 * order from one snapshot, with the head read in the same snapshot.
 */
import { expectedHash, GENESIS_HASH, macHead, type StoredHead, type StoredRow } from './chain.js';
import { type AuditKey, keyFilePath } from './key.js';

export interface AuditProblem {
  /** The row concerned; 0 for the head or the key. */
  seq: number;
  problem: 'changed' | 'missing' | 'broken_link' | 'wrong_key' | 'no_key' | 'unkeyed';
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Rows present in audit_log. */
  rows: number;
  problems: AuditProblem[];
  /** The first keyed row and the key's fingerprint, as the head records them; null when never keyed. */
  keyed: { from: number; at: string | null; keyId: string | null } | null;
  /** What an `ok` verdict establishes, in words. */
  proves: string[];
  cannotProve: string[];
}

const range = (from: number, to: number) => (from === to ? `row ${from}` : `rows ${from}-${to}`);

export function verifyChain(rows: Iterable<StoredRow>, head: StoredHead | undefined, key: AuditKey | undefined, dbFile: string | null): VerifyResult {
  const check = chainChecker(head, key, dbFile);
  for (const r of rows) check.row(r);
  return check.result();
}

/**
 * The same check fed one row at a time, in seq order, for a store that pages asynchronously
 * (PostgreSQL). `dbFile` names where the key file would be; null when the key can only come from the
 * environment (shared state).
 */
export function chainChecker(
  head: StoredHead | undefined,
  key: AuditKey | undefined,
  dbFile: string | null,
): { row(r: StoredRow): void; result(): VerifyResult } {
  const problems: AuditProblem[] = [];
  const keyedFrom = head?.keyedFrom ?? null;
  // Row MACs are checked only with the key the head names: with another key every row would fail,
  // and one "wrong key" says it better than a thousand "changed".
  let macKey: Buffer | undefined;
  if (head && keyedFrom !== null) {
    if (!key) {
      problems.push({
        seq: 0,
        problem: 'no_key',
        message: `the log is keyed from row ${keyedFrom} (key ${head.keyId}) but no audit key is configured: set SWITCHBOARD_AUDIT_KEY${dbFile ? ` or restore ${keyFilePath(dbFile)}` : ''}; only the links between rows were checked`,
      });
    } else if (head.keyId !== key.id) {
      problems.push({
        seq: 0,
        problem: 'wrong_key',
        message: `the log is keyed with key ${head.keyId}, not with the configured key ${key.id} (${key.source}): the wrong key is set, or someone re-keyed the log; row contents were not checked`,
      });
    } else {
      macKey = key.bytes;
      if (head.mac !== macHead(key.bytes, head))
        problems.push({
          seq: 0,
          problem: 'changed',
          message: 'audit_head: its MAC does not match: the head was moved or rewritten by someone without the key',
        });
    }
  } else if (head && key) {
    problems.push({
      seq: 0,
      problem: 'unkeyed',
      message: `audit_head is not keyed although a key is configured (${key.source}): no Switchboard with this key has written to this log yet, or someone rewrote it without the key; rows were checked with the unkeyed scheme only`,
    });
  }

  let count = 0;
  let last = { seq: 0, hash: GENESIS_HASH };
  const row = (r: StoredRow) => {
    count++;
    if (r.seq > last.seq + 1) problems.push({ seq: last.seq + 1, problem: 'missing', message: `${range(last.seq + 1, r.seq - 1)} deleted` });
    // After a gap the link is necessarily broken; the gap already says why.
    else if (r.prevHash !== last.hash) {
      problems.push({
        seq: r.seq,
        problem: 'broken_link',
        message: `row ${r.seq}: prev_hash does not match ${last.seq ? `row ${last.seq}'s hash (row ${last.seq} was replaced)` : 'the genesis hash'}`,
      });
    }
    const keyed = keyedFrom !== null && r.seq >= keyedFrom;
    const expected = keyed && !macKey ? undefined : expectedHash(r, keyedFrom, macKey);
    if (expected !== undefined && expected !== r.hash) {
      problems.push({
        seq: r.seq,
        problem: 'changed',
        message: keyed ? `row ${r.seq}: contents do not match its MAC (changed by someone without the key)` : `row ${r.seq}: contents do not match its hash`,
      });
    }
    last = { seq: r.seq, hash: r.hash };
  };
  const result = (): VerifyResult => {
    if (!head) problems.push({ seq: 0, problem: 'missing', message: 'audit_head is missing: the log cannot be checked for deleted last rows' });
    else if (head.lastSeq > last.seq) {
      problems.push({
        seq: last.seq + 1,
        problem: 'missing',
        message: `${range(last.seq + 1, head.lastSeq)} deleted from the end (head records ${head.lastSeq})`,
      });
    } else if (head.lastSeq < last.seq) {
      problems.push({
        seq: head.lastSeq + 1,
        problem: 'broken_link',
        message: `${range(head.lastSeq + 1, last.seq)} inserted outside the audit log, or the head moved back (head records ${head.lastSeq})`,
      });
    } else if (head.lastHash !== last.hash) {
      problems.push({ seq: last.seq, problem: 'changed', message: `row ${last.seq}: hash differs from the one recorded in the head (row replaced)` });
    }

    const keyedInfo = head && keyedFrom !== null ? { from: keyedFrom, at: head.keyedAt, keyId: head.keyId } : null;
    return { ok: problems.length === 0, rows: count, problems, keyed: keyedInfo, ...claims(keyedInfo, key) };
  };
  return { row, result };
}

/** The words of the verdict; docs/operations.md quotes them. */
function claims(keyed: VerifyResult['keyed'], key: AuditKey | undefined): Pick<VerifyResult, 'proves' | 'cannotProve'> {
  const replaced =
    'that the whole database was not replaced by an older copy, or cut back to an earlier head that someone kept: compare the last seq with a record kept elsewhere';
  if (!keyed || !key) {
    return {
      proves: ['the rows form one unbroken SHA-256 chain that ends at the head: nothing was changed or lost by accident'],
      cannotProve: [
        'that nobody rewrote rows and recomputed the chain: the log is not keyed (any Switchboard started with SWITCHBOARD_AUDIT_KEY or its key file keys it)',
        replaced,
      ],
    };
  }
  const before = keyed.from > 1 ? range(1, keyed.from - 1) : undefined;
  return {
    proves: [
      `no row was changed, inserted or removed since it was written, and the log ends at the head, by anyone without the audit key (key ${keyed.keyId}, ${key.source})`,
      ...(before ? [`${before}, written before keying, are unchanged since the keying${keyed.at ? ` at ${keyed.at}` : ''}`] : []),
    ],
    cannotProve: [
      ...(before ? [`that ${before}, chained without a key, were not rewritten before the keying`] : []),
      replaced,
      'anything against someone who holds the audit key',
    ],
  };
}
