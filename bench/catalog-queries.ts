/**
 * The catalog benchmark's queries (bench/catalog.ts), drawn reproducibly from the generated names:
 * exact names, one-edit typos, and 4–6 character prefixes of a name's first word.
 */
import { prng, type GeneratedCatalog } from './generate-catalog.js';

/** `count` measured queries of each type, and `warmup` other ones to run first. */
export function buildQueries(catalog: GeneratedCatalog, seed: number, count: number, warmup: number) {
  const rng = prng(seed + 1);
  const existing = new Set(catalog.entities.map((e) => e.name.toLowerCase()));
  const pool = [...catalog.names];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [pool[i], pool[j]] = [pool[j] as string, pool[i] as string];
  }
  const take = (n: number, offset: number) => Array.from({ length: n }, (_, i) => pool[(offset + i) % pool.length] as string);

  const letters = 'abcdefghijklmnopqrstuvwxyz';
  /** One substitution, insertion, deletion or adjacent transposition that does not give another real name. */
  const typo = (name: string): string => {
    for (;;) {
      const c = [...name];
      const i = rng.int(c.length);
      const op = rng.int(4);
      if (op === 0) c[i] = letters[rng.int(26)] as string;
      else if (op === 1) c.splice(i, 0, letters[rng.int(26)] as string);
      else if (op === 2 && c.length > 3) c.splice(i, 1);
      else if (op === 3 && i + 1 < c.length) [c[i], c[i + 1]] = [c[i + 1] as string, c[i] as string];
      const out = c.join('');
      if (out !== name && !existing.has(out.toLowerCase())) return out;
    }
  };
  const prefix = (name: string) => (name.split(/[-_.]/)[0] as string).slice(0, 4 + rng.int(3));

  const exactNames = take(count + warmup, 0);
  const typoNames = take(count + warmup, count + warmup);
  const prefixNames = take(count + warmup, 2 * (count + warmup));
  return {
    exact: { warmup: exactNames.slice(count), queries: exactNames.slice(0, count) },
    typo: { warmup: typoNames.slice(count).map(typo), queries: typoNames.slice(0, count).map(typo), originals: typoNames.slice(0, count) },
    prefix: { warmup: prefixNames.slice(count).map(prefix), queries: prefixNames.slice(0, count).map(prefix) },
  };
}
