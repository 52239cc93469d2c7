/**
 * From what a person typed to an entity: exact ref, then exact name / title / alias (case-insensitive),
 * then fuzzy. Every step is an index lookup; the fuzzy step starts from the query's rarest trigrams in
 * the FTS5 trigram index and ranks a bounded candidate set in memory.
 */
import { canonicalRef } from '../ref.js';
import type { CatalogRepo, EntityRow } from '../store/repo.js';
import { entitySimilarity, trigrams } from './similarity.js';

export interface Candidate {
  entity: EntityRow;
  score: number;
}

export type Resolution =
  | { status: 'found'; entity: EntityRow; candidates: Candidate[] }
  | { status: 'ambiguous'; candidates: Candidate[] }
  | { status: 'not_found'; candidates: Candidate[] };

/** What people ask about first when one name fits several kinds (component petstore vs API petstore). */
const KIND_RANK: Record<string, number> = {
  component: 0,
  api: 1,
  resource: 2,
  system: 3,
  domain: 4,
  template: 5,
  group: 6,
  user: 7,
};
const kindRank = (e: EntityRow) => KIND_RANK[e.kind.toLowerCase()] ?? 8;
const FIELD_RANK: Record<string, number> = { name: 0, alias: 1, title: 2 };

const MAX_CANDIDATES = 5;
/** Trigrams to query at most: the rarest ones carry the signal, common ones only cost time. */
const MAX_TRIGRAMS = 8;
const FTS_LIMIT = 200;
const FOUND_SCORE = 0.75;
const FOUND_MARGIN = 0.15;
const NEAR_EXACT = 0.97;
const AMBIGUOUS_SCORE = 0.5;

export function resolveEntity(repo: CatalogRepo, rawQuery: string): Resolution {
  const query = rawQuery.trim();
  if (!query) return { status: 'not_found', candidates: [] };

  if (query.includes(':')) {
    try {
      const row = repo.entityByRef(canonicalRef(query, { defaultKind: 'component' }));
      if (row) return { status: 'found', entity: row, candidates: [] };
    } catch {
      // Not a well-formed ref: treat it as a name below.
    }
  }

  const exact = exactMatches(repo, query.toLowerCase());
  if (exact.length === 1) return { status: 'found', entity: exact[0] as EntityRow, candidates: [] };
  if (exact.length > 1) {
    return { status: 'ambiguous', candidates: exact.slice(0, MAX_CANDIDATES).map((entity) => ({ entity, score: 1 })) };
  }

  const ranked = fuzzyCandidates(repo, query);
  const [top, second] = ranked;
  if (!top || top.score < AMBIGUOUS_SCORE) {
    return { status: 'not_found', candidates: ranked.filter((c) => c.score >= 0.3).slice(0, 3) };
  }
  const clear = !second || top.score - second.score >= FOUND_MARGIN || (top.score >= NEAR_EXACT && second.score < NEAR_EXACT);
  if (top.score >= FOUND_SCORE && clear) return { status: 'found', entity: top.entity, candidates: [] };
  const floor = Math.max(AMBIGUOUS_SCORE, top.score - 0.3);
  return { status: 'ambiguous', candidates: ranked.filter((c) => c.score >= floor).slice(0, MAX_CANDIDATES) };
}

/** Entities whose name, alias or title equals the query, narrowed to the best field and kind. */
function exactMatches(repo: CatalogRepo, term: string): EntityRow[] {
  const variants = new Set([term, term.replace(/\s+/g, '-')]);
  const rows = [...variants].flatMap((v) => repo.entitiesByTerm(v)).filter((r) => r.field in FIELD_RANK);
  if (rows.length === 0) return [];
  const rank = (r: (typeof rows)[number]) => (FIELD_RANK[r.field] as number) * 10 + kindRank(r);
  const best = Math.min(...rows.map(rank));
  const unique = new Map<number, EntityRow>();
  for (const r of rows) if (rank(r) === best) unique.set(r.id, r);
  return [...unique.values()].sort((a, b) => a.ref.localeCompare(b.ref));
}

function fuzzyCandidates(repo: CatalogRepo, query: string): Candidate[] {
  const ids = new Set<number>();
  const lower = query.toLowerCase();
  if (lower.length < 3) {
    repo.idsByTermPrefix(lower, 50).forEach((id) => ids.add(id));
  } else {
    const rare = trigrams(lower)
      .filter((t) => t.trim().length === 3)
      .map((t) => ({ t, n: repo.trigramDocCount(t) }))
      .filter((x) => x.n > 0)
      .sort((a, b) => a.n - b.n)
      .slice(0, MAX_TRIGRAMS);
    if (rare.length > 0) {
      const match = rare.map((x) => `"${x.t.replace(/"/g, '""')}"`).join(' OR ');
      repo.searchIds(match, FTS_LIMIT).forEach((id) => ids.add(id));
    }
  }

  const scored: { id: number; score: number }[] = [];
  for (const id of ids) {
    const row = repo.searchRow(id);
    if (!row) continue;
    const split = (s: string) => (s ? s.split(' | ') : []);
    const score = entitySimilarity(query, { name: row.name, title: row.title, aliases: split(row.aliases), tags: split(row.tags) });
    if (score > 0) scored.push({ id, score });
  }
  scored.sort((a, b) => b.score - a.score);
  return scored
    .slice(0, MAX_CANDIDATES * 3)
    .map(({ id, score }) => ({ entity: repo.entityById(id) as EntityRow, score: Math.round(score * 1000) / 1000 }))
    .filter((c) => c.entity !== undefined)
    .sort((a, b) => b.score - a.score || kindRank(a.entity) - kindRank(b.entity) || a.entity.ref.localeCompare(b.entity.ref));
}
