import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli.js';
import { ConfigError, loadConfig } from '../../config.js';
import { parseSettings } from '../../settings/index.js';
import { type BackstageEmulator, startBackstageEmulator } from '../../testing/backstage-emulator.js';
import { component, group, tempTree, type TempTree } from '../../testing/fixtures.js';
import { createRepo, type GitDaemon, startGitDaemon } from '../../testing/git-server.js';
import { configuredSources, sourceLabel } from './index.js';

const configProblems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    return (err as ConfigError).problems;
  }
  return [];
};

describe('live source configuration', () => {
  it('requires BACKSTAGE_TOKEN with BACKSTAGE_URL, and the other way round', () => {
    expect(configProblems({ BACKSTAGE_URL: 'https://backstage.example.com' })).toEqual([
      expect.stringMatching(/^BACKSTAGE_TOKEN: is required with BACKSTAGE_URL/),
    ]);
    expect(configProblems({ BACKSTAGE_TOKEN: 'static-token' })).toEqual([expect.stringMatching(/^BACKSTAGE_URL: is required with BACKSTAGE_TOKEN/)]);
    expect(configProblems({ BACKSTAGE_URL: 'ftp://backstage.example.com', BACKSTAGE_TOKEN: 't' })).toEqual([
      expect.stringMatching(/^BACKSTAGE_URL: must be the Backstage backend base URL/),
    ]);
  });

  it('reads SWITCHBOARD_CATALOG_GIT as git URLs with an optional #branch, refusing what git would misread', () => {
    const config = loadConfig({ SWITCHBOARD_CATALOG_GIT: 'https://git.example/a.git#release/2026, git@git.example:org/b.git' });
    expect(config.SWITCHBOARD_CATALOG_GIT).toEqual([{ url: 'https://git.example/a.git', branch: 'release/2026' }, { url: 'git@git.example:org/b.git' }]);
    expect(configProblems({ SWITCHBOARD_CATALOG_GIT: 'https://git.example/a.git, --upload-pack=id' })).toEqual([
      expect.stringMatching(/^SWITCHBOARD_CATALOG_GIT: "--upload-pack=id": must not start with "-"/),
    ]);
  });

  it('lists every configured source in one place, operator-listed first, and labels them without the token', () => {
    const config = loadConfig({
      SWITCHBOARD_CATALOG: './catalog',
      SWITCHBOARD_CATALOG_GIT: 'https://git.example/a.git#main',
      BACKSTAGE_URL: 'https://backstage.example.com/api/catalog/',
      BACKSTAGE_TOKEN: 'static-token-value',
    });
    const settings = parseSettings('catalog:\n  locations:\n    - {type: git, target: "https://git.example/org.git"}\n', '/etc/sb/switchboard.yaml');
    const roots = configuredSources(config, settings, '/nonexistent/data/switchboard.db');
    expect(roots.map(sourceLabel)).toEqual([
      'git:https://git.example/org.git',
      './catalog',
      'git:https://git.example/a.git#main',
      'backstage:https://backstage.example.com',
    ]);
    expect(roots[3]).toEqual({ target: 'https://backstage.example.com', source: { type: 'backstage', token: 'static-token-value' } });
    expect(roots.map(sourceLabel).join()).not.toContain('static-token-value');
  });

  it('narrows what Backstage may define to catalog.backstage.rules', () => {
    const config = loadConfig({ BACKSTAGE_URL: 'https://backstage.example.com', BACKSTAGE_TOKEN: 't' });
    const settings = parseSettings('catalog:\n  backstage:\n    rules: [{allow: [Component, API]}]\n', '/etc/sb/switchboard.yaml');
    const backstage = configuredSources(config, settings, '/nonexistent/data/switchboard.db').find((r) => r.source?.type === 'backstage');
    expect(backstage?.rule?.kinds).toEqual(new Set(['component', 'api']));
    expect(() => parseSettings('catalog:\n  backstage:\n    allow: [Component]\n', '/etc/sb/switchboard.yaml')).toThrow(
      /switchboard.yaml:3: catalog.backstage.allow: is not a known setting/,
    );
  });
});

describe('switchboard ingest with no path', () => {
  let tree: TempTree;
  let emulator: BackstageEmulator;
  let daemon: GitDaemon;
  beforeEach(async () => {
    tree = tempTree();
    tree.write('local/org.yaml', group('team-local'));
    createRepo(tree.path('served'), 'catalog', { 'catalog-info.yaml': component('from-git', { owner: 'team-local' }) });
    createRepo(tree.path('served'), 'listed', { 'catalog-info.yaml': component('from-git-list', { owner: 'team-local' }) });
    daemon = await startGitDaemon(tree.path('served'));
    emulator = await startBackstageEmulator({
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'from-backstage', annotations: { 'backstage.io/managed-by-location': 'url:https://git.example/x/catalog-info.yaml' } },
          spec: { type: 'service', lifecycle: 'production', owner: 'team-local' },
        },
      ],
    });
  });
  afterEach(async () => {
    await emulator.close();
    await daemon.stop();
    tree.cleanup();
  });

  async function run(env: Record<string, string>, ...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['ingest', '--db', tree.path('data/switchboard.db'), ...argv], { out: (s) => out.push(s), err: (s) => err.push(s) }, env);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('reads the config file’s locations, SWITCHBOARD_CATALOG, the git list and Backstage, as start does', async () => {
    tree.write('switchboard.yaml', `catalog:\n  locations:\n    - {type: git, target: "${daemon.url('catalog')}"}\n`);
    const env = {
      SWITCHBOARD_CONFIG: tree.path('switchboard.yaml'),
      SWITCHBOARD_CATALOG: tree.path('local'),
      SWITCHBOARD_CATALOG_GIT: `${daemon.url('listed')}#main`,
      BACKSTAGE_URL: emulator.url,
      BACKSTAGE_TOKEN: emulator.token,
    };
    const r = await run(env, '--json');
    expect(r.code).toBe(0);
    expect(r.err).toContain(
      `Ingesting the configured sources: git:${daemon.url('catalog')}, ${tree.path('local')}, git:${daemon.url('listed')}#main, backstage:${emulator.url}`,
    );
    expect(r.err).not.toContain(emulator.token);
    const report = JSON.parse(r.out) as { problems: unknown[]; entities: { total: number } };
    expect(report.problems).toEqual([]);
    expect(report.entities.total).toBe(4);
    // The checkout lives beside the database.
    const who = await main(['whoowns', 'from-git', '--json', '--db', tree.path('data/switchboard.db')], { out: (s) => (r.out = s), err: () => undefined }, env);
    expect(who).toBe(0);
    expect(JSON.parse(r.out).freshness.source).toContain(tree.path('data/sources/git/'));
  });

  it('says what to configure when there is nothing to read', async () => {
    const r = await run({ SWITCHBOARD_CATALOG: '' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('Nothing to ingest');
  });
});
