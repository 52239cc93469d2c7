/**
 * The catalog's public face: open a SQLite file, ingest sources, ask questions. Nothing outside
 * src/catalog sees SQLite or drizzle types.
 */
import { isAbsolute } from 'node:path';
import { runIngest, type IngestOptions, type IngestReport, type IngestRoot } from './ingest/ingest.js';
import { ingestInWorker, type WorkerRun } from './ingest/thread.js';
import { deps, responsible, runbook, whoOwns } from './queries/answers.js';
import { bodyOf, membersOf, onCallFor, ownerOf, personOf, summarize } from './queries/facts.js';
import { identify, withClaims } from './queries/identity.js';
import { findMentions } from './queries/mentions.js';
import { CatalogError } from './errors.js';
import { canonicalRef } from './ref.js';
import { openDb } from '../db/open.js';
import { createRepo } from './store/repo.js';
import { createHealthReads } from './store/health.js';

export type { IngestLimits, IngestOptions, IngestProblem, IngestReport, IngestRoot } from './ingest/ingest.js';
export { DEFAULT_LIMITS } from './ingest/ingest.js';
export { ANY_KIND, DEFAULT_GLOBAL_KINDS, kindRule, unionRules, type KindRule } from './rules.js';
export type * from './queries/types.js';
export { CHAT_PLATFORMS, PLATFORM_NAMES } from './queries/types.js';
export { CHAT_ID_ANNOTATIONS } from './entity.js';
export { chatIdsOf, sameAccount, sameChatId } from './chat-ids.js';
export type { ChatAccount } from './queries/identity.js';
import type { ChatAccount } from './queries/identity.js';
import type { OnCallSubject } from '../oncall/contract.js';
import type { EntitySummary, IdentityMatch, OnCall, Person, Responsible } from './queries/types.js';
export { BLAST_RADIUS_CAP } from './queries/answers.js';
export { displayLocation } from './queries/facts.js';
export { COVERAGE_FIELDS, type CoverageField, type HealthRow } from './store/health.js';

export interface Catalog {
  /**
   * Ingests operator-listed paths and URLs: a plain string may define any kind; an IngestRoot carries
   * its own rule. `options` add to (and override) the defaults given to openCatalog. Runs one at a time,
   * each in a worker thread (except a `:memory:` catalog): answers meanwhile come from the last committed
   * catalog. A worker run that fails or crashes rejects with a CatalogError (`ingest_failed`) and changes
   * nothing.
   */
  ingest(paths: (string | IngestRoot)[], options?: IngestOptions): Promise<IngestReport>;
  whoOwns(query: string, at?: Date): ReturnType<typeof whoOwns>;
  runbook(query: string, at?: Date): ReturnType<typeof runbook>;
  deps(query: string, depth?: number): ReturnType<typeof deps>;
  /** The entity with exactly this ref (`kind:namespace/name`, or `name` for a Component); never fuzzy. */
  getEntity(ref: string): EntitySummary | null;
  /**
   * The entity with exactly this ref as the on-call providers and paging read it: its annotations and
   * owner as ingested (src/oncall/contract.ts OnCallSubject), with its title; null when not in the catalog.
   */
  onCallSubject(ref: string): (OnCallSubject & { title: string }) | null;
  /**
   * The descriptor file the entity with exactly this ref was read from (an absolute path), or null: no
   * such entity, or it came from a remote source (a URL, Backstage), which is no file to change.
   */
  descriptorFile(ref: string): string | null;
  /** Who the catalog's own Schedules put on call for the entity with exactly this ref (the `schedule` provider). */
  scheduleOnCall(ref: string, at?: Date): OnCall[];
  /** Entities (services, APIs, resources, systems) named by whole name or alias in free text. */
  findMentions(text: string, limit?: number): EntitySummary[];
  /**
   * The catalog User an identity names: a user ref, a bare user name or an e-mail address. Null when
   * the catalog has no such user, or when two Users claim the e-mail: self-service then knows the
   * person only by their chat id.
   */
  person(id: string): Person | null;
  /**
   * Which User a chat account the platform verified is: by the Slack id (annotation), else by the
   * e-mail the platform reports for it; two claimants make it ambiguous (see IdentityMatch).
   */
  identify(account: ChatAccount): IdentityMatch;
  /** Who answers for the entity with exactly this ref, for approvals (never fuzzy); null if none. */
  responsible(ref: string, at?: Date): Responsible | null;
  /** Every member of the Group with exactly this ref (Backstage defaults: kind group); null if no such Group. */
  groupMembers(ref: string): Person[] | null;
  /** Entities of one kind whose name starts with `text` (default namespace), for pickers; by name. */
  suggest(kind: string, text: string, limit?: number): { ref: string; name: string; title: string | null }[];
  /** What the Group (or User) with exactly this ref owns directly (its ownerOf relations), by ref. */
  ownedBy(ref: string): EntitySummary[];
  stats(): { entities: number; stale: number; lastIngestAt: number | null };
  /** The health report's aggregate reads over Components (all, or one owning team's): src/catalog/store/health.ts. */
  health: ReturnType<typeof createHealthReads>;
  /** Stops an ingest in progress (it rejects, committing nothing) and closes the file. */
  close(): void;
}

/** `defaults`: the catalog rules, fetch allow-list and limits from the config file, for every ingest. */
export function openCatalog(file: string, defaults: IngestOptions = {}): Catalog {
  const { sqlite } = openDb(file);
  const repo = createRepo(sqlite);
  const health = createHealthReads(sqlite);
  /** The entity with exactly this ref (a bare name is of `defaultKind`); null for none or an unparsable ref. */
  const exactRow = (ref: string, defaultKind = 'component') => {
    try {
      return repo.entityByRef(canonicalRef(ref, { defaultKind })) ?? null;
    } catch {
      return null;
    }
  };
  // A file catalog ingests in a worker thread with its own connection, so a 100k-entity run never blocks
  // the answers this connection gives meanwhile (from the last committed snapshot). A `:memory:` database
  // exists only on this connection: it ingests here, on the event loop, as tests need no more.
  const inProcess = file === ':memory:' || file === '';
  // Runs are serialised: one SQLite write transaction at a time, and a later run sees the earlier one.
  let last: Promise<unknown> = Promise.resolve();
  let running: WorkerRun | undefined;
  let closed = false;
  const runOnce = async (paths: (string | IngestRoot)[], options: IngestOptions): Promise<IngestReport> => {
    if (closed) throw new CatalogError('ingest_failed', `Catalog ${file} was closed before this ingest could start`);
    if (inProcess) return runIngest(sqlite, repo, paths, options);
    running = ingestInWorker(file, paths, options);
    try {
      return await running.done;
    } finally {
      running = undefined;
      // Another connection wrote: nothing this one derived from the old rows may answer again.
      repo.invalidate();
    }
  };
  return {
    ingest(paths, options) {
      const run = last.then(() => runOnce(paths, { ...defaults, ...options }));
      last = run.catch(() => undefined);
      return run;
    },
    whoOwns: (query, at) => whoOwns(repo, query, at),
    runbook: (query, at) => runbook(repo, query, at),
    deps: (query, depth) => deps(repo, query, depth),
    getEntity(ref) {
      const row = exactRow(ref);
      return row ? summarize(row) : null;
    },
    onCallSubject(ref) {
      const row = exactRow(ref);
      if (!row) return null;
      const body = bodyOf(row);
      const annotations = Object.fromEntries(Object.entries(body.metadata.annotations ?? {}).filter(([, v]) => typeof v === 'string')) as Record<
        string,
        string
      >;
      return { ref: row.ref, title: row.title ?? row.name, annotations, ownerRef: row.ownerRef };
    },
    descriptorFile(ref) {
      const location = exactRow(ref)?.sourceLocation;
      return location && isAbsolute(location) ? location : null;
    },
    scheduleOnCall(ref, at = new Date()) {
      const row = exactRow(ref);
      return row ? onCallFor(repo, row, ownerOf(repo, row), at) : [];
    },
    findMentions: (text, limit) => findMentions(repo, text, limit).map(summarize),
    person(id) {
      const v = id.trim().toLowerCase();
      let ref: string | undefined;
      if (v.includes('@') && !v.startsWith('user:')) {
        const claimed = repo.usersByEmail(v);
        ref = claimed.length === 1 ? claimed[0] : undefined;
      } else {
        try {
          ref = canonicalRef(v, { defaultKind: 'user' });
        } catch {
          return null;
        }
      }
      if (!ref || !ref.startsWith('user:') || !repo.entityByRef(ref)) return null;
      return personOf(repo, ref);
    },
    identify: (account) => identify(repo, account),
    responsible: (ref, at) => responsible(repo, ref, at),
    groupMembers(ref) {
      let exact: string;
      try {
        exact = canonicalRef(ref, { defaultKind: 'group' });
      } catch {
        return null;
      }
      const row = exact.startsWith('group:') ? repo.entityByRef(exact) : undefined;
      return row ? membersOf(repo, exact).map((p) => withClaims(repo, p)) : null;
    },
    ownedBy(ref) {
      let exact: string;
      try {
        exact = canonicalRef(ref, { defaultKind: 'group' });
      } catch {
        return [];
      }
      return repo
        .relationTargets(exact, 'ownerOf')
        .sort()
        .flatMap((r) => {
          const row = repo.entityByRef(r);
          return row ? [summarize(row)] : [];
        });
    },
    suggest(kind, text, limit = 20) {
      const prefix = `${kind.toLowerCase()}:default/${text
        .trim()
        .toLowerCase()
        .replace(/^[^:]*:(default\/)?/, '')}`;
      return repo.refsByPrefix(prefix, Math.min(Math.max(limit, 1), 100));
    },
    stats: () => repo.stats(),
    health,
    close() {
      closed = true;
      running?.terminate();
      sqlite.close();
    },
  };
}
