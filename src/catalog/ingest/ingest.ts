/**
 * One ingest run, in two phases: read (walk the roots, read files, fetch URLs, parse, validate, follow
 * Location entities; ingest/read.ts) and write (one short SQLite transaction; ingest/write.ts). For a
 * catalog file, openCatalog runs it whole in a worker thread (thread.ts, worker.ts), on a connection of
 * its own, so the caller's event loop never waits on either phase.
 *
 * Guarantees (docs/catalog-format.md): a source that fails keeps its last good entities, marked stale;
 * entities gone from a source that parsed cleanly are removed, and so are sources gone from a root;
 * unchanged sources are skipped by content hash; a ref keeps the definition it has until its source
 * drops it, and on a first ingest operator-listed sources come before what Locations reach.
 */
import type Database from 'better-sqlite3';
import { ANY_KIND } from '../rules.js';
import type { CatalogRepo } from '../store/repo.js';
import { addressPolicy } from './address.js';
import { readSources } from './read.js';
import { DEFAULT_LIMITS, type IngestOptions, type IngestReport, type IngestRoot } from './types.js';
import { writeSources } from './write.js';

export type { IngestLimits, IngestOptions, IngestProblem, IngestReport, IngestRoot, ProblemCode } from './types.js';
export { DEFAULT_LIMITS } from './types.js';

export async function runIngest(
  sqlite: Database.Database,
  repo: CatalogRepo,
  roots: (string | IngestRoot)[],
  options: IngestOptions = {},
): Promise<IngestReport> {
  const started = Date.now();
  const now = (options.now ?? (() => new Date()))().getTime();
  const report: IngestReport = {
    startedAt: new Date(now).toISOString(),
    durationMs: 0,
    sources: { read: 0, unchanged: 0, failed: 0, removed: 0, ignored: 0 },
    entities: { added: 0, updated: 0, removed: 0, stale: 0, total: 0 },
    problems: [],
    ignored: [],
  };
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const read = await readSources(
    roots.map((r) => (typeof r === 'string' ? { target: r } : r)),
    {
      repo,
      globalRule: options.globalRule ?? ANY_KIND,
      limits,
      fetch: { policy: addressPolicy(options.fetchAllow), timeoutMs: options.fetchTimeoutMs ?? 10_000, maxBytes: limits.maxFileBytes },
      problem: (p) => report.problems.push(p),
      live: { cacheDir: options.cacheDir, gitTimeoutMs: options.gitTimeoutMs, backstage: options.backstage },
    },
  );
  writeSources(sqlite, repo, read, report, now);
  // Move the run from the write-ahead log into the database file, so the log does not double its size.
  sqlite.pragma('wal_checkpoint(TRUNCATE)');

  const stats = repo.stats();
  report.entities.total = stats.entities;
  report.entities.stale = stats.stale;
  report.durationMs = Date.now() - started;
  return report;
}
