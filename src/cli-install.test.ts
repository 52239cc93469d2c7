/**
 * The command as it is installed and run: bin/switchboard.js running the compiled build in dist/, what
 * it loads, how it rebuilds a stale build, and a packed installation run from another folder.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, sources } from '../scripts/build.mjs';
import { tempTree, type TempTree } from './testing/fixtures.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A --import module that writes the URL of every module the process resolved to $MODULES_OUT at exit. */
const RECORDER = `data:text/javascript,${encodeURIComponent(`
  import { registerHooks } from 'node:module';
  import { writeFileSync } from 'node:fs';
  const seen = new Set();
  registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.add(r.url); return r; } });
  process.on('exit', () => writeFileSync(process.env.MODULES_OUT, [...seen].join('\\n')));
`)}`;

/** Packages that only serving commands need: Bolt, the Teams SDK, Temporal, PostgreSQL, log prettifying. */
const SERVING_ONLY = /\/node_modules\/(@slack|@microsoft|@temporalio|pg|pg-pool|pino-pretty)\//;

function node(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; input?: string }): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, args, {
    cwd: opts.cwd,
    env: { ...process.env, NODE_OPTIONS: '', ...opts.env },
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: 60_000,
  });
}

let tree: TempTree;
beforeAll(async () => {
  tree = tempTree('switchboard-install-');
  // Current before anything below runs the command, so no test sees a rebuild it did not cause.
  await build();
}, 60_000);
afterAll(() => tree.cleanup());

describe('the compiled command', () => {
  function loaded(argv: string[], env: NodeJS.ProcessEnv): { run: SpawnSyncReturns<string>; modules: string[] } {
    const out = tree.path(`modules-${argv[0]}.txt`);
    const run = node(['--import', RECORDER, join(ROOT, 'bin/switchboard.js'), ...argv], { cwd: tree.dir, env: { ...env, MODULES_OUT: out } });
    return { run, modules: readFileSync(out, 'utf8').split('\n') };
  }

  it('loads no chat SDK, Temporal, PostgreSQL client or log prettifier for --help, and runs the build in dist/', () => {
    const { run, modules } = loaded(['--help'], {});
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: switchboard/);
    expect(modules).toContain(`file://${ROOT}dist/src/cli.js`);
    expect(modules.filter((url) => SERVING_ONLY.test(url))).toEqual([]);
  });

  it('loads none of them, nor drizzle, for whoowns against a catalog already ingested and migrated', () => {
    const env = { SWITCHBOARD_DB: tree.path('loads/switchboard.db') };
    expect(node([join(ROOT, 'bin/switchboard.js'), 'ingest', join(ROOT, 'manifests/catalog')], { cwd: tree.dir, env }).status).toBe(0);
    const { run, modules } = loaded(['whoowns', 'payments-api'], env);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Payments (group:default/team-payments)');
    expect(modules).toContain(`file://${ROOT}dist/src/catalog/index.js`);
    expect(modules.filter((url) => SERVING_ONLY.test(url) || url.includes('/node_modules/drizzle-orm/'))).toEqual([]);
  });
});

describe('a stale build', () => {
  /** A checkout of its own (sources, built dist/, the shared node_modules), to edit without touching ours. */
  function checkout(name: string): string {
    const dir = tree.path(name);
    for (const path of [
      'package.json',
      'tsconfig.json',
      'bin',
      'scripts',
      'src',
      'workflows',
      'manifests',
      'drizzle',
      'dist/src',
      'dist/workflows',
      'dist/.build-stamp.json',
    ]) {
      cpSync(join(ROOT, path), join(dir, path), { recursive: true, preserveTimestamps: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    return dir;
  }
  const help = (dir: string) => node([join(dir, 'bin/switchboard.js'), '--help'], { cwd: tree.dir });

  it('is rebuilt before the command runs, saying so once on stderr', () => {
    const dir = checkout('edited');
    expect(help(dir).stderr).toBe('');
    const cli = join(dir, 'src/cli.ts');
    writeFileSync(cli, readFileSync(cli, 'utf8').replace('Usage: switchboard <command>', 'Usage: switchboard (edited) <command>'));
    const first = help(dir);
    expect(first.stderr).toBe('switchboard: the sources changed since the last build; compiling to dist/ first\n');
    expect(first.stdout).toMatch(/^Usage: switchboard \(edited\)/);
    expect(help(dir)).toMatchObject({ stderr: '', stdout: expect.stringMatching(/^Usage: switchboard \(edited\)/) });
  });

  it('is not rebuilt when only the mtimes moved (a fresh clone, a copy)', () => {
    const dir = checkout('touched');
    const later = new Date(Date.now() + 60_000);
    for (const rel of sources(dir)) utimesSync(join(dir, rel), later, later);
    expect(help(dir)).toMatchObject({ status: 0, stderr: '' });
  });

  it('that cannot be rebuilt runs through tsx, saying why', () => {
    const dir = checkout('broken');
    // A module nothing loads (a file in the middle of being written): the build fails, the sources run.
    writeFileSync(join(dir, 'src/half-written.ts'), 'export const = ;\n');
    const r = help(dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: switchboard/);
    expect(r.stderr).toBe(
      'switchboard: the sources changed since the last build; compiling to dist/ first\n' +
        'switchboard: cannot compile (src/half-written.ts:1:14: Expected identifier but found "="); running the TypeScript sources through tsx\n',
    );
  }, 60_000);
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

describe('a packed installation, run from another folder', () => {
  let install: string;
  let elsewhere: string;
  beforeAll(() => {
    // Exactly what `npm pack` would put in the package (package.json `files`), unpacked, with our
    // node_modules beside it as `npm install` would put its dependencies.
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const files = (JSON.parse(pack.stdout) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
    install = tree.path('installed/switchboard');
    for (const rel of files) {
      mkdirSync(dirname(join(install, rel)), { recursive: true });
      cpSync(join(ROOT, rel), join(install, rel));
    }
    symlinkSync(join(ROOT, 'node_modules'), join(install, 'node_modules'));
    elsewhere = tree.path('elsewhere');
    mkdirSync(elsewhere);
  }, 60_000);

  it('ships the build and the workflow sources, not the TypeScript sources or tests', () => {
    expect(existsSync(join(install, 'dist/src/cli.js'))).toBe(true);
    expect(existsSync(join(install, 'workflows/index.ts'))).toBe(true);
    expect(existsSync(join(install, 'src'))).toBe(false);
    expect(existsSync(join(install, 'workflows/index.test.ts'))).toBe(false);
  });

  it('answers whoowns from its own sample catalog, migrating a database in the working directory', () => {
    const r = node([join(install, 'bin/switchboard.js'), 'whoowns', 'payments-api', '--json'], { cwd: elsewhere });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe(`The catalog is empty; ingesting ${join(install, 'manifests/catalog')} first.\n`);
    const answer = JSON.parse(r.stdout) as { status: string; freshness: { source: string } };
    expect(answer.status).toBe('found');
    expect(answer.freshness.source).toContain(join(install, 'manifests/catalog'));
    expect(existsSync(join(elsewhere, 'data/switchboard.catalog.db'))).toBe(true);
  });

  it('finds its actions, templates and workflow sources from the installation', () => {
    const script = `
      const { loadConfig } = await import(${JSON.stringify(join(install, 'dist/src/config.js'))});
      const { shipped } = await import(${JSON.stringify(join(install, 'dist/src/install-root.js'))});
      const c = loadConfig({});
      console.log(JSON.stringify([...c.SWITCHBOARD_CATALOG, c.SWITCHBOARD_ACTIONS, c.SWITCHBOARD_TEMPLATES, shipped('workflows/index.ts'), shipped('drizzle/meta/_journal.json')]));`;
    const r = node(['--input-type=module', '-e', script], { cwd: elsewhere });
    expect(r.status, r.stderr).toBe(0);
    const paths = JSON.parse(r.stdout) as string[];
    expect(paths).toHaveLength(5);
    for (const path of paths) {
      expect(path.startsWith(install)).toBe(true);
      expect(existsSync(path)).toBe(true);
    }
  });

  it('starts the terminal chat, which lists the shipped actions and answers, and exits at the end of input', async () => {
    const child = spawn(process.execPath, [join(install, 'bin/switchboard.js'), 'start'], {
      cwd: elsewhere,
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        PORT: String(await freePort()),
        LOG_LEVEL: 'warn',
        SWITCHBOARD_DB: join(elsewhere, 'chat/switchboard.db'),
        TEMPORAL_CLI_PATH: join(elsewhere, 'no-temporal'),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdin.end('/help\n/whoowns payments-api\n');
    expect(await exited).toBe(0);
    expect(stdout).toContain('/create-service');
    expect(stdout).toContain('Payments');
  }, 60_000);
});
