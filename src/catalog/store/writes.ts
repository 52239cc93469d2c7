/**
 * What ingest reads and writes: source rows, entities with their derived rows (terms, search,
 * relations, typo keys) and CODEOWNERS rules, over the prepared statements.
 */
import type Database from 'better-sqlite3';
import type { CodeownersRuleRow, NewEntity, SourceRow } from './rows.js';
import { suspendIndexes, type Statements } from './statements.js';

export function createWrites(s: Statements, sqlite: Database.Database) {
  function removeEntity(id: number): void {
    s.deleteNameKeys.run(id);
    s.deleteTerms.run(id);
    s.deleteSearch.run(id);
    s.deleteRelations.run(id);
    s.deleteEntity.run(id);
  }

  return {
    sourceByLocation: (location: string) => s.sourceByLocation.get(location) as SourceRow | undefined,
    sourcesByRoot: (root: string) => s.sourcesByRoot.all(root) as SourceRow[],
    saveSource(row: Omit<SourceRow, 'id'> & { id?: number }): number {
      if (row.id !== undefined) {
        s.updateSource.run(row);
        return row.id;
      }
      return (s.insertSource.get(row) as { id: number }).id;
    },
    entitiesOfSource: (sourceId: number) => s.entityRefsOfSource.all(sourceId) as { id: number; ref: string; kind: string; body: string; line: number }[],
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
    /** Drops the big tables' secondary indexes for a bulk load; returns the function that rebuilds them. */
    suspendIndexes: () => suspendIndexes(sqlite),
    replaceCodeownersRules(sourceId: number, repoRoot: string, rules: Omit<CodeownersRuleRow, 'ord'>[]): void {
      s.deleteRules.run(sourceId);
      rules.forEach((r, ord) => s.insertRule.run(sourceId, repoRoot, ord, r.pattern, r.owners, r.section, r.line));
    },
  };
}
