/**
 * Temporal, as Switchboard runs it: a client that connects lazily and reconnects by itself (lookups
 * never wait for it), a worker that restarts when its connection drops, and a local dev server for
 * `switchboard start` when no TEMPORAL_ADDRESS is configured. The composition root (cli.ts) calls these.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Logger } from 'pino';
import { SelfServiceUnavailable, type TemporalAccess } from '../actions/launcher.js';
import { describeTemporalAuth, type TemporalConnectionSettings } from './tls.js';
import { shipped } from '../install-root.js';

export { temporalConnectionSettings, type TemporalConnectionSettings } from './tls.js';

const RETRY_AFTER_MS = 3_000;

/**
 * A client that connects on first use. While Temporal cannot be reached every call fails fast with
 * the reason (a new attempt at most every few seconds), so chat answers at once that self-service is
 * unavailable; the first call after Temporal is back connects again.
 */
export function createTemporalAccess(opts: {
  address: string;
  namespace: string;
  logger: Logger;
  auth?: TemporalConnectionSettings;
}): TemporalAccess & { close(): Promise<void>; connected(): boolean } {
  let client: Client | undefined;
  let connecting: Promise<Client> | undefined;
  let failure: { reason: string; at: number } | undefined;
  const log = opts.logger.child({ component: 'temporal' });

  const connect = async (): Promise<Client> => {
    try {
      const connection = await Connection.connect({ address: opts.address, connectTimeout: 2_000, ...opts.auth });
      // A namespace that does not exist is as unreachable as a server that does not answer.
      await connection.workflowService.describeNamespace({ namespace: opts.namespace });
      client = new Client({ connection, namespace: opts.namespace });
      if (failure) log.info({ address: opts.address }, 'Temporal reachable again');
      failure = undefined;
      return client;
    } catch (err) {
      // The reason names the auth in use: a TLS client facing a plaintext server fails here, never falls back.
      const reason = `Temporal at ${opts.address} (namespace ${opts.namespace}${opts.auth?.tls ? `, ${describeTemporalAuth(opts.auth)}` : ''}) cannot be reached: ${(err as Error).message.split('\n')[0]}${opts.auth?.tls ? ' (with TLS on: check that the server speaks TLS and accepts these certificates)' : ''}`;
      if (!failure) log.warn({ address: opts.address }, reason);
      failure = { reason, at: Date.now() };
      throw new SelfServiceUnavailable(reason);
    } finally {
      connecting = undefined;
    }
  };

  return {
    async client() {
      if (client) return client;
      if (failure && Date.now() - failure.at < RETRY_AFTER_MS) throw new SelfServiceUnavailable(failure.reason);
      connecting ??= connect();
      return connecting;
    },
    connected: () => client !== undefined,
    async close() {
      await client?.connection.close();
      client = undefined;
    },
  };
}

// The TypeScript sources, from dist/ too: the bundler compiles them itself (webpack + swc).
const WORKFLOWS = shipped('workflows/index.ts');
let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** workflows/ bundled once per process (a few seconds), as every worker of this process runs it. */
export function workflowBundle(logger?: Logger): Promise<WorkflowBundleWithSourceMap> {
  const quiet = { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} };
  bundle ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS,
    logger: logger ? { ...quiet, warn: (m: string) => logger.warn(m), error: (m: string) => logger.error(m) } : quiet,
  });
  return bundle;
}

let runtimeInstalled = false;

/**
 * Runs a worker until `signal` aborts, reconnecting with a growing delay when Temporal goes away.
 * Resolves once the worker has stopped.
 */
export async function runWorker(opts: {
  address: string;
  namespace: string;
  taskQueue: string;
  activities: object;
  logger: Logger;
  signal: AbortSignal;
  onState?: (state: 'running' | 'down') => void;
  /** TLS / API key, the same as the client's (src/temporal/tls.ts). */
  auth?: TemporalConnectionSettings;
}): Promise<void> {
  const log = opts.logger.child({ component: 'worker' });
  if (!runtimeInstalled) {
    runtimeInstalled = true;
    // The SDK's own logs go through pino at warn, so the terminal chat stays readable. A runtime
    // installed before (a test environment in the same process) is kept.
    installRuntime(log);
  }
  return runWorkerLoop(opts, log);
}

function installRuntime(log: Logger): void {
  try {
    Runtime.install({
      // The application decides when the worker stops (SIGTERM drains it through `signal`).
      shutdownSignals: [],
      logger: {
        log: (level, message, meta) => (level === 'ERROR' ? log.error(meta ?? {}, message) : level === 'WARN' ? log.warn(meta ?? {}, message) : undefined),
        trace() {},
        debug() {},
        info() {},
        warn: (message, meta) => log.warn(meta ?? {}, message),
        error: (message, meta) => log.error(meta ?? {}, message),
      },
    });
  } catch {
    // Already installed.
  }
}

async function runWorkerLoop(opts: Parameters<typeof runWorker>[0], log: Logger): Promise<void> {
  const workflows = await workflowBundle(log);
  let delay = 1_000;
  while (!opts.signal.aborted) {
    let connection: NativeConnection | undefined;
    try {
      connection = await NativeConnection.connect({ address: opts.address, ...opts.auth });
      const worker = await Worker.create({
        connection,
        namespace: opts.namespace,
        taskQueue: opts.taskQueue,
        workflowBundle: workflows,
        activities: opts.activities,
      });
      const stop = () => {
        try {
          worker.shutdown();
        } catch {
          // Already stopping.
        }
      };
      opts.signal.addEventListener('abort', stop, { once: true });
      log.info({ taskQueue: opts.taskQueue, address: opts.address }, 'worker running');
      opts.onState?.('running');
      delay = 1_000;
      await worker.run();
      opts.signal.removeEventListener('abort', stop);
    } catch (err) {
      opts.onState?.('down');
      if (opts.signal.aborted) break;
      log.warn({ err: (err as Error).message, auth: describeTemporalAuth(opts.auth ?? {}), retryInMs: delay }, 'worker stopped; reconnecting');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 30_000);
    } finally {
      await connection?.close().catch(() => undefined);
    }
  }
}

/** The `temporal` CLI: TEMPORAL_CLI_PATH, else on PATH, else where `go install` puts it. */
export function findTemporalCli(configured: string | undefined, env: NodeJS.ProcessEnv): string | null {
  const candidates = configured
    ? [configured]
    : [
        ...(env.PATH ?? '')
          .split(delimiter)
          .filter(Boolean)
          .map((d) => join(d, 'temporal')),
        join(env.GOBIN ?? join(env.GOPATH ?? join(homedir(), 'go'), 'bin'), 'temporal'),
      ];
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolvePort(port));
    });
  });
}

export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

/**
 * `temporal server start-dev` with its data in a SQLite file next to Switchboard's, so workflows
 * survive a restart of `switchboard start`. Ports: 7233 and 8233 when free, else any free ones.
 */
export async function startDevServer(opts: { cli: string; dbFile: string; namespace: string; logger: Logger }): Promise<DevServer> {
  const log = opts.logger.child({ component: 'temporal-dev-server' });
  const portFree = (port: number) =>
    new Promise<boolean>((ok) => {
      const s = createServer();
      s.once('error', () => ok(false));
      s.listen(port, '127.0.0.1', () => s.close(() => ok(true)));
    });
  const port = (await portFree(7233)) ? 7233 : await freePort();
  const uiPort = (await portFree(8233)) ? 8233 : await freePort();
  mkdirSync(dirname(opts.dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--db-filename',
    opts.dbFile,
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
  ];
  const child: ChildProcess = spawn(opts.cli, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const address = `127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const done = await Promise.race([exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 250))]);
    if (done) throw new Error(`temporal server start-dev exited: ${stderr.trim().split('\n').slice(-3).join(' ')}`);
    try {
      const c = await Connection.connect({ address, connectTimeout: 1_000 });
      await c.workflowService.describeNamespace({ namespace: opts.namespace });
      await c.close();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`temporal server start-dev did not answer on ${address} within 60 s`);
      }
    }
  }
  log.info({ address, ui: `http://127.0.0.1:${uiPort}` }, 'local Temporal dev server started');
  return {
    address,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The Temporal UI page of a workflow. */
export function workflowLink(uiUrl: string | undefined, namespace: string) {
  return (workflowId: string) =>
    uiUrl ? `${uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}` : undefined;
}
