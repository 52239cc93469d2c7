/**
 * Periodic catalog refresh (SWITCHBOARD_REFRESH): the configured sources are re-ingested every interval
 * without a restart. Runs never overlap: the next one is scheduled when the previous ends, so a slow
 * source stretches the period instead of stacking runs. Each run goes through Catalog.ingest, which
 * works in a worker thread: answers keep coming from the last committed catalog while it runs.
 */
import type { Logger } from 'pino';
import type { Catalog, IngestReport, IngestRoot } from './index.js';

const UNITS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;
/** setTimeout's ceiling (2^31 - 1 ms, about 24.8 days); a longer delay would fire at once. */
const MAX_MS = 2 ** 31 - 1;
/** Problems logged one by one per run; the rest are counted in the summary. */
const LOGGED_PROBLEMS = 50;

/**
 * `30s`, `5m`, `1h` → milliseconds; `0`, `off` (or empty) → 0, never. Anything else throws, quoting the
 * input; the caller names the setting it came from.
 */
export function parseInterval(text: string): number {
  const value = text.trim().toLowerCase();
  if (value === '' || value === '0' || value === 'off') return 0;
  const m = /^(\d+)\s*([smh])$/.exec(value);
  if (!m) throw new Error(`"${text}" is not an interval: write a whole number and a unit, s, m or h (30s, 5m, 1h), or 0 or off for never`);
  const ms = Number(m[1]) * UNITS[m[2] as keyof typeof UNITS];
  if (ms === 0) return 0;
  if (ms > MAX_MS) throw new Error(`"${text}" is longer than the longest interval, 24 days`);
  return ms;
}

export interface RefreshOptions {
  catalog: Pick<Catalog, 'ingest'>;
  /**
   * Read before every run, so a changed configuration applies without a restart; may prepare them first
   * (the app writes the shared registry into its folder). A failure skips the run.
   */
  roots: () => (string | IngestRoot)[] | Promise<(string | IngestRoot)[]>;
  /** Milliseconds from the end of one run to the start of the next; 0 never runs. */
  everyMs: number;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Each successful run's report (metrics, tests). */
  onReport?: (report: IngestReport) => void;
}

export interface Refresh {
  /** No further run starts; resolves once a run in progress has ended. */
  stop(): Promise<void>;
}

export function startRefresh({ catalog, roots, everyMs, logger, onReport }: RefreshOptions): Refresh {
  if (everyMs <= 0) return { stop: async () => undefined };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const once = async () => {
    let report: IngestReport;
    try {
      report = await catalog.ingest(await roots());
    } catch (err) {
      // The catalog is as it was; the next run tries again.
      logger.error({ err }, 'catalog refresh failed; the catalog keeps its last good state');
      return;
    }
    const { sources, entities, problems, durationMs } = report;
    logger.info({ sources, entities, problems: problems.length, ms: durationMs }, 'catalog refreshed');
    for (const p of problems.slice(0, LOGGED_PROBLEMS)) logger.warn({ location: p.location, line: p.line, code: p.code }, p.message);
    if (problems.length > LOGGED_PROBLEMS) logger.warn(`catalog refresh: ${problems.length - LOGGED_PROBLEMS} more problems not logged`);
    try {
      onReport?.(report);
    } catch (err) {
      logger.error({ err }, 'catalog refresh: the report callback failed');
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = once().finally(() => {
        running = undefined;
        schedule();
      });
    }, everyMs);
    // The refresh alone does not keep the process alive: the servers do.
    timer.unref();
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
