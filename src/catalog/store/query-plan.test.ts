/**
 * Every statement on a request path must use an index: EXPLAIN QUERY PLAN of each read statement
 * may not show a full scan of a catalog table.
 */
import { describe, expect, it } from 'vitest';
import { openDb } from '../../db/open.js';
import { createRepo } from './repo.js';

const REQUEST_PATH = [
  'entityByRef',
  'entityById',
  'entitiesByTerm',
  'termsByPrefix',
  'trigramDocCounts',
  'idsByNameKeys',
  'searchMatch',
  'searchRow',
  'relationTargets',
  'relationTargetsOfKind',
  'countRelationTargets',
  'transitive',
  'countTransitive',
  'codeownersRoot',
  'codeownersRules',
  'userByEmail',
  'sourceByLocation',
  'sourcesByRoot',
  'entityRefsOfSource',
  'locationsOfSource',
  'entityOwner',
  'refsByPrefix',
] as const;

const TABLES = ['entities', 'relations', 'entity_terms', 'sources', 'codeowners_rules'];

describe('query plans', () => {
  const { sqlite } = openDb(':memory:');
  const repo = createRepo(sqlite);

  /** Plan lines that read a whole catalog table; aliased tables are reported by alias (e, s, t, r). */
  function fullScans(sql: string): string[] {
    const params = (sql.match(/\?/g) ?? []).map(() => 'x');
    const plan = sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
    return plan.map((r) => r.detail).filter((d) => new RegExp(`^SCAN (${TABLES.join('|')}|e|s|t|r)( |$)`).test(d));
  }

  it('the check itself flags a full scan', () => {
    expect(fullScans('SELECT id FROM entities WHERE lifecycle = ?')).toEqual(['SCAN entities']);
  });

  for (const name of REQUEST_PATH) {
    it(`${name} uses an index`, () => {
      expect({ statement: name, scans: fullScans(repo.statements[name].source) }).toEqual({ statement: name, scans: [] });
    });
  }
});
