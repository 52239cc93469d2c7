import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb } from '../db/open.js';
import { tempTree, type TempTree } from '../testing/fixtures.js';
import { type AuditEntryInput, type AuditLog, GENESIS_HASH, hashRow, openAudit, redact } from './index.js';
import { renderAudit, renderVerify } from './render.js';

const entry = (n: number, extra: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
  actor: 'slack:U123',
  action: 'create-service',
  event: 'step_succeeded',
  target: 'component:default/foo',
  inputs: { name: `svc-${n}` },
  detail: { step: `step-${n}` },
  thread: 'slack:C1:1712.0001',
  workflowId: 'wf-1',
  ...extra,
});

let tree: TempTree;
let file: string;
let log: AuditLog;
const open: { close(): void }[] = [];

beforeEach(() => {
  tree = tempTree('switchboard-audit-');
  file = tree.path('switchboard.db');
  log = openAudit(file, () => new Date('2026-04-01T12:00:00Z'));
  open.push(log);
});

afterEach(() => {
  for (const c of open.splice(0)) c.close();
  tree.cleanup();
});

/** A raw connection, as someone with write access to the file would have. */
function attacker() {
  const { sqlite } = openDb(file);
  open.push(sqlite);
  return sqlite;
}

async function appendMany(n: number) {
  for (let i = 1; i <= n; i++) await log.append(entry(i));
}

describe('audit log (unkeyed chain, as written before the audit key)', () => {
  it('chains each row to the previous one', async () => {
    const first = await log.append(entry(1, { event: 'requested' }));
    const second = await log.append(entry(2, { event: 'approved' }));
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, at: '2026-04-01T12:00:00.000Z' });
    expect(second.seq).toBe(2);
    expect(second.prevHash).toBe(first.hash);
    expect((await log.list()).map((r) => r.hash)).toEqual([first.hash, second.hash]);
  });

  it('redacts secrets in inputs and detail, by key and by value', async () => {
    const row = await log.append(
      entry(1, {
        inputs: { name: 'foo', config: { apiKey: 'k1', nested: [{ db_password: 'p' }] }, note: 'use xoxb-1234-5678-abcdef please' },
        detail: { error: 'GitHub said 401 for ghp_abcdefghijklmnopqrstuvwxyz0123456789', headers: { Authorization: 'Bearer abc' } },
      }),
    );
    const expected = {
      inputs: { name: 'foo', config: { apiKey: '[redacted]', nested: [{ db_password: '[redacted]' }] }, note: 'use [redacted] please' },
      detail: { error: 'GitHub said 401 for [redacted]', headers: { Authorization: '[redacted]' } },
    };
    expect(row).toMatchObject(expected);
    expect((await log.list())[0]).toMatchObject(expected);
  });

  it('redacts credential-looking strings of every known shape', async () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----';
    const values = [
      'xapp-1-A0-123-abc',
      'github_pat_11ABCDEFG0_abcdef',
      'glpat-abcdefghij0123456789',
      'AKIAIOSFODNN7EXAMPLE',
      pem,
      'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x',
    ];
    expect(redact(values)).toEqual(values.map(() => '[redacted]'));
    expect(redact({ text: 'the bearer of news', count: 3, ok: true, none: null })).toEqual({ text: 'the bearer of news', count: 3, ok: true, none: null });
  });

  it('refuses an unknown event', async () => {
    await expect(log.append(entry(1, { event: 'deleted' as never }))).rejects.toThrow(/unknown audit event/);
  });

  it('refuses UPDATE and DELETE through the triggers', async () => {
    await appendMany(2);
    const db = attacker();
    expect(() => db.prepare(`UPDATE audit_log SET inputs = '{}' WHERE seq = 1`).run()).toThrow('audit_log is append-only');
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 2').run()).toThrow('audit_log is append-only');
    expect((await log.verify()).ok).toBe(true);
  });

  it('lists by workflow and pages by seq', async () => {
    await log.append(entry(1, { workflowId: 'wf-a' }));
    await log.append(entry(2, { workflowId: 'wf-b' }));
    await log.append(entry(3, { workflowId: 'wf-a' }));
    await log.append(entry(4, { workflowId: 'wf-a' }));
    expect((await log.list({ workflowId: 'wf-a' })).map((r) => r.seq)).toEqual([1, 3, 4]);
    expect((await log.list({ workflowId: 'wf-a', after: 1, limit: 1 })).map((r) => r.seq)).toEqual([3]);
  });

  it('verifies an intact log', async () => {
    await appendMany(5);
    const result = await log.verify();
    expect(result).toMatchObject({ ok: true, rows: 5, problems: [] });
    expect(renderVerify(result).split('\n')[0]).toBe('Audit log verified: 5 rows, chain intact.');
  });

  it('detects a changed row', async () => {
    await appendMany(3);
    const db = attacker();
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare(`UPDATE audit_log SET inputs = '{"name":"innocent"}' WHERE seq = 2`).run();
    const result = await log.verify();
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ seq: 2, problem: 'changed' })]);
    expect(renderVerify(result)).toMatch(/seq 2 +changed/);
  });

  it('detects a deleted middle row', async () => {
    await appendMany(3);
    const db = attacker();
    db.exec('DROP TRIGGER audit_log_no_delete');
    db.prepare('DELETE FROM audit_log WHERE seq = 2').run();
    expect(await log.verify()).toMatchObject({ ok: false, rows: 2, problems: [{ seq: 2, problem: 'missing' }] });
  });

  it('detects a deleted last row through the head', async () => {
    await appendMany(3);
    const db = attacker();
    db.exec('DROP TRIGGER audit_log_no_delete');
    db.prepare('DELETE FROM audit_log WHERE seq = 3').run();
    expect(await log.verify()).toMatchObject({ ok: false, rows: 2, problems: [{ seq: 3, problem: 'missing' }] });
  });

  it('keeps a deleted last row visible after further appends', async () => {
    await appendMany(3);
    const db = attacker();
    db.exec('DROP TRIGGER audit_log_no_delete');
    db.prepare('DELETE FROM audit_log WHERE seq = 3').run();
    expect((await log.append(entry(4))).seq).toBe(4);
    expect((await log.verify()).problems).toEqual([expect.objectContaining({ seq: 3, problem: 'missing' })]);
  });

  it('detects a row rewritten with a recomputed hash by its successor', async () => {
    await appendMany(3);
    const db = attacker();
    db.exec('DROP TRIGGER audit_log_no_update');
    // The attacker knows the hashing rule (it is in the source) and re-hashes the edited row.
    const stored = db
      .prepare(
        'SELECT seq, at, actor, action, event, target, inputs, detail, thread, workflow_id AS workflowId, prev_hash AS prevHash FROM audit_log WHERE seq = 2',
      )
      .get() as Parameters<typeof hashRow>[0];
    const forged = { ...stored, inputs: '{"name":"innocent"}' };
    db.prepare('UPDATE audit_log SET inputs = ?, hash = ? WHERE seq = 2').run(forged.inputs, hashRow(forged));
    expect((await log.verify()).problems).toEqual([expect.objectContaining({ seq: 3, problem: 'broken_link' })]);
  });

  it('keeps one chain when two instances on the same file append alternately', async () => {
    const other = openAudit(file);
    open.push(other);
    for (let i = 1; i <= 6; i++) (i % 2 ? log : other).append(entry(i));
    const rows = await log.list();
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await other.verify()).toMatchObject({ ok: true, rows: 6, problems: [] });
  });

  it('keeps one chain when two processes append at the same time', async () => {
    await log.append(entry(0));
    const children = [appendFromChild(file, 'a', 200), appendFromChild(file, 'b', 200)];
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.go();
    await Promise.all(children.map((c) => c.done));
    expect(await log.verify()).toMatchObject({ ok: true, rows: 401, problems: [] });
  });

  it('renders rows as a table', async () => {
    await log.append(entry(1, { event: 'requested', actor: 'user:default/alice' }));
    const out = renderAudit(await log.list());
    expect(out.split('\n')[0]).toMatch(/^SEQ +TIME \(UTC\) +ACTOR +EVENT +ACTION +TARGET +WORKFLOW$/);
    expect(out).toContain('2026-04-01 12:00:00  user:default/alice  requested  create-service  component:default/foo  wf-1');
  });
});

const AUDIT_MODULE = fileURLToPath(new URL('./index.ts', import.meta.url));

/** A process that opens the log, says "ready", and appends `count` rows once it reads "go". */
function appendFromChild(dbFile: string, name: string, count: number) {
  const script = `
    const { openAudit } = await import(${JSON.stringify(AUDIT_MODULE)});
    const log = openAudit(${JSON.stringify(dbFile)});
    process.stdout.write('ready\\n');
    process.stdin.once('data', async () => {
      for (let i = 0; i < ${count}; i++) await log.append({ actor: 'system', action: 'test', event: 'step_started', inputs: { name: '${name}', i } });
      log.close();
      process.exit(0);
    });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.on('error', reject);
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child ${name} exited ${code}: ${stderr}`))));
  });
  return { ready, go: () => child.stdin.write('go\n'), done };
}
