/**
 * Every SQL statement the catalog runs, prepared once. The bulk ingest path uses better-sqlite3
 * statements directly: drizzle's query builder costs more per row than the whole insert at 100k
 * entities. All SQL lives in this file so the query-plan test (query-plan.test.ts) can check each
 * statement; reads.ts and writes.ts only run them.
 */
import type Database from 'better-sqlite3';

const ENTITY_COLUMNS = `e.id, e.ref, e.kind, e.namespace, e.name, e.title, e.spec_type AS specType, e.lifecycle,
  e.owner_ref AS ownerRef, e.parent_ref AS parentRef, e.body, e.source_id AS sourceId, e.line, e.stale,
  e.ingested_at AS ingestedAt, s.location AS sourceLocation`;
const SOURCE_COLUMNS = `id, location, kind, root, hash, status, errors, ingested_at AS ingestedAt, last_good_at AS lastGoodAt`;

export function prepareStatements(sqlite: Database.Database) {
  return {
    entityByRef: sqlite.prepare(`SELECT ${ENTITY_COLUMNS} FROM entities e JOIN sources s ON s.id = e.source_id WHERE e.ref = ?`),
    entityById: sqlite.prepare(`SELECT ${ENTITY_COLUMNS} FROM entities e JOIN sources s ON s.id = e.source_id WHERE e.id = ?`),
    // Names, aliases and titles only: a common tag (`java`) would otherwise fetch thousands of rows.
    entitiesByTerm: sqlite.prepare(
      `SELECT ${ENTITY_COLUMNS}, t.field FROM entity_terms t JOIN entities e ON e.id = t.entity_id
       JOIN sources s ON s.id = e.source_id WHERE t.term = ? AND t.field IN ('name', 'alias', 'title')`,
    ),
    // A range on the unique ref index: `group:default/team-p` … for pickers.
    refsByPrefix: sqlite.prepare(`SELECT ref, name, title FROM entities WHERE ref >= ? AND ref < ? ORDER BY ref LIMIT ?`),
    termsByPrefix: sqlite.prepare(`SELECT DISTINCT entity_id AS id FROM entity_terms WHERE term >= ? AND term < ? LIMIT ?`),
    idsByNameKeys: sqlite.prepare(`SELECT DISTINCT entity_id AS id FROM name_keys WHERE key IN (SELECT value FROM json_each(?)) LIMIT ?`),
    trigramDocCounts: sqlite.prepare(`SELECT term, doc FROM entity_search_vocab WHERE term = ?`),
    searchMatch: sqlite.prepare(`SELECT rowid AS id FROM entity_search WHERE entity_search MATCH ? ORDER BY rank LIMIT ?`),
    searchRow: sqlite.prepare(`SELECT name, title, aliases, tags FROM entity_search WHERE rowid = ?`),
    relationTargets: sqlite.prepare(`SELECT DISTINCT target_ref AS ref FROM relations WHERE source_ref = ? AND type = ?`),
    relationTargetsOfKind: sqlite.prepare(
      `SELECT DISTINCT target_ref AS ref FROM relations WHERE source_ref = ? AND type = ? AND target_ref >= ? AND target_ref < ?`,
    ),
    countRelationTargets: sqlite.prepare(`SELECT count(DISTINCT target_ref) AS n FROM relations WHERE source_ref = ? AND type = ?`),
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
    codeownersRules: sqlite.prepare(`SELECT ord, pattern, owners, section, line FROM codeowners_rules WHERE repo_root = ? ORDER BY ord`),
    userByEmail: sqlite.prepare(`SELECT e.ref FROM entity_terms t JOIN entities e ON e.id = t.entity_id WHERE t.term = ? AND t.field = 'email' LIMIT 1`),
    // Every User claiming an e-mail or a Slack id: identity needs to know when two do (never LIMIT 1).
    usersByEmail: sqlite.prepare(
      `SELECT DISTINCT e.ref FROM entity_terms t JOIN entities e ON e.id = t.entity_id
       WHERE t.term = ? AND t.field = 'email' AND lower(e.kind) = 'user' ORDER BY e.ref`,
    ),
    // The expressions and the WHERE match the partial indexes entities_slack_user_id and
    // entities_teams_user_id (drizzle/), one per chat platform's annotation.
    usersBySlackId: sqlite.prepare(
      `SELECT ref FROM entities WHERE lower(kind) = 'user'
       AND trim(json_extract(body, '$.metadata.annotations."switchboard.dev/slack-user-id"')) = ? ORDER BY ref`,
    ),
    usersByTeamsId: sqlite.prepare(
      `SELECT ref FROM entities WHERE lower(kind) = 'user'
       AND lower(trim(json_extract(body, '$.metadata.annotations."graph.microsoft.com/user-id"'))) = ? ORDER BY ref`,
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
    insertRule: sqlite.prepare(`INSERT INTO codeowners_rules (source_id, repo_root, ord, pattern, owners, section, line) VALUES (?, ?, ?, ?, ?, ?, ?)`),
    deleteRules: sqlite.prepare(`DELETE FROM codeowners_rules WHERE source_id = ?`),
    // Moves when another connection commits (reads.ts keeps its memo until then).
    dataVersion: sqlite.prepare('PRAGMA data_version').pluck(),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;

/**
 * Bulk loading into an empty catalog: drops the secondary indexes of the big tables, to be rebuilt
 * by sorting once at the end (much faster than a million random B-tree inserts). The unique ref
 * index stays: upserts and conflict checks need it. Returns the function that rebuilds them.
 */
export function suspendIndexes(sqlite: Database.Database): () => void {
  const rows = sqlite
    .prepare(
      `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
       AND tbl_name IN ('entities', 'relations', 'entity_terms', 'name_keys') AND name <> 'entities_ref'`,
    )
    .all() as { name: string; sql: string }[];
  for (const r of rows) sqlite.exec(`DROP INDEX "${r.name}"`);
  return () => rows.forEach((r) => sqlite.exec(r.sql));
}
