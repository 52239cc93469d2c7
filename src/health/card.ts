/**
 * The health report as a chat card (the reply model of src/conversation/reply.ts): coverage as fields,
 * each gap list cut by the renderer, every item naming what to fix. Private: it is the asker's to act on.
 */
import type { Block, Reply } from '../conversation/reply.js';
import { COVERAGE_FIELDS, type CoverageField } from '../catalog/index.js';
import type { HealthReport } from './report.js';

export const FIELD_LABELS: Record<CoverageField, string> = {
  owner: 'Owning team',
  repository: 'Repository',
  onCall: 'On-call',
  runbookOrDocs: 'Runbook or docs',
  tierOrLifecycle: 'Tier or lifecycle',
  dependencies: 'Dependencies',
};

export function healthCard(r: HealthReport): Reply {
  const title = `Catalog health${r.team ? ` for ${r.team}` : ''}`;
  const blocks: Block[] = [
    { type: 'header', text: title },
    { type: 'context', text: [`${r.components} Components`] },
    { type: 'fields', fields: COVERAGE_FIELDS.map((f) => ({ label: FIELD_LABELS[f], value: [`${r.coverage[f].count} (${r.coverage[f].percent}%)`] })) },
  ];
  const list = (heading: string, items: Extract<Block, { type: 'list' }>['items']) => {
    if (items.length) blocks.push({ type: 'list', title: heading, items });
  };
  list(
    'Missing fields',
    r.gaps.map((g) => [{ code: g.ref }, `: ${g.fix}`]),
  );
  list(
    `Owners that resolve to nothing (${r.unresolvedOwners.count})`,
    r.unresolvedOwners.entities.map((e) => [{ code: e.ref }, `: ${e.fix}`]),
  );
  list(
    `Not changed or verified in ${r.days} days`,
    r.unverified.map((u) => [{ code: u.ref }, `: ${u.fix}`]),
  );
  list(
    'Failing sources',
    r.failingSources.map((s) => [{ code: s.location }, `: ${s.problems.join('; ') || 'failing'}`]),
  );
  list(
    'Failing on-call providers',
    r.failingProviders.map((p) => [{ bold: p.provider }, `: ${p.detail}`]),
  );
  list(
    'Asked and not found',
    r.notFound.map((q) => [`"${q.query}" ×${q.count}: ${q.fix}`]),
  );
  list(
    'Asked and ambiguous',
    r.ambiguous.map((q) => [`"${q.query}" ×${q.count}: ${q.fix}`]),
  );
  const covered = r.components ? Math.min(...COVERAGE_FIELDS.map((f) => r.coverage[f].percent)) : 0;
  return { summary: `${title}: ${r.components} Components, lowest coverage ${covered}%`, blocks, visibility: 'private' };
}
