/**
 * The health report's aggregate reads: coverage of the fields a dependable catalog needs, counted in
 * one statement over the Components (a range of the `entities_ref` index, or `entities_owner` for one
 * team), never one query per entity. Gap lists are capped; counts are exact.
 */
import type Database from 'better-sqlite3';

/** Per-Component flags: 1 when the field is there. Owner resolves = the owner ref names an entity. */
const FLAGS = `
  WITH c AS (
    SELECT e.ref AS ref, e.owner_ref AS ownerRef, e.line AS line, s.location AS location, e.ingested_at AS ingestedAt,
      (e.owner_ref IS NOT NULL AND o.id IS NOT NULL) AS owner,
      (e.owner_ref IS NOT NULL AND o.id IS NULL) AS ownerUnresolved,
      (json_extract(e.body, '$.metadata.annotations."github.com/project-slug"') IS NOT NULL
        OR json_extract(e.body, '$.metadata.annotations."gitlab.com/project-slug"') IS NOT NULL
        OR json_extract(e.body, '$.metadata.annotations."backstage.io/source-location"') IS NOT NULL
        OR EXISTS (SELECT 1 FROM json_each(e.body, '$.metadata.links') l
          WHERE lower(coalesce(json_extract(l.value, '$.type'), '') || ' ' || coalesce(json_extract(l.value, '$.title'), '')) GLOB '*repo*')) AS repository,
      (json_extract(e.body, '$.metadata.annotations."switchboard.dev/oncall-schedule"') IS NOT NULL
        OR json_extract(e.body, '$.metadata.annotations."pagerduty.com/service-id"') IS NOT NULL
        OR json_extract(e.body, '$.metadata.annotations."pagerduty.com/integration-key"') IS NOT NULL
        OR json_extract(e.body, '$.metadata.annotations."opsgenie.com/team"') IS NOT NULL
        OR json_extract(o.body, '$.metadata.annotations."switchboard.dev/oncall-schedule"') IS NOT NULL
        OR EXISTS (SELECT 1 FROM relations r WHERE r.source_ref = e.owner_ref AND r.type = 'ownerOf'
          AND r.target_ref >= 'schedule:' AND r.target_ref < 'schedule;')) AS onCall,
      (json_extract(e.body, '$.metadata.annotations."switchboard.dev/runbook"') IS NOT NULL
        OR json_extract(e.body, '$.metadata.annotations."backstage.io/techdocs-ref"') IS NOT NULL
        OR EXISTS (SELECT 1 FROM (SELECT lower(coalesce(json_extract(l.value, '$.type'), '') || ' ' || coalesce(json_extract(l.value, '$.title'), '')) AS t
          FROM json_each(e.body, '$.metadata.links') l) WHERE t GLOB '*runbook*' OR t GLOB '*playbook*' OR t GLOB '*doc*')) AS runbookOrDocs,
      (coalesce(e.lifecycle, '') NOT IN ('', 'unknown') OR json_extract(e.body, '$.spec.tier') IS NOT NULL
        OR json_extract(e.body, '$.metadata.annotations."switchboard.dev/tier"') IS NOT NULL) AS tierOrLifecycle,
      EXISTS (SELECT 1 FROM relations d WHERE d.source_ref = e.ref AND d.type IN ('dependsOn', 'consumesApi')) AS dependencies
    FROM entities e
    JOIN sources s ON s.id = e.source_id
    LEFT JOIN entities o ON o.ref = e.owner_ref
    WHERE e.ref >= 'component:' AND e.ref < 'component;' AND (@team IS NULL OR e.owner_ref = @team)
  )`;

export const COVERAGE_FIELDS = ['owner', 'repository', 'onCall', 'runbookOrDocs', 'tierOrLifecycle', 'dependencies'] as const;
export type CoverageField = (typeof COVERAGE_FIELDS)[number];

export interface HealthRow {
  ref: string;
  ownerRef: string | null;
  location: string;
  line: number;
  ingestedAt: number;
  missing: CoverageField[];
  ownerUnresolved: boolean;
}

/** The statements, by read; exported for the query-plan guard (health-plan.test.ts). */
export const HEALTH_SQL = {
  coverage: `${FLAGS}
    SELECT count(*) AS total, ${COVERAGE_FIELDS.map((f) => `coalesce(sum(${f}), 0) AS ${f}`).join(', ')},
      coalesce(sum(ownerUnresolved), 0) AS ownerUnresolved, coalesce(sum(ingestedAt < @before), 0) AS unchanged
    FROM c`,
  gaps: `${FLAGS}
    SELECT * FROM c WHERE NOT (${COVERAGE_FIELDS.join(' AND ')}) OR ownerUnresolved ORDER BY ref LIMIT @limit`,
  unchanged: `${FLAGS} SELECT * FROM c WHERE ingestedAt < @before ORDER BY ingestedAt, ref LIMIT @limit`,
  // Sources number in the hundreds, not entities' 100k: the few failing ones are read whole.
  failingSources: `SELECT location, errors, ingested_at AS ingestedAt, last_good_at AS lastGoodAt FROM sources WHERE status = 'error' ORDER BY location`,
  groups: `SELECT ref FROM entities WHERE ref >= 'group:' AND ref < 'group;' ORDER BY ref`,
} as const;

export function createHealthReads(sqlite: Database.Database) {
  const counts = sqlite.prepare(HEALTH_SQL.coverage);
  const gaps = sqlite.prepare(HEALTH_SQL.gaps);
  const unchanged = sqlite.prepare(HEALTH_SQL.unchanged);
  const failing = sqlite.prepare(HEALTH_SQL.failingSources);
  const rowOf = (r: Record<string, unknown>): HealthRow => ({
    ref: r.ref as string,
    ownerRef: (r.ownerRef as string | null) ?? null,
    location: r.location as string,
    line: r.line as number,
    ingestedAt: r.ingestedAt as number,
    missing: COVERAGE_FIELDS.filter((f) => !r[f]),
    ownerUnresolved: !!r.ownerUnresolved,
  });
  const groups = sqlite.prepare(HEALTH_SQL.groups).pluck();
  return {
    /** Every Group, by ref (a range of the ref index): the teams a digest goes to. */
    groups: () => groups.all() as string[],
    coverage(team: string | null, before: number) {
      return counts.get({ team, before }) as Record<CoverageField | 'total' | 'ownerUnresolved' | 'unchanged', number>;
    },
    gaps: (team: string | null, limit: number) => (gaps.all({ team, limit }) as Record<string, unknown>[]).map(rowOf),
    unchanged: (team: string | null, before: number, limit: number) => (unchanged.all({ team, before, limit }) as Record<string, unknown>[]).map(rowOf),
    failingSources: () =>
      (failing.all() as { location: string; errors: string | null; ingestedAt: number; lastGoodAt: number | null }[]).map((s) => ({
        location: s.location,
        errors: s.errors ? (JSON.parse(s.errors) as { line?: number; message: string }[]) : [],
        ingestedAt: s.ingestedAt,
        lastGoodAt: s.lastGoodAt,
      })),
  };
}
