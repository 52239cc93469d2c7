/**
 * The catalog's public face: open a SQLite file, ingest sources, ask questions. Nothing outside
 * src/catalog sees SQLite or drizzle types.
 */
import { runIngest, type IngestOptions, type IngestReport } from './ingest/ingest.js';
import { deps, runbook, whoOwns } from './queries/answers.js';
import { personOf, summarize } from './queries/facts.js';
import { findMentions } from './queries/mentions.js';
import { canonicalRef } from './ref.js';
import { openDb } from '../db/open.js';
import { createRepo } from './store/repo.js';

export type { IngestProblem, IngestReport } from './ingest/ingest.js';
export type * from './queries/types.js';
import type { EntitySummary, Person } from './queries/types.js';
export { BLAST_RADIUS_CAP } from './queries/answers.js';
export { displayLocation } from './queries/facts.js';

export interface Catalog {
  ingest(paths: string[], options?: IngestOptions): Promise<IngestReport>;
  whoOwns(query: string, at?: Date): ReturnType<typeof whoOwns>;
  runbook(query: string, at?: Date): ReturnType<typeof runbook>;
  deps(query: string, depth?: number): ReturnType<typeof deps>;
  /** The entity with exactly this ref (`kind:namespace/name`, or `name` for a Component); never fuzzy. */
  getEntity(ref: string): EntitySummary | null;
  /** Entities (services, APIs, resources, systems) named by whole name or alias in free text. */
  findMentions(text: string, limit?: number): EntitySummary[];
  /**
   * The catalog User an identity names: a user ref, a bare user name or an e-mail address. Null when
   * the catalog has no such user: self-service then knows the person only by their chat id.
   */
  person(id: string): Person | null;
  /** Entities of one kind whose name starts with `text` (default namespace), for pickers; by name. */
  suggest(kind: string, text: string, limit?: number): { ref: string; name: string; title: string | null }[];
  stats(): { entities: number; stale: number; lastIngestAt: number | null };
  close(): void;
}

export function openCatalog(file: string): Catalog {
  const { sqlite } = openDb(file);
  const repo = createRepo(sqlite);
  // Runs are serialised: one SQLite write transaction at a time, and a later run sees the earlier one.
  let last: Promise<unknown> = Promise.resolve();
  return {
    ingest(paths, options) {
      const run = last.then(() => runIngest(sqlite, repo, paths, options));
      last = run.catch(() => undefined);
      return run;
    },
    whoOwns: (query, at) => whoOwns(repo, query, at),
    runbook: (query, at) => runbook(repo, query, at),
    deps: (query, depth) => deps(repo, query, depth),
    getEntity(ref) {
      try {
        const row = repo.entityByRef(canonicalRef(ref, { defaultKind: 'component' }));
        return row ? summarize(row) : null;
      } catch {
        return null;
      }
    },
    findMentions: (text, limit) => findMentions(repo, text, limit).map(summarize),
    person(id) {
      const v = id.trim().toLowerCase();
      let ref: string | undefined;
      if (v.includes('@') && !v.startsWith('user:')) ref = repo.userRefByEmail(v);
      else {
        try {
          ref = canonicalRef(v, { defaultKind: 'user' });
        } catch {
          return null;
        }
      }
      if (!ref || !ref.startsWith('user:') || !repo.entityByRef(ref)) return null;
      return personOf(repo, ref);
    },
    suggest(kind, text, limit = 20) {
      const prefix = `${kind.toLowerCase()}:default/${text.trim().toLowerCase().replace(/^[^:]*:(default\/)?/, '')}`;
      return repo.refsByPrefix(prefix, Math.min(Math.max(limit, 1), 100));
    },
    stats: () => repo.stats(),
    close: () => sqlite.close(),
  };
}
