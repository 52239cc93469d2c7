/**
 * The benchmark's data must be a valid catalog, or the benchmark measures error handling instead of
 * ingest: a small generated catalog ingests without problems and answers for the names it contains.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog, type IngestReport } from '../src/catalog/index.js';
import { generateCatalog, type GeneratedCatalog, type GeneratedEntity } from './generate-catalog.js';

const ENTITIES = 2_000;

describe('generateCatalog', () => {
  let tmp: string;
  let generated: GeneratedCatalog;
  let catalog: Catalog;
  let report: IngestReport;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
    generated = generateCatalog(join(tmp, 'catalog'), { entities: ENTITIES, seed: 7 });
    catalog = openCatalog(join(tmp, 'catalog.db'));
    report = await catalog.ingest([join(tmp, 'catalog')]);
  });

  afterAll(() => {
    catalog?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('writes the requested number of distinct, valid entities in single- and multi-document files', () => {
    expect(generated.entities).toHaveLength(ENTITIES);
    expect(new Set(generated.entities.map((e) => e.name)).size).toBe(ENTITIES);
    expect(generated.files).toBeGreaterThan(100);
    expect(generated.files).toBeLessThan(ENTITIES / 10);
    const kinds = new Set(generated.entities.map((e) => e.kind));
    for (const kind of ['Domain', 'System', 'Component', 'API', 'Resource', 'Group', 'User', 'Schedule']) expect(kinds).toContain(kind);
  });

  it('ingests with no problems and every entity stored', () => {
    expect(report.problems.slice(0, 5)).toEqual([]);
    expect(report.entities.total).toBe(ENTITIES);
    expect(report.sources.read).toBe(generated.files);
  });

  it('answers whoOwns for generated names with an owner', () => {
    const owned = generated.entities.filter((e) => ['Component', 'API', 'Resource', 'System'].includes(e.kind));
    const sample = [0, 1, Math.floor(owned.length / 2), owned.length - 1].map((i) => owned[i] as GeneratedEntity);
    for (const e of sample) {
      const answer = catalog.whoOwns(e.name);
      expect(answer.status, e.name).toBe('found');
      expect(answer.entity?.name).toBe(e.name);
      expect(answer.owner?.resolved).toBe(true);
      expect(answer.owner?.kind).toBe('group');
    }
  });

  it('is deterministic for a seed', () => {
    const again = generateCatalog(join(tmp, 'again'), { entities: ENTITIES, seed: 7 });
    expect(again.names).toEqual(generated.names);
    const file = join('org', 'users', 'users-001.yaml');
    expect(readFileSync(join(tmp, 'again', file), 'utf8')).toBe(readFileSync(join(tmp, 'catalog', file), 'utf8'));
  });
});
