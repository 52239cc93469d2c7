/** Benchmark statistics: nearest-rank percentiles, per-call timing, and how the figures are printed. */

export const MB = 1024 * 1024;
/** A full collection between phases, when node runs with --expose-gc; a no-op otherwise. */
export const gc = () => (globalThis as { gc?: () => void }).gc?.();

export interface Stats {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles in ms, rounded to the microsecond. */
export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  const r = (x: number) => Math.round(x * 1000) / 1000;
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return { n: sorted.length, p50: r(at(50)), p90: r(at(90)), p99: r(at(99)), max: r(at(100)), mean: r(mean) };
}

/** Runs `fn` on each query once (after a warm-up on other queries) and times each call. */
export function timeEach<T>(warmup: string[], queries: string[], fn: (q: string) => T, seen?: (q: string, result: T, i: number, ms: number) => void): Stats {
  for (const q of warmup) fn(q);
  gc();
  const times: number[] = [];
  queries.forEach((q, i) => {
    const t = performance.now();
    const result = fn(q);
    const ms = performance.now() - t;
    times.push(ms);
    seen?.(q, result, i, ms);
  });
  return stats(times);
}

export const pct = (part: number, whole: number) => Math.round((1000 * part) / Math.max(1, whole)) / 10;
export const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(3)} ms`);
export const fmtMB = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
export const fmtP = (s: Stats) => `${fmtMs(s.p50)} / ${fmtMs(s.p99)}`;
