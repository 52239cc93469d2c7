import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../catalog/index.js';
import { tempTree, type TempTree } from '../testing/fixtures.js';
import { writeHostileCatalog } from '../testing/hostile-catalog.js';
import { renderDeps, renderIngestReport, renderRunbook, renderWhoOwns } from './render.js';

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
