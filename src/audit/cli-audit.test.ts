import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { main } from '../cli.js';
import { tempTree, type TempTree } from '../testing/fixtures.js';
import { openAudit, resolveAuditKey } from './index.js';

let tree: TempTree;
let db: string;
beforeEach(() => {
  tree = tempTree('switchboard-cli-audit-');
  db = tree.path('data/switchboard.db');
});
afterEach(() => tree.cleanup());

async function run(env: Record<string, string>, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, env);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Two rows written as `start` writes them: keyed with SWITCHBOARD_AUDIT_KEY, or the key file made on first start. */
async function write(configured?: Buffer) {
  const audit = openAudit(db, { key: resolveAuditKey({ configured, dbFile: db, create: true }) });
  await audit.append({ actor: 'user:default/alice', action: 'create-service', event: 'requested', target: 'component:default/x' });
  await audit.append({ actor: 'user:default/bob', action: 'create-service', event: 'approved', target: 'component:default/x' });
  audit.close();
}

describe('switchboard audit --verify', () => {
  it('verifies a chain keyed with SWITCHBOARD_AUDIT_KEY and prints what it proves and cannot', async () => {
    const key = randomBytes(32);
    await write(key);
    const r = await run({ SWITCHBOARD_AUDIT_KEY: key.toString('hex') }, 'audit', '--verify', '--db', db);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('Audit log verified: 2 rows, chain intact.');
    expect(lines[1]).toMatch(/^Keyed from row 1 \(.+\), key [0-9a-f]{16}\.$/);
    expect(lines.slice(2)).toEqual([
      expect.stringMatching(
        /^Proves: no row was changed, inserted or removed since it was written, and the log ends at the head, by anyone without the audit key \(key [0-9a-f]{16}, SWITCHBOARD_AUDIT_KEY\)\.$/,
      ),
      'Cannot prove: that the whole database was not replaced by an older copy, or cut back to an earlier head that someone kept: compare the last seq with a record kept elsewhere.',
      'Cannot prove: anything against someone who holds the audit key.',
    ]);
  });

  it('finds the key file beside the database, and fails on a row rewritten without the key', async () => {
    await write();
    expect((await run({}, 'audit', '--verify', '--db', db)).code).toBe(0);
    const raw = new Database(db);
    raw.exec(`DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'user:default/mallory' WHERE seq = 2`);
    raw.close();
    const r = await run({}, 'audit', '--verify', '--db', db);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/seq 2\s+changed\s+row 2: contents do not match its MAC \(changed by someone without the key\)/);
  });

  it('fails with wrong_key when another key is configured, and no_key when none is', async () => {
    await write(randomBytes(32));
    const wrong = await run({ SWITCHBOARD_AUDIT_KEY: randomBytes(32).toString('base64') }, 'audit', '--verify', '--db', db);
    expect(wrong.code).toBe(1);
    expect(wrong.out).toMatch(/seq 0\s+wrong_key\s+the log is keyed with key/);
    const none = await run({}, 'audit', '--verify', '--db', db);
    expect(none.code).toBe(1);
    expect(none.out).toMatch(/seq 0\s+no_key\s+the log is keyed from row 1/);
  });

  it('refuses a bad SWITCHBOARD_AUDIT_KEY with exit 2, naming the variable', async () => {
    const r = await run({ SWITCHBOARD_AUDIT_KEY: 'tooshort' }, 'audit', '--verify', '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/SWITCHBOARD_AUDIT_KEY: must be/);
  });
});
