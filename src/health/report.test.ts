import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Catalog, openCatalog } from '../catalog/index.js';
import { openTruth } from '../state/truth.js';
import { healthReport, renderHealth } from './report.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/health');

describe('health report over a catalog with known gaps', () => {
  let catalog: Catalog;
  let truth: ReturnType<typeof openTruth>;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'health-'));
    catalog = openCatalog(':memory:');
    await catalog.ingest([FIXTURE]);
    truth = openTruth(join(dir, 'state.db'));
  });
  afterAll(() => {
    catalog.close();
    truth.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts each field over the Components', async () => {
    const r = await healthReport({ catalog, truth });
    expect(r.components).toBe(4);
    expect(r.coverage.owner).toEqual({ count: 2, percent: 50 });
    expect(r.coverage.runbookOrDocs.count).toBe(3);
    expect(r.coverage.tierOrLifecycle.count).toBe(4);
    expect(r.coverage.onCall.count).toBe(2);
    expect(r.coverage.repository.count).toBe(4);
    expect(r.coverage.dependencies.count).toBe(1);
    expect(r.unresolvedOwners.count).toBe(1);
    expect(r.unresolvedOwners.entities.map((e) => e.ref)).toEqual(['component:default/ghost-owned']);
    expect(r.gaps.find((g) => g.ref === 'component:default/billing')?.missing).toEqual(['runbookOrDocs', 'dependencies']);
    expect(r.gaps.find((g) => g.ref === 'component:default/billing')?.fix).toMatch(/catalog-info\.yaml:\d+$/);
  });

  it('lists the failing sources with their problems: the refused Component, the broken file, the missing Location target', async () => {
    const r = await healthReport({ catalog, truth });
    expect(r.failingSources.map((s) => s.location.slice(FIXTURE.length + 1))).toEqual(['broken.yaml', 'catalog-info.yaml', 'missing/catalog-info.yaml']);
    const problems = r.failingSources[1]!.problems.join('\n');
    expect(problems).toContain('"no-lifecycle": spec.lifecycle is required');
    expect(r.failingSources[0]!.problems[0]).toMatch(/^line 5: YAML syntax error/);
    expect(r.failingSources[2]!.problems).toEqual([expect.stringMatching(/^line \d+: Location target does not exist: .*missing\/catalog-info\.yaml$/)]);
    expect(r.failingSources[2]!.lastGoodAt).toBeNull();
  });

  it('forgets a missing Location target once it exists, and once no Location names it', async () => {
    const tree = mkdtempSync(join(tmpdir(), 'health-target-'));
    const own = openCatalog(':memory:');
    try {
      const location = (targets: string[]) =>
        `apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: here\nspec:\n  targets: ${JSON.stringify(targets)}\n`;
      writeFileSync(join(tree, 'catalog-info.yaml'), location(['./later.yaml']));
      await own.ingest([tree]);
      const failing = async () => (await healthReport({ catalog: own, truth })).failingSources.map((s) => s.location.slice(tree.length + 1));
      expect(await failing()).toEqual(['later.yaml']);
      writeFileSync(
        join(tree, 'later.yaml'),
        'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: later\nspec:\n  type: service\n  lifecycle: production\n  owner: payments\n',
      );
      await own.ingest([tree]);
      expect(await failing()).toEqual([]);
      writeFileSync(join(tree, 'catalog-info.yaml'), location(['./gone.yaml']));
      await own.ingest([tree]);
      expect(await failing()).toEqual(['gone.yaml']);
      writeFileSync(join(tree, 'catalog-info.yaml'), location([]));
      await own.ingest([tree]);
      expect(await failing()).toEqual([]);
    } finally {
      own.close();
      rmSync(tree, { recursive: true, force: true });
    }
  });

  it('counts one team', async () => {
    const r = await healthReport({ catalog, truth, team: 'group:default/payments' });
    expect(r.components).toBe(2);
    expect(r.coverage.owner.percent).toBe(100);
  });

  it('counts the questions that found nothing, most asked first', async () => {
    for (const query of ['fraud-api', 'fraud-api', 'kyc']) await truth.recordQuestion({ query, status: 'not_found', entityRef: null, platform: 'slack' });
    await truth.recordQuestion({ query: 'ledger', status: 'found', entityRef: 'component:default/ledger', platform: 'slack' });
    const r = await healthReport({ catalog, truth });
    expect(r.notFound.map((q) => [q.query, q.count])).toEqual([
      ['fraud-api', 2],
      ['kyc', 1],
    ]);
    expect(r.notFound[0]!.fix).toContain('add an entity named "fraud-api"');
  });

  it('counts the questions that matched several entities apart, and leaves both out of a team report', async () => {
    for (const status of ['ambiguous', 'ambiguous', 'not_found'] as const)
      await truth.recordQuestion({ query: 'api', status, entityRef: null, platform: 'teams' });
    const r = await healthReport({ catalog, truth });
    expect(r.ambiguous.map((q) => [q.query, q.count])).toEqual([['api', 2]]);
    expect(r.ambiguous[0]!.fix).toContain('several entities answer to "api"');
    expect(r.notFound.find((q) => q.query === 'api')?.count).toBe(1);
    const team = await healthReport({ catalog, truth, team: 'group:default/payments' });
    expect([team.notFound, team.ambiguous]).toEqual([[], []]);
    expect(renderHealth(r)).toContain('"api" ×2: several entities');
  });

  it('counts what nobody changed or confirmed in the window', async () => {
    const later = new Date(Date.now() + 100 * 24 * 60 * 60 * 1000);
    await truth.recordAttestation({
      entityRef: 'component:default/ledger',
      ownerRef: 'group:default/payments',
      verdict: 'confirmed',
      byRef: 'user:default/ada',
      byName: 'Ada',
      at: later.getTime() - 1000,
      proposedOwner: null,
      change: null,
    });
    const r = await healthReport({ catalog, truth, now: later });
    expect(r.unverified.map((u) => u.ref).sort()).toEqual(['component:default/billing', 'component:default/ghost-owned', 'component:default/orphan']);
  });
});
