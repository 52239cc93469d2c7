/**
 * The catalog's health: how much of what a dependable catalog needs is there (over Components, or one
 * team's), what nobody changed or confirmed lately, what fails, and what people asked for and did not
 * find. Counts come from the catalog's aggregate reads (src/catalog/store/health.ts); each line says
 * what to fix and where. The JSON shape is a stable interface (docs/cli.md, "health").
 */
import type { Catalog, CoverageField, HealthRow } from '../catalog/index.js';
import { COVERAGE_FIELDS } from '../catalog/index.js';
import type { OnCallProviders } from '../oncall/contract.js';
import type { CatalogTruth } from '../state/truth.js';

const DAY = 24 * 60 * 60 * 1000;
/** Gap lists are capped so a 100k catalog's report stays readable; counts are always exact. */
export const GAP_LIMIT = 50;

export interface HealthReport {
  team: string | null;
  generatedAt: string;
  days: number;
  components: number;
  coverage: Record<CoverageField, { count: number; percent: number }>;
  gaps: { ref: string; missing: CoverageField[]; fix: string }[];
  unresolvedOwners: { count: number; entities: { ref: string; ownerRef: string; fix: string }[] };
  /** Neither changed (ingested) nor confirmed by its owner in `days`. */
  unverified: { ref: string; changedAt: string; fix: string }[];
  failingSources: { location: string; problems: string[]; lastGoodAt: string | null }[];
  failingProviders: { provider: string; detail: string }[];
  /** Chat questions in `days` that found nothing: the catalog's gaps, most asked first (the whole catalog's report only). */
  notFound: { query: string; count: number; lastAt: string; fix: string }[];
  /** Chat questions in `days` that matched several entities and so answered nobody (the whole catalog's report only). */
  ambiguous: { query: string; count: number; lastAt: string; fix: string }[];
}

export interface HealthInputs {
  catalog: Pick<Catalog, 'health'>;
  truth: Pick<CatalogTruth, 'attestations' | 'questionCounts'>;
  providers?: Pick<OnCallProviders, 'statuses'>;
  team?: string | null;
  days?: number;
  now?: Date;
}

const where = (r: HealthRow) => `${r.location}${r.line ? `:${r.line}` : ''}`;
const pct = (n: number, total: number) => (total ? Math.round((n / total) * 1000) / 10 : 0);

export async function healthReport(inputs: HealthInputs): Promise<HealthReport> {
  const now = inputs.now ?? new Date();
  const days = inputs.days ?? 90;
  const team = inputs.team ?? null;
  const before = now.getTime() - days * DAY;
  const reads = inputs.catalog.health;
  const counts = reads.coverage(team, before);
  const coverage = Object.fromEntries(COVERAGE_FIELDS.map((f) => [f, { count: counts[f], percent: pct(counts[f], counts.total) }])) as HealthReport['coverage'];
  const gapRows = reads.gaps(team, GAP_LIMIT);
  // Unchanged in `days`, then dropped if the owner confirmed it since: one read of the attestations.
  const stale = reads.unchanged(team, before, GAP_LIMIT * 4);
  const confirmed = await inputs.truth.attestations(stale.map((r) => r.ref));
  const unverified = stale
    .filter((r) => {
      const a = confirmed.get(r.ref);
      return !(a && a.verdict === 'confirmed' && a.at >= before);
    })
    .slice(0, GAP_LIMIT);
  const statuses = inputs.providers ? inputs.providers.statuses() : [];
  // Such a question names no entity, so it belongs to no team: only the whole catalog's report lists them.
  const asked = (status: 'not_found' | 'ambiguous') => (team ? Promise.resolve([]) : inputs.truth.questionCounts({ since: before, status, limit: GAP_LIMIT }));
  const [notFound, ambiguous] = await Promise.all([asked('not_found'), asked('ambiguous')]);
  const question = (fix: (query: string) => string) => (q: Awaited<ReturnType<typeof asked>>[number]) => ({
    query: q.query,
    count: q.count,
    lastAt: new Date(q.lastAt).toISOString(),
    fix: fix(q.query),
  });
  return {
    team,
    generatedAt: now.toISOString(),
    days,
    components: counts.total,
    coverage,
    gaps: gapRows.filter((r) => r.missing.length).map((r) => ({ ref: r.ref, missing: r.missing, fix: `add ${r.missing.join(', ')} in ${where(r)}` })),
    unresolvedOwners: {
      count: counts.ownerUnresolved,
      entities: gapRows
        .filter((r) => r.ownerUnresolved && r.ownerRef)
        .map((r) => ({ ref: r.ref, ownerRef: r.ownerRef!, fix: `${r.ownerRef} names no entity: fix spec.owner in ${where(r)}` })),
    },
    unverified: unverified.map((r) => ({ ref: r.ref, changedAt: new Date(r.ingestedAt).toISOString(), fix: `confirm or update ${where(r)}` })),
    failingSources: reads.failingSources().map((s) => ({
      location: s.location,
      problems: s.errors.map((e) => (e.line ? `line ${e.line}: ${e.message}` : e.message)),
      lastGoodAt: s.lastGoodAt ? new Date(s.lastGoodAt).toISOString() : null,
    })),
    failingProviders: statuses.filter((s) => s.configured && !s.ok).map((s) => ({ provider: s.title, detail: s.lastError ?? 'failing' })),
    notFound: notFound.map(question((query) => `add an entity named "${query}" (or an alias for it)`)),
    ambiguous: ambiguous.map(question((query) => `several entities answer to "${query}": give them distinct names or titles, or ask by the full ref`)),
  };
}

/** The report as the terminal prints it. */
export function renderHealth(r: HealthReport): string {
  const lines = [`Catalog health${r.team ? ` for ${r.team}` : ''}: ${r.components} Components`];
  for (const f of COVERAGE_FIELDS) lines.push(`  ${f.padEnd(16)} ${String(r.coverage[f].count).padStart(6)}  ${r.coverage[f].percent}%`);
  const section = (title: string, items: string[]) => {
    if (items.length) lines.push('', title, ...items.map((i) => `  - ${i}`));
  };
  section(
    'Missing fields:',
    r.gaps.map((g) => `${g.ref}: ${g.fix}`),
  );
  section(
    `Owners that resolve to nothing (${r.unresolvedOwners.count}):`,
    r.unresolvedOwners.entities.map((e) => `${e.ref}: ${e.fix}`),
  );
  section(
    `Not changed or verified in ${r.days} days:`,
    r.unverified.map((u) => `${u.ref} (changed ${u.changedAt}): ${u.fix}`),
  );
  section(
    'Failing sources:',
    r.failingSources.map((s) => `${s.location}: ${s.problems.join('; ') || 'failing'}`),
  );
  section(
    'Failing on-call providers:',
    r.failingProviders.map((p) => `${p.provider}: ${p.detail}`),
  );
  section(
    'Asked and not found:',
    r.notFound.map((q) => `"${q.query}" ×${q.count}: ${q.fix}`),
  );
  section(
    'Asked and ambiguous:',
    r.ambiguous.map((q) => `"${q.query}" ×${q.count}: ${q.fix}`),
  );
  return lines.join('\n');
}
