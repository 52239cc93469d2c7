/**
 * The catalog store: every SQL statement prepared once (statements.ts), the request-path reads
 * (reads.ts) and what ingest writes (writes.ts), behind one object. Storage types stay in here.
 */
import type Database from 'better-sqlite3';
import { createReads } from './reads.js';
import { prepareStatements } from './statements.js';
import { createWrites } from './writes.js';

export type { CodeownersRuleRow, EntityRow, NewEntity, SourceRow, TermField } from './rows.js';

/** Kinds whose entities people ask about; Locations and Schedules are plumbing, not answers. */
export const UNSEARCHED_KINDS = new Set(['location', 'schedule']);

export function createRepo(sqlite: Database.Database) {
  const s = prepareStatements(sqlite);
  return { statements: s, ...createReads(s), ...createWrites(s, sqlite) };
}

export type CatalogRepo = ReturnType<typeof createRepo>;
