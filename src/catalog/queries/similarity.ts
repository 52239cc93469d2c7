/**
 * How close a query is to an entity's names, in [0, 1]. Pure functions, so the ranking rules are
 * tested without a database. Typos count by edit distance (with transpositions), a prefix of a word
 * counts nearly as much as the word, and word order does not matter.
 */

/** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (prevPrev[j - 2] as number) + 1);
      row.push(v);
    }
    prevPrev = prev;
    prev = row;
  }
  return prev[b.length] as number;
}

export function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

function wordSimilarity(q: string, w: string): number {
  if (q === w) return 1;
  if (w.startsWith(q)) return 0.75 + (0.25 * q.length) / w.length;
  const sim = 1 - editDistance(q, w) / Math.max(q.length, w.length);
  return sim >= 0.5 ? sim : 0;
}

/** Similarity of a query to one name: the better of whole-string and word-by-word comparison. */
export function nameSimilarity(query: string, name: string): number {
  const qt = tokens(query);
  const nt = tokens(name);
  if (!qt.length || !nt.length) return 0;
  const qj = qt.join('-');
  const nj = nt.join('-');
  const whole = 1 - editDistance(qj, nj) / Math.max(qj.length, nj.length);
  const covered = new Set<number>();
  let sum = 0;
  for (const q of qt) {
    let best = 0;
    let at = -1;
    nt.forEach((w, i) => {
      const s = wordSimilarity(q, w);
      if (s > best) [best, at] = [s, i];
    });
    sum += best;
    if (best >= 0.7) covered.add(at);
  }
  // Words of the name the query does not mention lower the score a little: "payments" is closer to
  // "payments" than to "payments-api".
  const byWord = (sum / qt.length) * (0.85 + (0.15 * covered.size) / nt.length);
  return Math.max(whole, byWord);
}

export interface Names {
  name: string;
  title?: string | null;
  aliases?: string[];
  tags?: string[];
}

/** Best similarity over every name an entity goes by; tags count for less than names. */
export function entitySimilarity(query: string, names: Names): number {
  let best = nameSimilarity(query, names.name);
  for (const other of [names.title, ...(names.aliases ?? [])]) {
    if (other) best = Math.max(best, 0.98 * nameSimilarity(query, other));
  }
  for (const tag of names.tags ?? []) best = Math.max(best, 0.6 * nameSimilarity(query, tag));
  return best;
}

/** The distinct trigrams of a string as FTS5's trigram tokenizer sees them (case-folded). */
export function trigrams(text: string): string[] {
  const t = text.toLowerCase();
  const out = new Set<string>();
  for (let i = 0; i + 3 <= t.length; i++) out.add(t.slice(i, i + 3));
  return [...out];
}

/** The form names are compared in: lower-case words joined by "-" ("Payments API" → "payments-api"). */
export function normalizeName(text: string): string {
  return tokens(text).join('-');
}

/** 32-bit FNV-1a: keys for the typo index; a rare collision only adds a candidate that scoring drops. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** Keys of a normalized name for the typo index: the name itself and every one-deletion variant. */
export function deletionKeys(name: string): number[] {
  const keys = new Set<number>([hash32(name)]);
  for (let i = 0; i < name.length; i++) keys.add(hash32(name.slice(0, i) + name.slice(i + 1)));
  return [...keys];
}
