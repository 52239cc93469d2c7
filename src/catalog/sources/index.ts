/**
 * Every catalog source an installation is configured with, in one list: the config file's
 * `catalog.locations` (files, URLs, git repositories), SWITCHBOARD_CATALOG, SWITCHBOARD_CATALOG_GIT,
 * BACKSTAGE_URL and the self-service registry beside the database. `switchboard start` and
 * `switchboard ingest` (with no path) read the same list, so both build the same catalog.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../../config.js';
import type { Settings } from '../../settings/index.js';
import type { IngestRoot } from '../ingest/types.js';
import { backstageBaseUrl } from './backstage.js';
import { gitRootIdentity } from './git.js';

export { MANAGED_BY_LOCATION } from './backstage.js';
export { gitBranchProblem, gitUrlProblem } from './git.js';

type SourcesConfig = Pick<Config, 'SWITCHBOARD_CATALOG' | 'SWITCHBOARD_CATALOG_GIT' | 'BACKSTAGE_URL' | 'BACKSTAGE_TOKEN'>;

/** Where self-service writes the descriptors it registers: beside the database, ingested with the rest. */
export function registryDirFor(dbFile: string): string {
  return join(dirname(resolve(dbFile)), 'registry');
}

/** Where git sources are checked out (IngestOptions.cacheDir): `sources/` beside the database. */
export function sourceCacheDir(dbFile: string): string {
  return join(dirname(resolve(dbFile)), 'sources');
}

/**
 * The roots to ingest, operator-listed first. The registry is included when it exists (start creates
 * it). A Backstage root carries its token: log roots with `sourceLabel`, never as they are.
 */
export function configuredSources(config: SourcesConfig, settings: Pick<Settings, 'catalog'>, dbFile: string): IngestRoot[] {
  const roots: IngestRoot[] = [
    ...settings.catalog.locations,
    ...config.SWITCHBOARD_CATALOG.map((target) => ({ target })),
    ...(config.SWITCHBOARD_CATALOG_GIT ?? []).map(({ url, branch }): IngestRoot => ({ target: url, source: { type: 'git', ...(branch ? { branch } : {}) } })),
  ];
  if (config.BACKSTAGE_URL && config.BACKSTAGE_TOKEN) {
    roots.push({
      target: backstageBaseUrl(config.BACKSTAGE_URL),
      source: { type: 'backstage', token: config.BACKSTAGE_TOKEN },
      ...(settings.catalog.backstageRule.kinds !== 'any' && { rule: settings.catalog.backstageRule }),
    });
  }
  const registry = registryDirFor(dbFile);
  if (existsSync(registry)) roots.push({ target: registry });
  return roots;
}

/** A root as a person reads it (logs, the CLI): `git:` and `backstage:` name the kind; no token, no credentials. */
export function sourceLabel(root: string | IngestRoot): string {
  if (typeof root === 'string') return root;
  if (root.source?.type === 'backstage') return `backstage:${backstageBaseUrl(root.target)}`;
  if (root.source?.type === 'git') return `git:${gitRootIdentity(root.target, root.source.branch)}`;
  return root.target;
}
