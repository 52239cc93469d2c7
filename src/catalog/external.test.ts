/**
 * Catalogs nobody here wrote: Backstage's own example catalog and public catalog-info files, some odd.
 * Each document is checked against an independent parser (`yaml`): it is either stored under its ref
 * or reported against its file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { openCatalog, type Catalog, type IngestReport } from './index.js';
import { EXTERNAL, tempTree, type TempTree } from '../testing/fixtures.js';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

for (const folder of ['backstage', 'real-world']) {
  describe(`the ${folder} fixtures`, () => {
    let tree: TempTree;
    let catalog: Catalog;
    let report: IngestReport;

    beforeAll(async () => {
      tree = tempTree();
      catalog = openCatalog(tree.path('catalog.db'));
      report = await catalog.ingest([join(EXTERNAL, folder)]);
    });

    afterAll(() => {
      catalog.close();
      tree.cleanup();
    });

    it('ingests without a crash and stores entities', () => {
      expect(report.entities.total).toBeGreaterThan(30);
    });

    it('stores every valid document under its ref, or reports it against its file', () => {
      const problemFiles = new Set(report.problems.map((p) => p.location));
      const missing: string[] = [];
      for (const file of yamlFiles(join(EXTERNAL, folder))) {
        const docs = parseAllDocuments(readFileSync(file, 'utf8'));
        for (const doc of Array.isArray(docs) ? docs : [docs]) {
          const value = doc.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string } } | null;
          if (!value?.kind || !value.metadata?.name) continue;
          const ref = `${value.kind}:${value.metadata.namespace ?? 'default'}/${value.metadata.name}`;
          if (catalog.whoOwns(ref).status !== 'found' && !problemFiles.has(file)) missing.push(`${ref} in ${file}`);
        }
      }
      expect(missing).toEqual([]);
    });

    it('names the file and line of every problem', () => {
      for (const p of report.problems) {
        expect(p.location).toMatch(/\.ya?ml$/);
        expect(p.line).toBeGreaterThan(0);
        expect(p.message.length).toBeGreaterThan(10);
      }
    });

    it('loses nothing on a second, unchanged ingest', async () => {
      const again = await catalog.ingest([join(EXTERNAL, folder)]);
      expect(again.entities.total).toBe(report.entities.total);
      expect(again.entities.removed).toBe(0);
      expect(again.sources.unchanged).toBe(again.sources.read);
    });
  });
}

describe('answers on the Backstage example catalog', () => {
  let tree: TempTree;
  let catalog: Catalog;

  beforeAll(async () => {
    tree = tempTree();
    catalog = openCatalog(tree.path('catalog.db'));
    await catalog.ingest([join(EXTERNAL, 'backstage/packages/catalog-model/examples')]);
  });

  afterAll(() => {
    catalog.close();
    tree.cleanup();
  });

  it('says team-c owns petstore, with its members', () => {
    const a = catalog.whoOwns('petstore');
    expect(a.status).toBe('found');
    expect(a.entity?.kind).toBe('Component');
    expect(a.owner).toMatchObject({ ref: 'group:default/team-c', resolved: true, displayName: 'Team C' });
    expect(a.owner?.members.length).toBeGreaterThan(0);
  });

  it('finds a component through a typo', () => {
    expect(catalog.whoOwns('artist-lokup').entity?.name).toBe('artist-lookup');
  });

  it('derives group hierarchy and membership both ways', () => {
    const a = catalog.whoOwns('group:team-a');
    expect(a.owner?.members.length).toBeGreaterThan(0);
  });

  it('counts the consumers of an API as dependents of its provider', () => {
    // wayback-search consumes the wayback-archive API, which the wayback-archive component provides.
    const a = catalog.deps('component:wayback-archive');
    expect(a.dependents).toEqual([expect.objectContaining({ name: 'wayback-search', viaApi: true })]);
    expect(catalog.whoOwns('component:wayback-archive').dependencies?.blastRadius).toBe(1);
  });
});

describe('the CODEOWNERS fixtures', () => {
  it('parse into rules through ingest, each file a source', async () => {
    const tree = tempTree();
    const catalog = openCatalog(tree.path('catalog.db'));
    const files = readdirSync(join(EXTERNAL, 'codeowners')).filter((f) => f.endsWith('CODEOWNERS'));
    // Each real file becomes the CODEOWNERS of a repository folder of its own.
    files.forEach((f) => tree.write(`repos/${f}/.github/CODEOWNERS`, readFileSync(join(EXTERNAL, 'codeowners', f), 'utf8')));
    const report = await catalog.ingest([tree.path('repos')]);
    expect(report.sources.read).toBe(files.length);
    expect(report.problems).toEqual([]);
    catalog.close();
    tree.cleanup();
  });
});
