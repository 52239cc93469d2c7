/**
 * A real PostgreSQL for tests: a throwaway cluster in a temp folder (initdb, then postgres on a free
 * loopback port with its socket in the same folder), started once per test run by vitest's global setup
 * and stopped at the end. Debian's server refuses to run as root, so as root it runs as `postgres`.
 * Each test file asks for its own database (freshDatabase), so files running side by side never meet.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The admin URL of the run's cluster, set by the global setup; absent when no server binaries exist. */
export const POSTGRES_URL_ENV = 'SWITCHBOARD_TEST_POSTGRES_URL';

/** Debian keeps the server binaries outside PATH, one folder per major version; PG_BIN overrides. */
export function postgresBinDir(): string | null {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const newest = readdirSync(root)
      .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a))[0];
    if (newest) return join(root, newest, 'bin');
  }
  try {
    const initdb = execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim();
    return initdb ? join(initdb, '..') : null;
  } catch {
    return null;
  }
}

export interface RunningPostgres {
  /** Superuser URL of the `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

export async function startPostgres(): Promise<RunningPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found (install the postgresql package, or set PG_BIN)');
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-pg-'));
  // The cluster folder must belong to the user the server runs as.
  chmodSync(dir, 0o777);
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => (asRoot ? { cmd: 'runuser', args: ['-u', 'postgres', '--', cmd, ...args] } : { cmd, args });
  const data = join(dir, 'data');
  const init = run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  execFileSync(init.cmd, init.args, { stdio: 'pipe' });
  const port = await freePort();
  // fsync off and no WAL archiving: a test cluster trades durability for speed.
  const server = run(join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-h',
    '127.0.0.1',
    '-k',
    dir,
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=200',
  ]);
  const child: ChildProcess = spawn(server.cmd, server.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`postgres exited (${code}) before accepting connections:\n${log}`));
    child.once('exit', onExit);
    // The server logs this line once it accepts connections.
    const watch = () => {
      if (/ready to accept connections/.test(log)) {
        child.off('exit', onExit);
        child.stderr?.off('data', watch);
        resolve();
      }
    };
    child.stderr?.on('data', watch);
  });
  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        // SIGINT to the server itself ("fast" shutdown: clients are disconnected): runuser, our child,
        // does not pass signals on. Its pid is the first line of postmaster.pid.
        const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
        if (pid > 0) process.kill(pid, 'SIGINT');
        else child.kill('SIGINT');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;

/** A new, empty database on the run's cluster, named after `label`; its URL. */
export async function freshDatabase(label: string): Promise<string> {
  const admin = process.env[POSTGRES_URL_ENV];
  if (!admin) throw new Error(`${POSTGRES_URL_ENV} is not set: the test setup starts PostgreSQL (src/testing/postgres-setup.ts)`);
  const name = `t_${label.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_${process.pid}_${++counter}`.slice(0, 63);
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/** True when the test setup started PostgreSQL; CI insists on it (postgres-setup.ts). */
export const havePostgres = () => Boolean(process.env[POSTGRES_URL_ENV]);
