/**
 * Which catalog entities a piece of free text names: an incident channel's name, topic or purpose, or
 * a message in it. Only whole names and aliases count (runs of up to four words, joined as names are),
 * so "latency" in `#inc-payments-latency` names nothing while "payments" names the payments system.
 */
import type { CatalogRepo, EntityRow } from '../store/repo.js';

/** Kinds an incident is about; people and teams mentioned in passing are not "affected services". */
const AFFECTED_KINDS = new Set(['component', 'api', 'resource', 'system']);
const MAX_WORDS = 4;
/** Words too generic to name a service on their own even when some entity is called that. */
const STOPWORDS = new Set(['inc', 'incident', 'the', 'and', 'for', 'down', 'outage', 'sev1', 'sev2', 'sev3', 'api', 'web', 'db']);

export function findMentions(repo: CatalogRepo, text: string, limit = 10): EntityRow[] {
  const words = text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const found = new Map<string, { row: EntityRow; at: number }>();
  const covered = new Set<number>();
  for (let size = Math.min(MAX_WORDS, words.length); size >= 1; size--) {
    for (let start = 0; start + size <= words.length; start++) {
      // A longer name that matched already owns these words: "payments-api" is not also "payments".
      if (range(start, size).some((i) => covered.has(i))) continue;
      const span = words.slice(start, start + size);
      if (size === 1 && (span[0] as string).length < 3) continue;
      if (size === 1 && STOPWORDS.has(span[0] as string)) continue;
      const rows = repo.entitiesByTerm(span.join('-')).filter((r) => (r.field === 'name' || r.field === 'alias') && AFFECTED_KINDS.has(r.kind.toLowerCase()));
      if (rows.length === 0) continue;
      range(start, size).forEach((i) => covered.add(i));
      for (const row of rows) if (!found.has(row.ref)) found.set(row.ref, { row, at: start });
    }
  }
  return [...found.values()]
    .sort((a, b) => a.at - b.at)
    .slice(0, limit)
    .map((f) => f.row);
}

const range = (start: number, size: number) => Array.from({ length: size }, (_, i) => start + i);
