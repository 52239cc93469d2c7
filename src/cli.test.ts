import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { build } from '../scripts/build.mjs';
import { main } from './cli.js';
import { component, group, tempTree, type TempTree } from './testing/fixtures.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// The tests below that spawn bin/switchboard.js run the compiled build: current first, so none of them
// sees the one line a rebuild prints on stderr.
beforeAll(async () => {
  await build();
}, 60_000);

let tree: TempTree;
beforeEach(() => {
  tree = tempTree();
  tree.write('cat/org.yaml', group('team-payments', { profile: { displayName: 'Payments' } }));
  tree.write(
    'cat/services.yaml',
    [component('payments-api', { owner: 'team-payments' }), component('payment-gateway', { owner: 'team-payments' })].join('---\n'),
  );
});
afterEach(() => tree.cleanup());

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, { SWITCHBOARD_CATALOG: tree.path('cat') });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('switchboard CLI', () => {
  it('ingests a folder and prints a summary', async () => {
    const r = await run('ingest', tree.path('cat'), '--db', tree.path('c.db'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('Entities: 3 in catalog (+3 added');
  });

  it('prints problems with file and line, and exits 1 under --strict', async () => {
    tree.write('cat/bad.yaml', 'kind: [\n');
    const r = await run('ingest', tree.path('cat'), '--db', tree.path('c.db'), '--strict');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/bad\.yaml:2 {2}YAML syntax error/);
  });

  it('answers whoowns in the DESIGN.md JSON shape', async () => {
    await run('ingest', tree.path('cat'), '--db', tree.path('c.db'));
    const r = await run('whoowns', 'payments-api', '--json', '--db', tree.path('c.db'));
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.out);
    expect(Object.keys(answer)).toEqual([
      'query',
      'status',
      'entity',
      'owner',
      'onCall',
      'runbook',
      'links',
      'dependencies',
      'freshness',
      'candidates',
      'verification',
    ]);
    expect(answer).toMatchObject({ query: 'payments-api', status: 'found', owner: { ref: 'group:default/team-payments', displayName: 'Payments' } });
  });

  it('ingests the configured catalog first when the database was never filled', async () => {
    const r = await run('whoowns', 'payments-api', '--db', tree.path('fresh.db'));
    expect(r.code).toBe(0);
    expect(r.err).toContain('The catalog is empty; ingesting');
    expect(r.out).toContain('Payments (group:default/team-payments)');
  });

  it('lists did-you-mean candidates for an ambiguous query', async () => {
    const r = await run('whoowns', 'payment', '--db', tree.path('c.db'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('Did you mean');
    expect(r.out).toContain('payment-gateway');
  });

  it('exits 1 and explains how to register a service when nothing matches', async () => {
    const r = await run('whoowns', 'zzqxv', '--db', tree.path('c.db'));
    expect(r.code).toBe(1);
    expect(r.out).toContain('To register a service');
  });

  it('answers runbook and deps', async () => {
    expect((await run('runbook', 'payments-api', '--db', tree.path('c.db'))).out).toContain('none recorded');
    expect((await run('deps', 'payments-api', '--depth', '2', '--db', tree.path('c.db'))).out).toContain('Blast radius: 0');
  });

  it('refuses a bad option value with a message naming it', async () => {
    const r = await run('deps', 'x', '--depth', 'many', '--db', tree.path('c.db'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('--depth');
  });

  it('stops on a bad environment variable, naming it', async () => {
    const err: string[] = [];
    const code = await main(['whoowns', 'x'], { out: () => {}, err: (s) => err.push(s) }, { PORT: 'eighty' });
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('PORT:');
  });

  it('refuses to run a worker without TEMPORAL_ADDRESS, saying what to set', async () => {
    const { code, err } = await run('worker', '--db', tree.path('w.db'));
    expect(code).toBe(2);
    expect(err).toContain('TEMPORAL_ADDRESS');
  });

  it('names bot and worker in the help text', async () => {
    const { code, out } = await run('--help');
    expect(code).toBe(0);
    expect(out).toMatch(/^ {2}bot\s/m);
    expect(out).toMatch(/^ {2}worker\s/m);
  });

  it('lists the audit log and verifies its chain, failing when a row was changed', async () => {
    const { openAudit } = await import('./audit/index.js');
    const audit = openAudit(tree.path('c.db'));
    await audit.append({
      actor: 'user:default/alice',
      action: 'create-service',
      event: 'requested',
      target: 'component:default/x',
      inputs: { token: 'xoxb-1' },
    });
    await audit.append({ actor: 'user:default/bob', action: 'create-service', event: 'approved', target: 'component:default/x' });
    audit.close();
    expect((await run('audit', '--db', tree.path('c.db'))).out).toContain('approved');
    expect(await run('audit', '--verify', '--db', tree.path('c.db'))).toMatchObject({ code: 0, out: expect.stringContaining('chain intact') });
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(tree.path('c.db'));
    db.exec(`DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'user:default/mallory' WHERE seq = 2`);
    db.close();
    const tampered = await run('audit', '--verify', '--db', tree.path('c.db'));
    expect(tampered.code).toBe(1);
    expect(tampered.out).toMatch(/seq 2\s+changed/);
  });

  it('rejects an unknown command with the help text', async () => {
    const r = await run('frobnicate');
    expect(r.code).toBe(2);
    expect(r.err).toContain('Unknown command "frobnicate"');
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('switchboard start', () => {
  it('runs from another folder: the terminal chat answers from the shipped sample catalog', async () => {
    const elsewhere = tempTree('switchboard-elsewhere-');
    try {
      const child = spawn(process.execPath, [join(ROOT, 'bin/switchboard.js'), 'start'], {
        cwd: elsewhere.dir,
        env: { ...process.env, PORT: String(await freePort()), LOG_LEVEL: 'warn', TEMPORAL_CLI_PATH: join(elsewhere.dir, 'no-temporal') },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.stdin.end('/whoowns payments-api\n');
      expect(await exited).toBe(0);
      expect(stdout).toContain('Payments');
      // Its own data stays where it was started.
      expect(existsSync(join(elsewhere.dir, 'data/switchboard.db'))).toBe(true);
    } finally {
      elsewhere.cleanup();
    }
  }, 60_000);

  it('serves Teams at /api/messages with only the TEAMS_* variables set, and opens no terminal chat', async () => {
    const { startTeamsEmulator } = await import('./testing/teams-emulator.js');
    const { messageActivity } = await import('./testing/teams-activities.js');
    const { teamsEnv } = await import('./testing/harness.js');
    const teams = await startTeamsEmulator({ rate: false });
    const port = await freePort();
    const child = spawn(process.execPath, ['bin/switchboard.js', 'start'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), SWITCHBOARD_DB: tree.path('teams.db'), LOG_LEVEL: 'warn', ...teamsEnv(teams) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let health: { components?: { teams?: boolean } } | undefined;
      for (let i = 0; i < 100 && !health?.components?.teams; i++) {
        await new Promise((r) => setTimeout(r, 200));
        health = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.json() as Promise<typeof health>,
          () => undefined,
        );
      }
      expect(health?.components?.teams).toBe(true);
      const user = {
        id: teams.addUser({ aadObjectId: '0d3c9a6e-8b7f-4e1d-9c2a-5b4e3f2a1d0c', name: 'Ana', email: 'ana@example.com' }),
        aadObjectId: '0d3c9a6e-8b7f-4e1d-9c2a-5b4e3f2a1d0c',
        name: 'Ana',
      };
      teams.addConversation({ id: 'a:1ana', type: 'personal', members: [user.id] });
      const res = await teams.post(
        `http://127.0.0.1:${port}/api/messages`,
        messageActivity(teams, user, { id: 'a:1ana', type: 'personal' }, 'who owns payments-api'),
      );
      expect(res.status).toBe(200);
      const answer = await teams.waitFor((c) => c.op === 'send' && c.conversationId === 'a:1ana', 10_000);
      expect(JSON.stringify(answer.body)).toContain('Payments');
      // Teams is the chat: no terminal prompt was printed.
      expect(stdout).not.toContain('switchboard>');
    } finally {
      child.kill('SIGTERM');
      await teams.close();
    }
    expect(await exited).toBe(0);
  });

  it('serves Slack at /slack/events when Slack credentials are set', async () => {
    const { startSlackEmulator } = await import('./testing/slack-emulator.js');
    const { postSigned, slashCommandBody } = await import('./testing/slack-signing.js');
    const emu = await startSlackEmulator();
    const port = await freePort();
    const child = spawn(process.execPath, ['bin/switchboard.js', 'start'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        SWITCHBOARD_DB: tree.path('slack.db'),
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: 'start-secret',
        SLACK_API_URL: emu.url,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let health: { components?: { slack?: boolean } } | undefined;
      for (let i = 0; i < 100 && !health?.components?.slack; i++) {
        await new Promise((r) => setTimeout(r, 200));
        health = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.json() as Promise<typeof health>,
          () => undefined,
        );
      }
      expect(health?.components?.slack).toBe(true);
      const body = slashCommandBody({ command: '/whoowns', text: 'payments-api', response_url: emu.responseUrl('start') });
      expect((await postSigned(`http://127.0.0.1:${port}/slack/events`, 'start-secret', body)).status).toBe(200);
      const answer = await emu.waitForResponse((r) => r.id === 'start');
      expect(JSON.stringify(answer.body.blocks)).toContain('Payments');
    } finally {
      child.kill('SIGTERM');
      await emu.close();
    }
    expect(await exited).toBe(0);
  });

  it('answers commands piped to the terminal chat and exits at the end of input', async () => {
    const child = spawn(process.execPath, ['bin/switchboard.js', 'start'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', SWITCHBOARD_DB: tree.path('pipe.db') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stdin.end('/whoowns payments-api\n/runbook ledger\n');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(out).toContain('Payments');
    expect(out).toMatch(/https:\/\/\S*ledger/);
  });

  it('ingests the sample catalog and serves /healthz and /metrics until SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['bin/switchboard.js', 'start'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), SWITCHBOARD_DB: tree.path('start.db'), LOG_LEVEL: 'warn' },
      stdio: 'pipe',
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let health: { status: string; components: Record<string, boolean> } | undefined;
      for (let i = 0; i < 100 && !health; i++) {
        await new Promise((r) => setTimeout(r, 200));
        health = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.json() as Promise<typeof health>,
          () => undefined,
        );
      }
      // Status only (ok, or degraded while Temporal or the worker is not up yet); the counts are in /metrics.
      expect(health?.status).toMatch(/^(ok|degraded)$/);
      expect(health?.components.catalog).toBe(true);
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
      expect(Number(/^switchboard_catalog_entities (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(20);
      expect(metrics).toContain('switchboard_http_requests_total{route="GET /healthz",status="200"}');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  });
});

describe('switchboard bot with shared state', () => {
  it('refuses SWITCHBOARD_STATE_URL without the keys every replica shares, naming both', async () => {
    const err: string[] = [];
    const code = await main(['bot'], { out: () => {}, err: (s) => err.push(s) }, { SWITCHBOARD_STATE_URL: 'postgres://sb@127.0.0.1:1/sb' });
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/SWITCHBOARD_AUDIT_KEY: is required with SWITCHBOARD_STATE_URL/);
    expect(err.join('\n')).toMatch(/SWITCHBOARD_VOTE_KEY: is required with SWITCHBOARD_STATE_URL/);
  });

  it('exits 1 with one line naming the server, never the password, when PostgreSQL cannot be reached', async () => {
    const err: string[] = [];
    const code = await main(
      ['bot'],
      { out: () => {}, err: (s) => err.push(s) },
      {
        SWITCHBOARD_DB: tree.path('pg-down/switchboard.db'),
        SWITCHBOARD_CATALOG: tree.path('cat'),
        SWITCHBOARD_STATE_URL: 'postgres://sb:hunter2hunter2@127.0.0.1:1/sb',
        SWITCHBOARD_AUDIT_KEY: 'a'.repeat(64),
        SWITCHBOARD_VOTE_KEY: 'b'.repeat(64),
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        LOG_LEVEL: 'silent',
        PORT: '0',
      },
    );
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/^SWITCHBOARD_STATE_URL: cannot open the shared state at postgres:\/\/sb@127\.0\.0\.1:1\/sb: /);
    expect(err.join('\n')).not.toContain('hunter2');
  });
});
