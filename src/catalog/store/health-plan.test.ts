/**
 * The health report's reads stay aggregate at 100k entities: each reads the Components through a range
 * of an index (entities_ref, or entities_owner for one team), never a full scan of entities or relations.
 */
import { describe, expect, it } from 'vitest';
import { openDb } from '../../db/open.js';
import { HEALTH_SQL } from './health.js';

const PARAMS = { team: null, before: 0, limit: 50 };

describe('health query plans', () => {
  const { sqlite } = openDb(':memory:');
  const plan = (sql: string, params: Record<string, unknown>) =>
    (sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail);
  const params = (sql: string) => Object.fromEntries(Object.entries(PARAMS).filter(([k]) => sql.includes(`@${k}`)));

  for (const name of ['coverage', 'gaps', 'unchanged', 'groups'] as const) {
    it(`${name} scans no catalog table`, () => {
      const sql = HEALTH_SQL[name];
      const scans = plan(sql, params(sql)).filter((d) => /^SCAN (e|o|r|d|s|entities|relations|sources)\b(?! USING (COVERING )?INDEX)/.test(d));
      expect(scans).toEqual([]);
      expect(plan(sql, params(sql)).join('\n')).toMatch(/USING (COVERING )?INDEX entities_ref|USING INDEX entities_owner/);
    });
  }

  it("one team's coverage reads its Components by the owner index", () => {
    expect(plan(HEALTH_SQL.coverage, { team: 'group:default/payments', before: 0 }).join('\n')).toMatch(/entities_(owner|ref)/);
  });
});
