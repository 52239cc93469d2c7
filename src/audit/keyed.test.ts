import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import { loadConfig } from '../config.js';
import { openDb } from '../db/open.js';
import { tempTree, type TempTree } from '../testing/fixtures.js';
import { hashRow, macHead, macRow, type RowBody } from './chain.js';
import { type AuditKey, AuditKeyError, keyId, parseAuditKey, resolveAuditKey } from './key.js';
import { type AuditEntryInput, type AuditLog, openAudit } from './index.js';
import { renderVerify } from './render.js';

const entry = (n: number): AuditEntryInput => ({
  actor: 'slack:U123',
  action: 'create-service',
  event: 'step_succeeded',
  target: 'component:default/foo',
  inputs: { name: `svc-${n}` },
  detail: { step: `step-${n}` },
  workflowId: 'wf-1',
});
const keyOf = (bytes: Buffer, source = 'SWITCHBOARD_AUDIT_KEY'): AuditKey => ({ bytes, id: keyId(bytes), source, created: false });

let tree: TempTree;
let file: string;
let key: AuditKey;
let log: AuditLog;
const open: { close(): void }[] = [];

beforeEach(() => {
  tree = tempTree('switchboard-audit-keyed-');
  file = tree.path('switchboard.db');
  key = keyOf(randomBytes(32));
  log = track(openAudit(file, { key, now: () => new Date('2026-04-01T12:00:00Z') }));
});

afterEach(() => {
  for (const c of open.splice(0)) c.close();
  tree.cleanup();
});

function track<T extends { close(): void }>(x: T): T {
  open.push(x);
  return x;
}

/** A raw connection with the append-only triggers dropped, as someone with write access to the file has. */
function attacker(): Database.Database {
  const { sqlite } = openDb(file);
  track(sqlite);
  sqlite.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete');
  return sqlite;
}

const ROW =
  'SELECT seq, at, actor, action, event, target, inputs, detail, thread, workflow_id AS workflowId, prev_hash AS prevHash FROM audit_log WHERE seq >= ? ORDER BY seq';

/** Edits row `seq`, then recomputes the hash of it and of every later row, and the head, with `hash`. */
function rewriteFrom(db: Database.Database, seq: number, hash: (r: RowBody) => string, headMac?: (h: Record<string, unknown>) => string) {
  const rows = db.prepare(ROW).all(seq) as RowBody[];
  let prev = (db.prepare('SELECT hash FROM audit_log WHERE seq = ?').get(seq - 1) as { hash: string } | undefined)?.hash ?? '0'.repeat(64);
  for (const r of rows) {
    const forged = { ...r, prevHash: prev, ...(r.seq === seq && { inputs: '{"name":"innocent"}' }) };
    prev = hash(forged);
    db.prepare('UPDATE audit_log SET inputs = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(forged.inputs, forged.prevHash, prev, r.seq);
  }
  const head = db.prepare('SELECT id, last_seq AS lastSeq, keyed_from AS keyedFrom, keyed_at AS keyedAt, key_id AS keyId FROM audit_head').get() as Record<
    string,
    unknown
  >;
  db.prepare('UPDATE audit_head SET last_hash = ?, mac = ? WHERE id = 1').run(prev, headMac ? headMac({ ...head, lastHash: prev }) : null);
}

describe('keyed audit chain', () => {
  it('keys every row and the head with HMAC-SHA256, and says what verify proves', async () => {
    for (let i = 1; i <= 3; i++) await log.append(entry(i));
    const result = await log.verify();
    expect(result).toMatchObject({ ok: true, rows: 3, problems: [], keyed: { from: 1, keyId: key.id } });
    const out = renderVerify(result);
    expect(out).toContain(`Keyed from row 1 (2026-04-01T12:00:00.000Z), key ${key.id}.`);
    expect(out).toContain(
      'Proves: no row was changed, inserted or removed since it was written, and the log ends at the head, by anyone without the audit key',
    );
    expect(out).toContain('Cannot prove: that the whole database was not replaced by an older copy');
  });

  it('detects a row changed and the chain recomputed without the key (unkeyed SHA-256)', async () => {
    for (let i = 1; i <= 3; i++) await log.append(entry(i));
    rewriteFrom(attacker(), 2, hashRow);
    const result = await log.verify();
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ seq: 2, problem: 'changed', message: 'row 2: contents do not match its MAC (changed by someone without the key)' }),
      ]),
    );
    expect(result.problems).toContainEqual(
      expect.objectContaining({ seq: 0, problem: 'changed', message: expect.stringContaining('audit_head: its MAC does not match') }),
    );
  });

  it('detects a row changed and the whole chain and head recomputed with another key', async () => {
    for (let i = 1; i <= 3; i++) await log.append(entry(i));
    const other = randomBytes(32);
    const db = attacker();
    rewriteFrom(
      db,
      2,
      (r) => macRow(other, r),
      (h) => macHead(other, h as never),
    );
    // Re-keyed on purpose: the forger's key id goes into the head too.
    db.prepare('UPDATE audit_head SET key_id = ? WHERE id = 1').run(keyId(other));
    const result = await log.verify();
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual(
      expect.objectContaining({
        seq: 0,
        problem: 'wrong_key',
        message: expect.stringContaining(`keyed with key ${keyId(other)}, not with the configured key ${key.id}`),
      }),
    );
  });

  it('detects a row changed with another key while the head still names ours', async () => {
    for (let i = 1; i <= 3; i++) await log.append(entry(i));
    const other = randomBytes(32);
    rewriteFrom(
      attacker(),
      2,
      (r) => macRow(other, r),
      (h) => macHead(other, h as never),
    );
    expect((await log.verify()).problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ seq: 0, problem: 'changed' }),
        expect.objectContaining({ seq: 2, problem: 'changed' }),
        expect.objectContaining({ seq: 3, problem: 'changed' }),
      ]),
    );
  });

  it('detects a deleted tail through the keyed head', async () => {
    for (let i = 1; i <= 4; i++) await log.append(entry(i));
    attacker().prepare('DELETE FROM audit_log WHERE seq >= 3').run();
    expect((await log.verify()).problems).toEqual([
      expect.objectContaining({ seq: 3, problem: 'missing', message: 'rows 3-4 deleted from the end (head records 4)' }),
    ]);
  });

  it('detects a head moved back over deleted rows without the key', async () => {
    for (let i = 1; i <= 4; i++) await log.append(entry(i));
    const db = attacker();
    const row2 = db.prepare('SELECT hash FROM audit_log WHERE seq = 2').get() as { hash: string };
    db.prepare('DELETE FROM audit_log WHERE seq > 2').run();
    db.prepare('UPDATE audit_head SET last_seq = 2, last_hash = ? WHERE id = 1').run(row2.hash);
    expect((await log.verify()).problems).toEqual([
      expect.objectContaining({
        seq: 0,
        problem: 'changed',
        message: 'audit_head: its MAC does not match: the head was moved or rewritten by someone without the key',
      }),
    ]);
  });

  it('detects a kept earlier head put back while the later rows remain', async () => {
    for (let i = 1; i <= 2; i++) await log.append(entry(i));
    const db = attacker();
    const kept = db.prepare('SELECT * FROM audit_head').get() as Record<string, unknown>;
    await log.append(entry(3));
    db.prepare('UPDATE audit_head SET last_seq = ?, last_hash = ?, mac = ? WHERE id = 1').run(kept.last_seq, kept.last_hash, kept.mac);
    expect((await log.verify()).problems).toEqual([
      expect.objectContaining({ seq: 3, problem: 'broken_link', message: expect.stringContaining('or the head moved back (head records 2)') }),
    ]);
  });

  it('cannot tell a cut back to a kept earlier head, as verify says', async () => {
    for (let i = 1; i <= 2; i++) await log.append(entry(i));
    const db = attacker();
    const kept = db.prepare('SELECT * FROM audit_head').get() as Record<string, unknown>;
    await log.append(entry(3));
    db.prepare('DELETE FROM audit_log WHERE seq = 3').run();
    db.prepare('UPDATE audit_head SET last_seq = ?, last_hash = ?, mac = ? WHERE id = 1').run(kept.last_seq, kept.last_hash, kept.mac);
    const result = await log.verify();
    // A consistent earlier state: the documented limit, not a pass by accident.
    expect(result.ok).toBe(true);
    expect(result.cannotProve).toContain(
      'that the whole database was not replaced by an older copy, or cut back to an earlier head that someone kept: compare the last seq with a record kept elsewhere',
    );
  });

  it('reports a wrong key as one clear problem, and refuses to append with it', async () => {
    await log.append(entry(1));
    const wrong = track(openAudit(file, { key: keyOf(randomBytes(32)) }));
    expect((await wrong.verify()).problems).toEqual([expect.objectContaining({ seq: 0, problem: 'wrong_key' })]);
    await expect(wrong.append(entry(2))).rejects.toThrow(AuditKeyError);
    await expect(wrong.append(entry(2))).rejects.toThrow(/keyed with key [0-9a-f]{16}, not with the configured key/);
  });

  it('says a keyed log cannot be checked without its key, and refuses to append unkeyed', async () => {
    await log.append(entry(1));
    const keyless = track(openAudit(file));
    expect((await keyless.verify()).problems).toEqual([expect.objectContaining({ seq: 0, problem: 'no_key' })]);
    await expect(keyless.append(entry(2))).rejects.toThrow(/the audit log is keyed/);
  });

  it('keys an existing unkeyed log from its next row, checking the old rows with the old scheme', async () => {
    log.close();
    const old = track(openAudit(tree.path('old.db')));
    for (let i = 1; i <= 2; i++) old.append(entry(i));
    const upgraded = track(openAudit(tree.path('old.db'), { key }));
    upgraded.append(entry(3));
    const result = await upgraded.verify();
    expect(result).toMatchObject({ ok: true, rows: 3, keyed: { from: 3 } });
    expect(result.proves).toContain('rows 1-2, written before keying, are unchanged since the keying at ' + String(result.keyed?.at));
    expect(result.cannotProve).toContain('that rows 1-2, chained without a key, were not rewritten before the keying');
    // Rewriting an old row and its unkeyed successors is caught by the first keyed row's link.
    rewriteFrom(attacker2(tree.path('old.db')), 1, hashRow);
    expect((await upgraded.verify()).problems).toContainEqual(expect.objectContaining({ seq: 3, problem: 'changed' }));
  });

  it('refuses to key an unkeyed log with rows when its key file already existed (a downgrade)', async () => {
    for (let i = 1; i <= 2; i++) await log.append(entry(i));
    const fileKey = { ...key, source: tree.path('audit.key') };
    const db = attacker();
    rewriteFrom(db, 1, hashRow);
    db.prepare('UPDATE audit_head SET keyed_from = NULL, keyed_at = NULL, key_id = NULL, mac = NULL WHERE id = 1').run();
    const reopened = track(openAudit(file, { key: fileKey }));
    await expect(reopened.append(entry(3))).rejects.toThrow(/not keyed although the key file .* already existed/);
    expect((await reopened.verify()).problems).toEqual([expect.objectContaining({ seq: 0, problem: 'unkeyed' })]);
  });
});

function attacker2(path: string): Database.Database {
  const { sqlite } = openDb(path);
  track(sqlite);
  sqlite.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete');
  return sqlite;
}

describe('audit key', () => {
  it('accepts 32 bytes as hex or base64, and names the rule a short key breaks', async () => {
    const bytes = randomBytes(32);
    expect(parseAuditKey(bytes.toString('hex'))).toEqual(bytes);
    expect(parseAuditKey(bytes.toString('base64'))).toEqual(bytes);
    expect(() => parseAuditKey('abcd')).toThrow(/at least 32 bytes: 64 or more hex digits \(got 4\)/);
    expect(() => parseAuditKey(randomBytes(16).toString('base64'))).toThrow(/decodes to 16/);
    expect(() => parseAuditKey('not a key!')).toThrow(/must be hex or base64/);
  });

  it('creates the key file 0600 beside the database on first start, and reuses it', async () => {
    const db = tree.path('data/switchboard.db');
    openDb(db).sqlite.close();
    expect(resolveAuditKey({ dbFile: db, create: false })).toBeUndefined();
    const made = resolveAuditKey({ dbFile: db, create: true });
    expect(made).toMatchObject({ created: true, source: tree.path('data/audit.key') });
    expect(statSync(tree.path('data/audit.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(tree.path('data/audit.key'), 'utf8').trim()).toHaveLength(64);
    expect(resolveAuditKey({ dbFile: db, create: true })).toMatchObject({ created: false, id: made?.id });
    expect(existsSync(tree.path('data/switchboard.db'))).toBe(true);
  });

  it('refuses a key file others can read', async () => {
    const db = tree.path('switchboard.db');
    writeFileSync(tree.path('audit.key'), randomBytes(32).toString('hex'));
    chmodSync(tree.path('audit.key'), 0o644);
    expect(() => resolveAuditKey({ dbFile: db, create: true })).toThrow(/can be read by others \(mode 0644\): run chmod 600/);
  });

  it('is validated in config, naming the variable and never echoing the value', async () => {
    const hex = randomBytes(32).toString('hex');
    expect(loadConfig({ SWITCHBOARD_AUDIT_KEY: hex }).SWITCHBOARD_AUDIT_KEY).toEqual(Buffer.from(hex, 'hex'));
    expect(() => loadConfig({ SWITCHBOARD_AUDIT_KEY: 'deadbeef' })).toThrow(/SWITCHBOARD_AUDIT_KEY: must be at least 32 bytes/);
    expect(() => loadConfig({ SWITCHBOARD_AUDIT_KEY: 'deadbeef' })).not.toThrow(/deadbeef/);
  });

  it('prefers SWITCHBOARD_AUDIT_KEY to the key file', async () => {
    const bytes = randomBytes(32);
    expect(resolveAuditKey({ configured: bytes, dbFile: tree.path('x.db'), create: true })).toMatchObject({
      source: 'SWITCHBOARD_AUDIT_KEY',
      id: keyId(bytes),
    });
    expect(existsSync(tree.path('audit.key'))).toBe(false);
  });
});
