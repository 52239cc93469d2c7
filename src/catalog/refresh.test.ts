import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Catalog, type IngestReport, openCatalog } from './index.js';
import { parseInterval, startRefresh } from './refresh.js';
import { component, group, tempTree, type TempTree } from '../testing/fixtures.js';

describe('parseInterval', () => {
  it('reads seconds, minutes and hours', () => {
    expect(parseInterval('30s')).toBe(30_000);
    expect(parseInterval('5m')).toBe(300_000);
    expect(parseInterval(' 1H ')).toBe(3_600_000);
  });

  it('reads 0, off and nothing as never', () => {
    expect(parseInterval('0')).toBe(0);
    expect(parseInterval('off')).toBe(0);
    expect(parseInterval('0m')).toBe(0);
    expect(parseInterval('')).toBe(0);
  });

  it('refuses a number without a unit, an unknown unit or a negative, quoting it', () => {
    expect(() => parseInterval('300')).toThrow(/"300" is not an interval: .*30s, 5m, 1h/);
    expect(() => parseInterval('5x')).toThrow(/"5x" is not an interval/);
    expect(() => parseInterval('-5m')).toThrow(/"-5m" is not an interval/);
    expect(() => parseInterval('1.5h')).toThrow(/"1.5h" is not an interval/);
  });

  it('refuses an interval longer than a timer can wait', () => {
    expect(() => parseInterval('600h')).toThrow(/"600h" is longer than the longest interval, 24 days/);
  });
});

/** A real pino logger whose JSON lines land in `lines`. */
function capturingLogger() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** Resolves with the first report `accept` takes, as the refresh's onReport sees them. */
function reports() {
  const waiting: { accept: (r: IngestReport) => boolean; resolve: (r: IngestReport) => void }[] = [];
  return {
    onReport(report: IngestReport) {
      for (const w of [...waiting]) {
        if (!w.accept(report)) continue;
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(report);
      }
    },
    next: (accept: (r: IngestReport) => boolean = () => true) => new Promise<IngestReport>((resolve) => waiting.push({ accept, resolve })),
  };
}

let tree: TempTree;
let catalog: Catalog;

beforeEach(() => {
  tree = tempTree();
  catalog = openCatalog(tree.path('catalog.db'));
});

afterEach(() => {
  catalog.close();
  tree.cleanup();
});

const descriptors = (owner: string) => [group('team-a'), group('team-b'), component('svc', { owner })].join('---\n');

describe('startRefresh', () => {
  it('picks up a changed file without a restart', async () => {
    tree.write('repo/catalog-info.yaml', descriptors('team-a'));
    await catalog.ingest([tree.path('repo')]);
    expect(catalog.whoOwns('svc').owner?.ref).toBe('group:default/team-a');

    const { logger } = capturingLogger();
    const seen = reports();
    const refresh = startRefresh({ catalog, roots: () => [tree.path('repo')], everyMs: 20, logger, onReport: seen.onReport });
    try {
      tree.write('repo/catalog-info.yaml', descriptors('team-b'));
      await seen.next((r) => r.entities.updated > 0);
      expect(catalog.whoOwns('svc').owner?.ref).toBe('group:default/team-b');
    } finally {
      await refresh.stop();
    }
  });

  it("logs each run's summary and its problems", async () => {
    tree.write('repo/catalog-info.yaml', descriptors('team-a'));
    tree.write('repo/broken.yaml', component('bad name!'));
    const { logger, lines } = capturingLogger();
    const seen = reports();
    const refresh = startRefresh({ catalog, roots: () => [tree.path('repo')], everyMs: 20, logger, onReport: seen.onReport });
    await seen.next();
    await refresh.stop();
    const summary = lines.find((l) => l.msg === 'catalog refreshed');
    expect(summary).toMatchObject({ level: 30, problems: 1, entities: { total: 3 } });
    expect(lines.find((l) => l.level === 40)).toMatchObject({ code: 'invalid', location: tree.path('repo/broken.yaml'), line: 1 });
  });

  it('never starts a run before the previous one has ended', async () => {
    tree.write('repo/catalog-info.yaml', descriptors('team-a'));
    let inFlight = 0;
    let most = 0;
    const events: string[] = [];
    // The real catalog, counted: how many of its ingests run at once.
    const counted = {
      ingest: async (...args: Parameters<Catalog['ingest']>) => {
        most = Math.max(most, ++inFlight);
        events.push('start');
        try {
          return await catalog.ingest(...args);
        } finally {
          inFlight--;
          events.push('end');
        }
      },
    };
    const seen = reports();
    let runs = 0;
    const fifth = seen.next(() => ++runs === 5);
    // A 1 ms period is far shorter than a run: overlapping runs would show at once.
    const refresh = startRefresh({ catalog: counted, roots: () => [tree.path('repo')], everyMs: 1, logger: capturingLogger().logger, onReport: seen.onReport });
    await fifth;
    await refresh.stop();
    expect(most).toBe(1);
    expect(events.slice(0, 10)).toEqual(['start', 'end', 'start', 'end', 'start', 'end', 'start', 'end', 'start', 'end']);
  });

  it('stop() waits for the run in progress', async () => {
    tree.write('repo/catalog-info.yaml', descriptors('team-a'));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const order: string[] = [];
    const watched = {
      ingest: async (...args: Parameters<Catalog['ingest']>) => {
        started();
        const report = await catalog.ingest(...args);
        order.push('run ended');
        return report;
      },
    };
    const refresh = startRefresh({ catalog: watched, roots: () => [tree.path('repo')], everyMs: 1, logger: capturingLogger().logger });
    await running;
    await refresh.stop();
    order.push('stopped');
    expect(order).toEqual(['run ended', 'stopped']);
    expect(catalog.getEntity('svc')).not.toBeNull();
  });

  it('logs a failed run and runs again at the next interval', async () => {
    tree.write('repo/catalog-info.yaml', descriptors('team-a'));
    let calls = 0;
    const roots = () => {
      if (++calls === 1) throw new Error('config unreadable');
      return [tree.path('repo')];
    };
    const { logger, lines } = capturingLogger();
    const seen = reports();
    const refresh = startRefresh({ catalog, roots, everyMs: 5, logger, onReport: seen.onReport });
    const report = await seen.next();
    await refresh.stop();
    expect(report.entities.total).toBe(3);
    expect(lines.find((l) => l.level === 50)).toMatchObject({
      msg: 'catalog refresh failed; the catalog keeps its last good state',
      err: { message: 'config unreadable' },
    });
  });
});
