/**
 * Every SQL statement the catalog runs, prepared once. The bulk ingest path uses better-sqlite3
 * statements directly: drizzle's query builder costs more per row than the whole insert at 100k
 * entities. Reads return plain rows; the query modules turn them into answers.
 */
import type Database from 'better-sqlite3';
import type { Relation } from '../relations.js';

export type TermField = 'name' | 'title' | 'alias' | 'tag' | 'email';

export interface EntityRow {
  id: number;
  ref: string;
  kind: string;
  namespace: string;
  name: string;
  title: string | null;
  specType: string | null;
  lifecycle: string | null;
  ownerRef: string | null;
  parentRef: string | null;
  body: string;
  sourceId: number;
  line: number;
  stale: number;
  ingestedAt: number;
  sourceLocation: string;
}

export interface SourceRow {
  id: number;
  location: string;
  kind: 'file' | 'url' | 'codeowners';
  root: string;
  hash: string | null;
  status: 'ok' | 'error';
  errors: string | null;
  ingestedAt: number;
  lastGoodAt: number | null;
}

/** An entity as ingest writes it: its columns plus the rows derived from it. */
export interface NewEntity
  extends Pick<EntityRow, 'ref' | 'kind' | 'namespace' | 'name' | 'title' | 'specType' | 'lifecycle' | 'ownerRef' | 'parentRef' | 'body' | 'line'> {
  terms: { term: string; field: TermField }[];
  search: { name: string; title: string; aliases: string; tags: string } | null;
  relations: Relation[];
  /** Typo-index keys of its names (queries/similarity.ts deletionKeys). */
  fuzzyKeys: number[];
}

export interface CodeownersRuleRow {
  ord: number;
  pattern: string;
  owners: string;
  section: string | null;
  line: number;
}

const ENTITY_COLUMNS = `e.id, e.ref, e.kind, e.namespace, e.name, e.title, e.spec_type AS specType, e.lifecycle,
  e.owner_ref AS ownerRef, e.parent_ref AS parentRef, e.body, e.source_id AS sourceId, e.line, e.stale,
  e.ingested_at AS ingestedAt, s.location AS sourceLocation`;
const SOURCE_COLUMNS = `id, location, kind, root, hash, status, errors, ingested_at AS ingestedAt, last_good_at AS lastGoodAt`;

/** Kinds whose entities people ask about; Locations and Schedules are plumbing, not answers. */
export const UNSEARCHED_KINDS = new Set(['location', 'schedule']);

export function createRepo(sqlite: Database.Database) {
  const s = {
    entityByRef: sqlite.prepare(`SELECT ${ENTITY_COLUMNS} FROM entities e JOIN sources s ON s.id = e.source_id WHERE e.ref = ?`),
    entityById: sqlite.prepare(`SELECT ${ENTITY_COLUMNS} FROM entities e JOIN sources s ON s.id = e.source_id WHERE e.id = ?`),
    // Names, aliases and titles only: a common tag (`java`) would otherwise fetch thousands of rows.
    entitiesByTerm: sqlite.prepare(
      `SELECT ${ENTITY_COLUMNS}, t.field FROM entity_terms t JOIN entities e ON e.id = t.entity_id
       JOIN sources s ON s.id = e.source_id WHERE t.term = ? AND t.field IN ('name', 'alias', 'title')`,
    ),
    // A range on the unique ref index: `group:default/team-p` … for pickers.
    refsByPrefix: sqlite.prepare(`SELECT ref, name, title FROM entities WHERE ref >= ? AND ref < ? ORDER BY ref LIMIT ?`),
    termsByPrefix: sqlite.prepare(
      `SELECT DISTINCT entity_id AS id FROM entity_terms WHERE term >= ? AND term < ? LIMIT ?`,
    ),
    idsByNameKeys: sqlite.prepare(
      `SELECT DISTINCT entity_id AS id FROM name_keys WHERE key IN (SELECT value FROM json_each(?)) LIMIT ?`,
    ),
    trigramDocCounts: sqlite.prepare(`SELECT term, doc FROM entity_search_vocab WHERE term = ?`),
    searchMatch: sqlite.prepare(`SELECT rowid AS id FROM entity_search WHERE entity_search MATCH ? ORDER BY rank LIMIT ?`),
    searchRow: sqlite.prepare(`SELECT name, title, aliases, tags FROM entity_search WHERE rowid = ?`),
    relationTargets: sqlite.prepare(
      `SELECT DISTINCT target_ref AS ref FROM relations WHERE source_ref = ? AND type = ?`,
    ),
    relationTargetsOfKind: sqlite.prepare(
      `SELECT DISTINCT target_ref AS ref FROM relations WHERE source_ref = ? AND type = ? AND target_ref >= ? AND target_ref < ?`,
    ),
    countRelationTargets: sqlite.prepare(
      `SELECT count(DISTINCT target_ref) AS n FROM relations WHERE source_ref = ? AND type = ?`,
    ),
    // Dependents: whatever depends on the entity, and whatever consumes an API it provides, transitively.
    transitive: sqlite.prepare(
      `WITH RECURSIVE walk(ref, depth, via) AS (
         SELECT ?, 0, NULL
         UNION
         -- The hop into an API (providesApi / consumesApi) adds no depth: the API stands for its provider.
         SELECT r.target_ref, w.depth + (r.type NOT IN ('providesApi', 'consumesApi')), r.type FROM walk w
           JOIN relations r ON r.source_ref = w.ref AND r.type IN (?, ?, ?)
         WHERE w.depth < ?
         LIMIT ?
       )
       SELECT ref, min(depth) AS depth, via FROM walk WHERE depth > 0 AND ref NOT LIKE 'api:%' GROUP BY ref ORDER BY depth, ref`,
    ),
    // Counts dependents up to a bound; `walked` says whether the walk was cut short (API hops count
    // towards the bound but not towards the radius).
    countTransitive: sqlite.prepare(
      `WITH RECURSIVE walk(ref) AS (
         SELECT ?
         UNION
         SELECT r.target_ref FROM walk w JOIN relations r ON r.source_ref = w.ref AND r.type IN (?, ?, ?)
         LIMIT ?
       )
       SELECT count(*) FILTER (WHERE ref NOT LIKE 'api:%') - 1 AS n, count(*) AS walked FROM walk`,
    ),
    codeownersRoot: sqlite.prepare(`SELECT 1 FROM codeowners_rules WHERE repo_root = ? LIMIT 1`),
    codeownersRules: sqlite.prepare(
      `SELECT ord, pattern, owners, section, line FROM codeowners_rules WHERE repo_root = ? ORDER BY ord`,
    ),
    userByEmail: sqlite.prepare(
      `SELECT e.ref FROM entity_terms t JOIN entities e ON e.id = t.entity_id WHERE t.term = ? AND t.field = 'email' LIMIT 1`,
    ),
    // Every User claiming an e-mail or a Slack id: identity needs to know when two do (never LIMIT 1).
    usersByEmail: sqlite.prepare(
      `SELECT DISTINCT e.ref FROM entity_terms t JOIN entities e ON e.id = t.entity_id
       WHERE t.term = ? AND t.field = 'email' AND lower(e.kind) = 'user' ORDER BY e.ref`,
    ),
    // The expression and the WHERE match the partial index entities_slack_user_id (drizzle/).
    usersBySlackId: sqlite.prepare(
      `SELECT ref FROM entities WHERE lower(kind) = 'user'
       AND trim(json_extract(body, '$.metadata.annotations."switchboard.dev/slack-user-id"')) = ? ORDER BY ref`,
    ),
    entityCount: sqlite.prepare(`SELECT count(*) AS n FROM entities`),
    staleCount: sqlite.prepare(`SELECT count(*) AS n FROM entities WHERE stale = 1`),
    lastIngest: sqlite.prepare(`SELECT max(ingested_at) AS at FROM sources`),

    // Writes.
    sourceByLocation: sqlite.prepare(`SELECT ${SOURCE_COLUMNS} FROM sources WHERE location = ?`),
    sourcesByRoot: sqlite.prepare(`SELECT ${SOURCE_COLUMNS} FROM sources WHERE root = ?`),
    insertSource: sqlite.prepare(
      `INSERT INTO sources (location, kind, root, hash, status, errors, ingested_at, last_good_at)
       VALUES (@location, @kind, @root, @hash, @status, @errors, @ingestedAt, @lastGoodAt) RETURNING id`,
    ),
    updateSource: sqlite.prepare(
      `UPDATE sources SET kind = @kind, root = @root, hash = @hash, status = @status, errors = @errors,
       ingested_at = @ingestedAt, last_good_at = coalesce(@lastGoodAt, last_good_at) WHERE id = @id`,
    ),
    deleteSource: sqlite.prepare(`DELETE FROM sources WHERE id = ?`),
    entityRefsOfSource: sqlite.prepare(`SELECT id, ref, kind, body, line FROM entities WHERE source_id = ?`),
    locationsOfSource: sqlite.prepare(`SELECT body, line FROM entities WHERE source_id = ? AND lower(kind) = 'location'`),
    entityOwner: sqlite.prepare(`SELECT id, source_id AS sourceId FROM entities WHERE ref = ?`),
    upsertEntity: sqlite.prepare(
      `INSERT INTO entities (ref, kind, namespace, name, title, spec_type, lifecycle, owner_ref, parent_ref, body,
         source_id, line, stale, ingested_at)
       VALUES (@ref, @kind, @namespace, @name, @title, @specType, @lifecycle, @ownerRef, @parentRef, @body,
         @sourceId, @line, 0, @ingestedAt)
       ON CONFLICT (ref) DO UPDATE SET kind = excluded.kind, namespace = excluded.namespace, name = excluded.name,
         title = excluded.title, spec_type = excluded.spec_type, lifecycle = excluded.lifecycle,
         owner_ref = excluded.owner_ref, parent_ref = excluded.parent_ref, body = excluded.body,
         source_id = excluded.source_id, line = excluded.line, stale = 0, ingested_at = excluded.ingested_at
       RETURNING id`,
    ),
    deleteEntity: sqlite.prepare(`DELETE FROM entities WHERE id = ?`),
    markStale: sqlite.prepare(`UPDATE entities SET stale = 1 WHERE source_id = ?`),
    markEntityStale: sqlite.prepare(`UPDATE entities SET stale = 1 WHERE id = ?`),
    insertTerm: sqlite.prepare(`INSERT INTO entity_terms (term, entity_id, field) VALUES (?, ?, ?)`),
    deleteTerms: sqlite.prepare(`DELETE FROM entity_terms WHERE entity_id = ?`),
    insertSearch: sqlite.prepare(`INSERT INTO entity_search (rowid, name, title, aliases, tags) VALUES (?, ?, ?, ?, ?)`),
    deleteSearch: sqlite.prepare(`DELETE FROM entity_search WHERE rowid = ?`),
    insertRelation: sqlite.prepare(`INSERT INTO relations (source_ref, type, target_ref, origin_id) VALUES (?, ?, ?, ?)`),
    deleteRelations: sqlite.prepare(`DELETE FROM relations WHERE origin_id = ?`),
    insertNameKey: sqlite.prepare(`INSERT INTO name_keys (key, entity_id) VALUES (?, ?)`),
    deleteNameKeys: sqlite.prepare(`DELETE FROM name_keys WHERE entity_id = ?`),
    insertRule: sqlite.prepare(
      `INSERT INTO codeowners_rules (source_id, repo_root, ord, pattern, owners, section, line) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    deleteRules: sqlite.prepare(`DELETE FROM codeowners_rules WHERE source_id = ?`),
  };

  // Answers derived from rows that many queries share (people, schedules), kept until the data changes:
  // data_version moves when another connection commits; our own ingest calls invalidate().
  const dataVersion = sqlite.prepare('PRAGMA data_version').pluck();
  let version = dataVersion.get() as number;
  const memo = new Map<string, unknown>();
  const MEMO_LIMIT = 20_000;

  const DEPENDENT_TYPES = ['dependencyOf', 'providesApi', 'apiConsumedBy'] as const;
  const DEPENDENCY_TYPES = ['dependsOn', 'consumesApi', 'apiProvidedBy'] as const;

  function removeEntity(id: number): void {
    s.deleteNameKeys.run(id);
    s.deleteTerms.run(id);
    s.deleteSearch.run(id);
    s.deleteRelations.run(id);
    s.deleteEntity.run(id);
  }

  return {
    statements: s,
    /** `compute()` once per key until the catalog changes. */
    cached<T>(key: string, compute: () => T): T {
      const now = dataVersion.get() as number;
      if (now !== version || memo.size > MEMO_LIMIT) {
        memo.clear();
        version = now;
      }
      if (memo.has(key)) return memo.get(key) as T;
      const value = compute();
      memo.set(key, value);
      return value;
    },
    invalidate: () => memo.clear(),
    entityByRef: (ref: string) => s.entityByRef.get(ref) as EntityRow | undefined,
    entityById: (id: number) => s.entityById.get(id) as EntityRow | undefined,
    entitiesByTerm: (term: string) => s.entitiesByTerm.all(term) as (EntityRow & { field: string })[],
    refsByPrefix: (prefix: string, limit: number) =>
      s.refsByPrefix.all(prefix, prefix + '\uffff', limit) as { ref: string; name: string; title: string | null }[],
    idsByTermPrefix: (prefix: string, limit: number) =>
      (s.termsByPrefix.all(prefix, prefix + '\uffff', limit) as { id: number }[]).map((r) => r.id),
    idsByNameKeys: (keys: number[], limit: number) =>
      (s.idsByNameKeys.all(JSON.stringify(keys), limit) as { id: number }[]).map((r) => r.id),
    trigramDocCount: (trigram: string) => (s.trigramDocCounts.get(trigram) as { doc: number } | undefined)?.doc ?? 0,
    searchIds: (match: string, limit: number) => (s.searchMatch.all(match, limit) as { id: number }[]).map((r) => r.id),
    searchRow: (id: number) =>
      s.searchRow.get(id) as { name: string; title: string; aliases: string; tags: string } | undefined,
    relationTargets: (ref: string, type: string) => (s.relationTargets.all(ref, type) as { ref: string }[]).map((r) => r.ref),
    relationTargetsOfKind: (ref: string, type: string, kind: string) =>
      (s.relationTargetsOfKind.all(ref, type, `${kind}:`, `${kind};`) as { ref: string }[]).map((r) => r.ref),
    countRelationTargets: (ref: string, type: string) => (s.countRelationTargets.get(ref, type) as { n: number }).n,
    /** Entities that depend on `ref`, directly or through APIs, up to `depth` hops (capped at `limit`). */
    dependents: (ref: string, depth: number, limit: number) =>
      s.transitive.all(ref, ...DEPENDENT_TYPES, depth, limit) as { ref: string; depth: number; via: string }[],
    dependencies: (ref: string, depth: number, limit: number) =>
      s.transitive.all(ref, ...DEPENDENCY_TYPES, depth, limit) as { ref: string; depth: number; via: string }[],
    /** Transitive dependents, counted up to `cap`: `{ count, capped }` where capped means "or more". */
    countDependents(ref: string, cap: number): { count: number; capped: boolean } {
      const bound = 2 * cap + 2;
      const { n, walked } = s.countTransitive.get(ref, ...DEPENDENT_TYPES, bound) as { n: number; walked: number };
      return { count: Math.min(n, cap), capped: n > cap || walked >= bound };
    },
    hasCodeowners: (repoRoot: string) => s.codeownersRoot.get(repoRoot) !== undefined,
    codeownersRules: (repoRoot: string) => s.codeownersRules.all(repoRoot) as CodeownersRuleRow[],
    userRefByEmail: (email: string) => (s.userByEmail.get(email.toLowerCase()) as { ref: string } | undefined)?.ref,
    /** Refs of every User whose spec.profile.email is this address (case-insensitive). */
    usersByEmail: (email: string) => (s.usersByEmail.all(email.trim().toLowerCase()) as { ref: string }[]).map((r) => r.ref),
    /** Refs of every User whose switchboard.dev/slack-user-id annotation is this id. */
    usersBySlackId: (id: string) => (s.usersBySlackId.all(id.trim()) as { ref: string }[]).map((r) => r.ref),
    stats: () => ({
      entities: (s.entityCount.get() as { n: number }).n,
      stale: (s.staleCount.get() as { n: number }).n,
      lastIngestAt: (s.lastIngest.get() as { at: number | null }).at,
    }),

    sourceByLocation: (location: string) => s.sourceByLocation.get(location) as SourceRow | undefined,
    sourcesByRoot: (root: string) => s.sourcesByRoot.all(root) as SourceRow[],
    saveSource(row: Omit<SourceRow, 'id'> & { id?: number }): number {
      if (row.id !== undefined) {
        s.updateSource.run(row);
        return row.id;
      }
      return (s.insertSource.get(row) as { id: number }).id;
    },
    entitiesOfSource: (sourceId: number) =>
      s.entityRefsOfSource.all(sourceId) as { id: number; ref: string; kind: string; body: string; line: number }[],
    /** The Location entities a source gave, to follow their targets without re-reading the source. */
    locationsOfSource: (sourceId: number) => s.locationsOfSource.all(sourceId) as { body: string; line: number }[],
    /** The source currently holding `ref`, if any. */
    holderOf: (ref: string) => s.entityOwner.get(ref) as { id: number; sourceId: number } | undefined,
    /** `isNew`: no entity had this ref before, so there are no old rows to clear. */
    upsertEntity(entity: NewEntity, sourceId: number, ingestedAt: number, isNew = false): number {
      const { id } = s.upsertEntity.get({ ...entity, sourceId, ingestedAt }) as { id: number };
      if (!isNew) {
        s.deleteNameKeys.run(id);
        s.deleteTerms.run(id);
        s.deleteSearch.run(id);
        s.deleteRelations.run(id);
      }
      for (const t of entity.terms) s.insertTerm.run(t.term, id, t.field);
      if (entity.search) {
        const { name, title, aliases, tags } = entity.search;
        s.insertSearch.run(id, name, title, aliases, tags);
      }
      for (const r of entity.relations) s.insertRelation.run(r.source, r.type, r.target, id);
      for (const k of entity.fuzzyKeys) s.insertNameKey.run(k, id);
      return id;
    },
    removeEntity,
    markSourceStale: (sourceId: number) => s.markStale.run(sourceId),
    markEntityStale: (id: number) => s.markEntityStale.run(id),
    removeSource(sourceId: number): number {
      const rows = s.entityRefsOfSource.all(sourceId) as { id: number }[];
      for (const r of rows) removeEntity(r.id);
      s.deleteRules.run(sourceId);
      s.deleteSource.run(sourceId);
      return rows.length;
    },
    /**
     * Bulk loading into an empty catalog: drops the secondary indexes of the big tables, to be rebuilt
     * by sorting once at the end (much faster than a million random B-tree inserts). The unique ref
     * index stays: upserts and conflict checks need it. Returns the function that rebuilds them.
     */
    suspendIndexes(): () => void {
      const rows = sqlite
        .prepare(
          `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
           AND tbl_name IN ('entities', 'relations', 'entity_terms', 'name_keys') AND name <> 'entities_ref'`,
        )
        .all() as { name: string; sql: string }[];
      for (const r of rows) sqlite.exec(`DROP INDEX "${r.name}"`);
      return () => rows.forEach((r) => sqlite.exec(r.sql));
    },
    replaceCodeownersRules(sourceId: number, repoRoot: string, rules: Omit<CodeownersRuleRow, 'ord'>[]): void {
      s.deleteRules.run(sourceId);
      rules.forEach((r, ord) => s.insertRule.run(sourceId, repoRoot, ord, r.pattern, r.owners, r.section, r.line));
    },
  };
}

export type CatalogRepo = ReturnType<typeof createRepo>;
