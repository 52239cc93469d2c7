/**
 * From what a person typed to an entity: exact ref, then exact name / title / alias (case-insensitive),
 * then fuzzy. Every step is an index lookup. Fuzzy candidates come from the typo index (names one edit
 * away), then names starting with the query, and only when those give few, from the query's rarest
 * trigrams in the FTS5 index; a bounded candidate set is then ranked in memory.
 */
import { canonicalRef } from '../ref.js';
import type { CatalogRepo, EntityRow } from '../store/repo.js';
import { deletionKeys, editDistance, entitySimilarity, normalizeName, tokens, trigrams } from './similarity.js';

export interface Candidate {
  entity: EntityRow;
  score: number;
  /** Edit distance from the query to the closest of the entity's names. */
  distance: number;
  /** Every word of the query is a word, or the start of a word, of one of its names. */
  wordMatch: boolean;
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
/** Enough candidates from the typo and prefix indexes to skip the (slower) trigram search. */
const ENOUGH = 5;
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

  // A ref has no spaces: `who owns: ledger` is a sentence, searched as a name below.
  if (query.includes(':') && !/\s/.test(query)) {
    let ref: string | undefined;
    try {
      ref = canonicalRef(query, { defaultKind: 'component' });
    } catch {
      // Not a well-formed ref: treat it as a name below.
    }
    if (ref) {
      const row = repo.entityByRef(ref);
      if (row) return { status: 'found', entity: row, candidates: [] };
      // A ref is exact: one that names no entity is not found, never a near match of the whole string. The
      // suggestions are names near its name part, those of the same kind first.
      const kind = ref.slice(0, ref.indexOf(':'));
      const near = fuzzyCandidates(repo, ref.slice(ref.indexOf('/') + 1)).filter((c) => c.score >= 0.3);
      const sameKind = (c: Candidate) => (c.entity.kind.toLowerCase() === kind ? 0 : 1);
      return { status: 'not_found', candidates: [...near].sort((a, b) => sameKind(a) - sameKind(b) || b.score - a.score).slice(0, 3) };
    }
  }

  const exact = exactMatches(repo, query.toLowerCase());
  if (exact.length === 1) return { status: 'found', entity: exact[0] as EntityRow, candidates: [] };
  if (exact.length > 1) {
    return { status: 'ambiguous', candidates: exact.slice(0, MAX_CANDIDATES).map((entity) => ({ entity, score: 1, distance: 0, wordMatch: true })) };
  }

  const ranked = fuzzyCandidates(repo, query);
  const [top, second] = ranked;
  if (!top || top.score < AMBIGUOUS_SCORE) {
    return { status: 'not_found', candidates: ranked.filter((c) => c.score >= 0.3).slice(0, 3) };
  }
  const clear = !second || top.score - second.score >= FOUND_MARGIN || (top.score >= NEAR_EXACT && second.score < NEAR_EXACT);
  if (top.score >= FOUND_SCORE && clear) return { status: 'found', entity: top.entity, candidates: [] };
  // A typo: exactly one name is one or two edits away and every other is further — unless the query
  // spells out words of other names ("payment" against payment-gateway is a prefix, not a typo).
  const closest = Math.min(...ranked.map((c) => c.distance));
  const nearest = ranked.filter((c) => c.distance === closest);
  const wordMatches = ranked.filter((c) => c.wordMatch && c.distance !== closest);
  if (closest <= 2 && closest * 4 < normalizeName(query).length && nearest.length === 1 && wordMatches.length === 0) {
    return { status: 'found', entity: (nearest[0] as Candidate).entity, candidates: [] };
  }
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
  const normalized = normalizeName(query);
  if (normalized.length >= 3) repo.idsByNameKeys(deletionKeys(normalized), FTS_LIMIT).forEach((id) => ids.add(id));
  repo.idsByTermPrefix(lower, 50).forEach((id) => ids.add(id));
  if (normalized !== lower) repo.idsByTermPrefix(normalized, 50).forEach((id) => ids.add(id));
  let scored = scoreAll(repo, query, ids);

  // The trigram search finds what the typo and prefix indexes cannot (several typos, a word from the
  // middle of a name) at a higher price: only when they found too little.
  if (!scored.some((c) => c.distance <= 2) && scored.length < ENOUGH && lower.length >= 3) {
    const rare = trigrams(lower)
      .filter((t) => t.trim().length === 3)
      .map((t) => ({ t, n: repo.trigramDocCount(t) }))
      .filter((x) => x.n > 0)
      .sort((a, b) => a.n - b.n)
      .slice(0, MAX_TRIGRAMS);
    if (rare.length > 0) {
      const match = rare.map((x) => `"${x.t.replace(/"/g, '""')}"`).join(' OR ');
      repo.searchIds(match, FTS_LIMIT).forEach((id) => ids.add(id));
      scored = scoreAll(repo, query, ids);
    }
  }

  scored.sort((a, b) => b.score - a.score || a.distance - b.distance);
  return scored
    .slice(0, MAX_CANDIDATES * 3)
    .map(({ id, score, distance, wordMatch }) => ({ entity: repo.entityById(id) as EntityRow, score: Math.round(score * 1000) / 1000, distance, wordMatch }))
    .filter((c) => c.entity !== undefined)
    .sort((a, b) => b.score - a.score || kindRank(a.entity) - kindRank(b.entity) || a.entity.ref.localeCompare(b.entity.ref));
}

/** Similarity and edit distance of the query to each candidate's names. */
interface Scored {
  id: number;
  score: number;
  distance: number;
  wordMatch: boolean;
}

function scoreAll(repo: CatalogRepo, query: string, ids: Set<number>): Scored[] {
  const normalized = normalizeName(query);
  const queryWords = tokens(query);
  const split = (s: string) => (s ? s.split(' | ') : []);
  const scored: Scored[] = [];
  for (const id of ids) {
    const row = repo.searchRow(id);
    if (!row) continue;
    const aliases = split(row.aliases);
    const score = entitySimilarity(query, { name: row.name, title: row.title, aliases, tags: split(row.tags) });
    const names = [row.name, row.title, ...aliases].filter(Boolean).map(normalizeName);
    const distance = Math.min(...names.map((n) => editDistance(normalized, n)));
    const words = names.flatMap((n) => n.split('-'));
    const wordMatch = queryWords.every((q) => words.some((w) => w.startsWith(q)));
    if (score > 0) scored.push({ id, score, distance, wordMatch });
  }
  return scored;
}
