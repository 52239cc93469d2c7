/**
 * The state store: bot state, the audit log and the deploy history, in one place chosen at start.
 * Unset SWITCHBOARD_STATE_URL: the embedded SQLite file (nothing to install; one process, or several
 * on one host). `postgres://…`: PostgreSQL, shared by every bot and worker replica; its migrations
 * (drizzle/pg) are applied at start under an advisory lock, so replicas starting together migrate once.
 * The catalog never lives here: each replica keeps its own SQLite catalog built from the same sources.
 */
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { type AuditKey, type AuditLog, openAudit } from '../audit/index.js';
import { openPgAudit } from '../audit/postgres.js';
import { type DeploymentLog, openDeployments } from '../deployments/index.js';
import { openPgDeployments } from '../deployments/postgres.js';
import { type BotState, openState } from './index.js';
import { openPgState } from './postgres.js';
import { type CatalogTruth, openTruth } from './truth.js';
import { openPgTruth } from './truth-postgres.js';
import { shipped } from '../install-root.js';

const PG_MIGRATIONS = shipped('drizzle/pg');
/** Any constant both replicas agree on: the key of the advisory lock migrations run under. */
const MIGRATION_LOCK = 0x5377_6264;

export interface StateStore {
  kind: 'sqlite' | 'postgres';
  /** Where the state is, for logs: the file, or the server and database without credentials. */
  where: string;
  state: BotState;
  audit: AuditLog;
  deployments: DeploymentLog;
  /** Attestations, asks and questions: what keeps the catalog true (truth.ts). */
  truth: CatalogTruth;
  /** Last known reachability (checked every few seconds for PostgreSQL; a file is always there). */
  healthy(): boolean;
  close(): Promise<void>;
}

export interface StateStoreOptions {
  /** `postgres://…` or `postgresql://…`; unset: the SQLite file. */
  url?: string;
  file: string;
  auditKey?: AuditKey;
  /** Seal an unkeyed audit log at open (default true). */
  sealAudit?: boolean;
  /** How often PostgreSQL's reachability is checked for health; default 5 s. */
  pingEveryMs?: number;
  onError?: (err: Error) => void;
}

export class StateStoreError extends Error {
  override readonly name = 'StateStoreError';
}

/** The URL without its password, for logs and errors. */
export function describeStateUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgres://${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

export async function openStateStore(opts: StateStoreOptions): Promise<StateStore> {
  if (!opts.url) {
    const audit = openAudit(opts.file, { key: opts.auditKey, seal: opts.sealAudit ?? true });
    const state = openState(opts.file);
    const deployments = openDeployments(opts.file);
    const truth = openTruth(opts.file);
    return {
      kind: 'sqlite',
      where: opts.file,
      state,
      audit,
      deployments,
      truth,
      healthy: () => true,
      async close() {
        state.close();
        truth.close();
        audit.close();
        deployments.close();
      },
    };
  }
  const where = describeStateUrl(opts.url);
  const pool = new pg.Pool({ connectionString: opts.url, max: 10, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 });
  // An idle client's connection dropping (server restart) must not crash the process: the next query
  // reconnects, and health says the store is down until then.
  let healthy = true;
  pool.on('error', (err) => {
    healthy = false;
    opts.onError?.(err);
  });
  try {
    await migrateUnderLock(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new StateStoreError(`SWITCHBOARD_STATE_URL: cannot open the shared state at ${where}: ${(err as Error).message}`);
  }
  const db: NodePgDatabase = drizzle(pool);
  const audit = await openPgAudit(db, { key: opts.auditKey, seal: opts.sealAudit ?? true });
  const ping = setInterval(() => {
    pool.query('SELECT 1').then(
      () => (healthy = true),
      (err: Error) => {
        healthy = false;
        opts.onError?.(err);
      },
    );
  }, opts.pingEveryMs ?? 5000);
  ping.unref();
  return {
    kind: 'postgres',
    where,
    state: openPgState(db),
    audit,
    deployments: openPgDeployments(db),
    truth: openPgTruth(db),
    healthy: () => healthy,
    async close() {
      clearInterval(ping);
      await pool.end();
    },
  };
}

async function migrateUnderLock(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle(client), { migrationsFolder: PG_MIGRATIONS });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
