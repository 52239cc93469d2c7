/**
 * The read phase's hook for live sources (ingest/read.ts calls it first): a Backstage root is read
 * through the catalog API into one source per Backstage origin; a git root is cloned or fetched and
 * handed back as a folder to walk, with the repository as the root its files are filed under. A root
 * that cannot be read (Backstage down or refusing the token, a fetch that fails) keeps every source
 * stored under it, marked stale, and one problem names the root.
 */
import { createHash } from 'node:crypto';
import type { FetchLimits } from '../ingest/fetch.js';
import type { IngestLimits, IngestOptions, IngestProblem, IngestRoot, ReadSource, WorkItem } from '../ingest/types.js';
import { ANY_KIND, type KindRule } from '../rules.js';
import type { CatalogRepo } from '../store/repo.js';
import { backstageBaseUrl, readBackstageCatalog } from './backstage.js';
import { checkoutRepository, gitRootIdentity } from './git.js';

export interface LiveContext {
  repo: CatalogRepo;
  limits: IngestLimits;
  fetch: FetchLimits;
  options: Pick<IngestOptions, 'cacheDir' | 'gitTimeoutMs' | 'backstage'>;
  problem: (p: IngestProblem) => void;
}

export interface LiveRead {
  /** Roots that are paths or URLs, for the walk as before. */
  plain: IngestRoot[];
  /** What the live roots read, in root order. */
  sources: ReadSource[];
  /** Checkouts to walk, as operator-listed folders. */
  walk: WorkItem[];
  /** Locations read or kept this run (the sweep removes the rest of a live root's sources). */
  seen: string[];
  /** Roots read in full: their stored sources not seen this run are removed. */
  liveRoots: string[];
}

/** Git clones and fetches run side by side, a few at a time. */
const GIT_CONCURRENCY = 4;

export async function readLiveRoots(roots: IngestRoot[], ctx: LiveContext): Promise<LiveRead> {
  const out: LiveRead = { plain: [], sources: [], walk: [], seen: [], liveRoots: [] };
  const git = roots.filter((r) => r.source?.type === 'git');
  const checkouts = await pool(git, GIT_CONCURRENCY, (root) => checkOut(root, ctx));
  for (const root of roots) {
    if (root.source?.type === 'backstage') await readBackstage(root, root.source.token, ctx, out);
    else if (root.source?.type === 'git') {
      const checkout = checkouts.get(root);
      const identity = gitRootIdentity(root.target, root.source.branch);
      if (!checkout?.ok) {
        keepStale(identity, { code: 'fetch', location: identity, message: checkout?.message ?? `Could not check out ${identity}` }, ctx, out);
        continue;
      }
      out.liveRoots.push(identity);
      out.walk.push({ location: checkout.dir, root: identity, confine: checkout.dir, rule: root.rule ?? ANY_KIND });
    } else out.plain.push(root);
  }
  return out;
}

async function checkOut(root: IngestRoot, ctx: LiveContext) {
  const branch = root.source?.type === 'git' ? root.source.branch : undefined;
  const { cacheDir, gitTimeoutMs } = ctx.options;
  if (!cacheDir)
    return {
      ok: false as const,
      message: `Git repository ${gitRootIdentity(root.target, branch)} needs a cache folder to check out into (IngestOptions.cacheDir)`,
    };
  return checkoutRepository(root.target, branch, { cacheDir, ...(gitTimeoutMs ? { timeoutMs: gitTimeoutMs } : {}) });
}

async function readBackstage(root: IngestRoot, token: string, ctx: LiveContext, out: LiveRead): Promise<void> {
  const base = backstageBaseUrl(root.target);
  const rule = root.rule ?? ANY_KIND;
  const read = await readBackstageCatalog(base, { token, timeoutMs: ctx.fetch.timeoutMs, ...ctx.options.backstage });
  if (!read.ok) return keepStale(base, { code: read.code, location: base, message: read.message }, ctx, out);
  out.liveRoots.push(base);
  for (const [origin, documents] of read.origins) {
    const item: WorkItem = { location: origin, root: base, confine: base, rule };
    out.seen.push(origin);
    // Backstage's order within an origin can change with nothing else changing: the hash is of the sorted set.
    documents.sort(Buffer.compare);
    const hash = hashOf(documents, rule);
    const existing = ctx.repo.sourceByLocation(origin);
    if (existing && existing.hash === hash) out.sources.push({ type: 'unchanged', item, existing });
    else out.sources.push({ type: 'entities', item, hash, documents });
  }
}

/** Every source stored under `root` fails this run, keeping its last good entities (stale). */
function keepStale(root: string, problem: IngestProblem, ctx: LiveContext, out: LiveRead): void {
  ctx.problem(problem);
  for (const stored of ctx.repo.sourcesByRoot(root)) {
    out.seen.push(stored.location);
    out.sources.push({ type: 'failed', item: { location: stored.location, root, confine: root, rule: ANY_KIND }, hash: null, errors: [] });
  }
}

/** As ingest/read.ts hashes a file: salted with the rule, so a changed rule re-reads an unchanged origin. */
function hashOf(documents: Buffer[], rule: KindRule): string {
  const h = createHash('sha1');
  if (rule.kinds !== 'any') h.update(`${rule.label}\0`);
  for (const d of documents) h.update(d).update('\n');
  return h.digest('hex');
}

async function pool<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<Map<T, R>> {
  const results = new Map<T, R>();
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      results.set(item, await fn(item));
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}
