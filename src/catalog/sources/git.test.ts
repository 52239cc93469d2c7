import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { component, group, tempTree, type TempTree, yamlDoc } from '../../testing/fixtures.js';
import { createRepo, type GitDaemon, type GitRepo, startGitDaemon } from '../../testing/git-server.js';
import { openCatalog, type Catalog, type IngestOptions, type IngestRoot } from '../index.js';
import { checkoutRepository, gitBranchProblem, gitUrlProblem, redactGitUrl } from './git.js';

let tree: TempTree;
let catalog: Catalog;
let daemon: GitDaemon;
let payments: GitRepo;
let options: IngestOptions;

const gitRoot = (name: string, branch?: string): IngestRoot => ({ target: daemon.url(name), source: { type: 'git', ...(branch ? { branch } : {}) } });

beforeEach(async () => {
  tree = tempTree();
  catalog = openCatalog(tree.path('data/catalog.db'));
  options = { cacheDir: tree.path('data/sources'), gitTimeoutMs: 20_000 };
  // A service repository whose descriptor names no owner: its CODEOWNERS does.
  payments = createRepo(tree.path('served'), 'payments', {
    'catalog-info.yaml': component('payments-api', { owner: undefined }),
    '.github/CODEOWNERS': '* @acme/team-payments\n',
    'org.yaml': group('team-payments', { profile: { displayName: 'Payments' } }),
  });
  daemon = await startGitDaemon(tree.path('served'));
});

afterEach(async () => {
  catalog.close();
  await daemon.stop();
  tree.cleanup();
});

describe('git catalog source', () => {
  it('clones on the first ingest and answers owners from its descriptors and CODEOWNERS', async () => {
    const report = await catalog.ingest([gitRoot('payments')], options);
    expect(report.problems).toEqual([]);
    expect(report.sources.read).toBe(3);
    const answer = catalog.whoOwns('payments-api');
    expect(answer.owner).toMatchObject({ ref: 'group:default/team-payments', displayName: 'Payments' });
    expect(answer.freshness?.source).toMatch(/sources\/git\/127\.0\.0\.1_\d+_payments\.git-[0-9a-f]{8}\/catalog-info\.yaml$/);
  });

  it('picks up a new commit on the next ingest, and leaves an unchanged repository unchanged', async () => {
    await catalog.ingest([gitRoot('payments')], options);
    const same = await catalog.ingest([gitRoot('payments')], options);
    expect(same.sources).toMatchObject({ read: 3, unchanged: 3 });
    payments.commit({ 'billing.yaml': component('billing', { owner: 'team-payments' }) });
    const report = await catalog.ingest([gitRoot('payments')], options);
    expect(report.problems).toEqual([]);
    expect(report.entities).toMatchObject({ added: 1, total: 3 });
    expect(catalog.whoOwns('billing').owner?.ref).toBe('group:default/team-payments');
  });

  it('removes the entities of a descriptor deleted from the repository', async () => {
    await catalog.ingest([gitRoot('payments')], options);
    payments.commit({ 'catalog-info.yaml': null });
    const report = await catalog.ingest([gitRoot('payments')], options);
    expect(report.entities).toMatchObject({ removed: 1, total: 1 });
    expect(report.sources.removed).toBe(1);
    expect(catalog.whoOwns('component:default/payments-api').status).toBe('not_found');
  });

  it('keeps every entity of a repository it cannot fetch, marked stale, with a problem naming the repository', async () => {
    await catalog.ingest([gitRoot('payments')], options);
    const url = daemon.url('payments');
    await daemon.stop();
    const report = await catalog.ingest([gitRoot('payments')], options);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatchObject({ code: 'fetch', location: url });
    expect(report.problems[0]?.message).toMatch(new RegExp(`^Could not fetch ${url.replace(/[.]/g, '\\.')}: .*(connect|refused)`, 'i'));
    expect(report.entities).toMatchObject({ removed: 0, stale: 2, total: 2 });
    expect(catalog.whoOwns('payments-api')).toMatchObject({ status: 'found', freshness: { stale: true } });
  });

  it('reads the branch a location names, and reports one the repository does not have', async () => {
    payments.commit({ 'catalog-info.yaml': component('payments-next', { owner: 'team-payments' }) }, 'Next', 'release');
    const report = await catalog.ingest([gitRoot('payments', 'release')], options);
    expect(report.problems).toEqual([]);
    expect(catalog.whoOwns('payments-next').status).toBe('found');
    expect(catalog.whoOwns('component:default/payments-api').status).toBe('not_found');

    const missing = await catalog.ingest([gitRoot('payments', 'no-such-branch')], options);
    expect(missing.problems).toEqual([
      expect.objectContaining({
        code: 'fetch',
        location: `${daemon.url('payments')}#no-such-branch`,
        message: expect.stringMatching(/no-such-branch.*not found/),
      }),
    ]);
  });

  it('keeps Location targets inside the checkout', async () => {
    payments.commit({
      'all.yaml': yamlDoc({ apiVersion: 'backstage.io/v1alpha1', kind: 'Location', metadata: { name: 'all' }, spec: { targets: ['../../../outside.yaml'] } }),
    });
    const report = await catalog.ingest([gitRoot('payments')], options);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'target', message: expect.stringContaining('refused') })]);
  });

  it('fails a git root given no cache folder, without touching anything', async () => {
    const report = await catalog.ingest([gitRoot('payments')], {});
    expect(report.problems).toEqual([expect.objectContaining({ code: 'fetch', message: expect.stringContaining('needs a cache folder') })]);
    expect(existsSync(tree.path('data/sources'))).toBe(false);
  });
});

describe('git commands', () => {
  it('never passes an option or a command-running transport to git', async () => {
    const marker = tree.path('ran');
    for (const url of [`--upload-pack=touch ${marker}`, `ext::sh -c touch% ${marker}`, `EXT::sh -c "touch ${marker}"`]) {
      const result = await checkoutRepository(url, undefined, { cacheDir: tree.path('cache') });
      expect(result).toMatchObject({ ok: false, message: expect.stringContaining('refused') });
    }
    expect(await checkoutRepository(daemon.url('payments'), '--orphan', { cacheDir: tree.path('cache') })).toMatchObject({ ok: false });
    expect(existsSync(marker)).toBe(false);
  });

  it('checks URLs and branch names the way the config checks them', () => {
    expect(gitUrlProblem('https://github.com/acme/payments.git')).toBeUndefined();
    expect(gitUrlProblem('git@github.com:acme/payments.git')).toBeUndefined();
    expect(gitUrlProblem('-oProxyCommand=x')).toContain('"-"');
    expect(gitBranchProblem('release/2026')).toBeUndefined();
    expect(gitBranchProblem('a..b')).toBeDefined();
  });

  it('keeps credentials out of what it shows', async () => {
    expect(redactGitUrl('https://x-access-token:ghp_secret@github.com/acme/p.git')).toBe('https://github.com/acme/p.git');
    const result = await checkoutRepository(`http://user:hunter2@127.0.0.1:${daemon.port}/payments.git`, undefined, {
      cacheDir: tree.path('cache'),
      timeoutMs: 10_000,
    });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });
});
