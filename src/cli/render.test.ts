import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../catalog/index.js';
import { tempTree, type TempTree } from '../testing/fixtures.js';
import { writeHostileCatalog } from '../testing/hostile-catalog.js';
import { renderDeps, renderIngestReport, renderRunbook, renderWhoOwns, timeUntil } from './render.js';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

describe('CLI output of catalog text', () => {
  let tree: TempTree;
  let catalog: Catalog;
  beforeAll(async () => {
    tree = tempTree();
    catalog = openCatalog(tree.path('catalog.db'));
    await catalog.ingest([writeHostileCatalog(tree)]);
  });
  afterAll(() => {
    catalog.close();
    tree.cleanup();
  });

  it('whoowns, runbook and deps print no control character, escape sequence or bidi override', () => {
    const now = new Date('2026-03-04T12:00:00Z');
    for (const text of [
      renderWhoOwns(catalog.whoOwns('evil-api', now), now),
      renderRunbook(catalog.runbook('evil-api', now), now),
      renderDeps(catalog.deps('evil-db', 1)),
    ]) {
      expect(text).toMatch(/evil/i);
      expect(text).not.toMatch(UNSAFE);
    }
  });

  it('an ingest report prints a problem’s message without control characters', async () => {
    tree.write('bad/catalog-info.yaml', 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: "\\e[2Jbad\\u202e"\nspec: {}\n');
    const report = await catalog.ingest([tree.path('bad')]);
    // YAML escapes: the problem quotes the name with a real ESC and a real bidi override in it.
    expect(report.problems.map((p) => p.message).join('')).toMatch(UNSAFE);
    expect(renderIngestReport(report)).not.toMatch(UNSAFE);
  });
});

describe('time until the end of an on-call shift', () => {
  const now = new Date('2026-03-04T12:00:00Z');
  const plus = (ms: number) => new Date(now.getTime() + ms);
  const MIN = 60_000;
  const DAY = 1440 * MIN;

  it('says it in the largest unit reached, rounded, as date-fns formatDistanceStrict does', () => {
    expect(timeUntil(plus(30_000), now)).toBe('30 seconds');
    expect(timeUntil(plus(MIN), now)).toBe('1 minute');
    expect(timeUntil(plus(89 * MIN), now)).toBe('1 hour');
    expect(timeUntil(plus(5 * DAY + 13 * 60 * MIN), now)).toBe('6 days');
    expect(timeUntil(plus(45 * DAY), now)).toBe('2 months');
    expect(timeUntil(plus(800 * DAY), now)).toBe('2 years');
  });

  it('says 12 rounded months as a year, and a time in the past by its distance', () => {
    expect(timeUntil(plus(350 * DAY), now)).toBe('1 year');
    expect(timeUntil(plus(-3 * DAY), now)).toBe('3 days');
  });
});
