/**
 * One ingest run: walk the given roots (files, folders, URLs), follow Location entities, parse and
 * validate every document and write the result in a single SQLite transaction.
 *
 * Guarantees (docs/catalog-format.md): a source that fails keeps its last good entities, marked stale;
 * entities gone from a source that parsed cleanly are removed, and so are sources gone from a root;
 * unchanged sources are skipped by content hash; the first source to define a ref keeps it.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { validateEntity } from '../entity.js';
import type { CatalogRepo, NewEntity, SourceRow } from '../store/repo.js';
import { parseCodeowners } from './codeowners.js';
import { normalizeEntity } from './normalize.js';
import { codeownersRepoRoot, expandGlob, hasGlob, isCodeownersFile, walkSourceFiles } from './walk.js';
import { parseYamlDocuments } from './yaml.js';

export type ProblemCode = 'invalid' | 'yaml' | 'read' | 'fetch' | 'conflict' | 'target' | 'codeowners';

export interface IngestProblem {
  code: ProblemCode;
  /** File path or URL the problem is in. */
  location: string;
  line?: number;
  message: string;
}

export interface IngestReport {
  startedAt: string;
  durationMs: number;
  sources: { read: number; unchanged: number; failed: number; removed: number; ignored: number };
  entities: { added: number; updated: number; removed: number; stale: number; total: number };
  problems: IngestProblem[];
  /** YAML files that hold no descriptor at all (CI configs and the like), left alone. */
  ignored: string[];
}

export interface IngestOptions {
  now?: () => Date;
  fetchTimeoutMs?: number;
}

interface WorkItem {
  location: string;
  root: string;
  /** The Location entity that pointed here, for "target not found" messages. */
  from?: { location: string; line: number };
}

interface Pending {
  entity: NewEntity;
  sourceId: number;
  location: string;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

export async function runIngest(
  sqlite: Database.Database,
  repo: CatalogRepo,
  roots: string[],
  options: IngestOptions = {},
): Promise<IngestReport> {
  const started = Date.now();
  const now = (options.now ?? (() => new Date()))().getTime();
  const report: IngestReport = {
    startedAt: new Date(now).toISOString(),
    durationMs: 0,
    sources: { read: 0, unchanged: 0, failed: 0, removed: 0, ignored: 0 },
    entities: { added: 0, updated: 0, removed: 0, stale: 0, total: 0 },
    problems: [],
    ignored: [],
  };
  const problem = (p: IngestProblem) => report.problems.push(p);
  const seen = new Set<string>();
  const liveRoots = new Set<string>();
  const pending: Pending[] = [];
  const queue: WorkItem[] = [];

  for (const raw of roots) {
    const root = isUrl(raw) ? raw : resolve(raw);
    if (!isUrl(root)) {
      try {
        statSync(root);
      } catch {
        problem({ code: 'read', location: root, message: `Catalog path does not exist: ${raw}` });
        continue;
      }
    }
    liveRoots.add(root);
    queue.push({ location: root, root });
  }

  const follow = (item: WorkItem, locationBody: string, line: number) => {
    const spec = (JSON.parse(locationBody) as { spec?: { target?: string; targets?: string[] } }).spec ?? {};
    const targets = [...(spec.targets ?? []), ...(spec.target ? [spec.target] : [])];
    const from = { location: item.location, line };
    for (const target of targets) {
      if (isUrl(target)) queue.push({ location: target, root: item.root, from });
      else if (isUrl(item.location)) queue.push({ location: new URL(target, item.location).href, root: item.root, from });
      else if (hasGlob(target)) {
        const files = expandGlob(target, dirname(item.location));
        if (files.length === 0) {
          problem({ code: 'target', location: item.location, line, message: `Location target "${target}" matches no files` });
        }
        for (const file of files) queue.push({ location: file, root: item.root, from });
      } else queue.push({ location: resolve(dirname(item.location), target), root: item.root, from });
    }
  };

  const followStored = (item: WorkItem, source: SourceRow) => {
    for (const location of repo.locationsOfSource(source.id)) follow(item, location.body, location.line);
  };

  const read = async (item: WorkItem): Promise<string | undefined> => {
    if (isUrl(item.location)) {
      try {
        const res = await fetch(item.location, { signal: AbortSignal.timeout(options.fetchTimeoutMs ?? 10_000) });
        if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
        return await res.text();
      } catch (err) {
        problem({ code: 'fetch', location: item.location, message: `Could not fetch: ${(err as Error).message}`, ...fromLine(item) });
        return undefined;
      }
    }
    try {
      return readFileSync(item.location, 'utf8');
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      if (item.from) {
        problem({
          code: 'target',
          location: item.from.location,
          line: item.from.line,
          message: missing ? `Location target does not exist: ${item.location}` : `Could not read ${item.location}: ${(err as Error).message}`,
        });
      } else {
        problem({ code: 'read', location: item.location, message: `Could not read: ${(err as Error).message}` });
      }
      return undefined;
    }
  };

  /** Records how a source's ingest went; with errors (or `failed`), it failed in whole or in part. */
  const saveSource = (
    item: WorkItem,
    existing: SourceRow | undefined,
    kind: SourceRow['kind'],
    hash: string | null,
    errors: IngestProblem[],
    failed = errors.length > 0,
  ) =>
    repo.saveSource({
      id: existing?.id,
      location: item.location,
      kind,
      root: item.root,
      hash,
      status: failed ? 'error' : 'ok',
      errors: errors.length ? JSON.stringify(errors) : null,
      ingestedAt: now,
      lastGoodAt: failed ? null : now,
    });
  const sourceKind = (item: WorkItem) => (isUrl(item.location) ? 'url' : 'file');

  const failSource = (item: WorkItem, existing: SourceRow | undefined, hash: string | null, errors: IngestProblem[]) => {
    report.sources.failed++;
    errors.forEach(problem);
    const id = saveSource(item, existing, sourceKind(item), hash, errors, true);
    repo.markSourceStale(id);
    if (existing) followStored(item, existing);
  };

  const ingestCodeowners = (item: WorkItem, text: string, hash: string, existing: SourceRow | undefined) => {
    const { rules, errors } = parseCodeowners(text, item.location);
    const problems: IngestProblem[] = errors.map((e) => ({ code: 'codeowners', location: item.location, line: e.line, message: e.message }));
    problems.forEach(problem);
    const id = saveSource(item, existing, 'codeowners', hash, problems);
    repo.replaceCodeownersRules(
      id,
      codeownersRepoRoot(item.location),
      rules.map((r) => ({ pattern: r.pattern, owners: JSON.stringify(r.owners), section: r.section, line: r.line })),
    );
  };

  const ingestDescriptors = (item: WorkItem, text: string, hash: string, existing: SourceRow | undefined) => {
    const parsed = parseYamlDocuments(text);
    if (!parsed.ok) {
      failSource(item, existing, hash, [{ code: 'yaml', location: item.location, line: parsed.line, message: parsed.message }]);
      return;
    }
    const valid: NewEntity[] = [];
    const invalid: IngestProblem[] = [];
    let descriptors = 0;
    for (const doc of parsed.documents) {
      if (!looksLikeDescriptor(doc.value)) continue;
      descriptors++;
      const checked = validateEntity(doc.value);
      const normalized = checked.ok ? normalizeEntity(checked.entity, doc.line) : checked;
      if (!normalized.ok) {
        const what = describe(doc.value);
        for (const issue of normalized.issues) {
          invalid.push({
            code: 'invalid',
            location: item.location,
            line: doc.line,
            message: `${what}: ${issue.path ? `${issue.path} ` : ''}${issue.message}`,
          });
        }
        continue;
      }
      valid.push(normalized.entity);
    }
    if (descriptors === 0 && !existing) {
      report.sources.ignored++;
      report.ignored.push(item.location);
      return;
    }
    if (invalid.length > 0) report.sources.failed++;
    invalid.forEach(problem);
    const sourceId = saveSource(item, existing, sourceKind(item), hash, invalid);
    const previous = new Map(existing ? repo.entitiesOfSource(sourceId).map((e) => [e.ref, e.id]) : []);
    const written = new Set<string>();
    for (const entity of valid) {
      if (written.has(entity.ref)) {
        problem({ code: 'conflict', location: item.location, line: entity.line, message: `${entity.ref} is defined twice in this file; the first one is kept` });
        continue;
      }
      const holder = repo.holderOf(entity.ref);
      if (holder && holder.sourceId !== sourceId) {
        pending.push({ entity, sourceId, location: item.location });
        continue;
      }
      repo.upsertEntity(entity, sourceId, now, !holder);
      written.add(entity.ref);
      if (previous.has(entity.ref)) report.entities.updated++;
      else report.entities.added++;
    }
    for (const [ref, id] of previous) {
      if (written.has(ref)) continue;
      // With an invalid document in the file we cannot tell a removed entity from a broken one: keep it.
      if (invalid.length > 0) repo.markEntityStale(id);
      else {
        repo.removeEntity(id);
        report.entities.removed++;
      }
    }
    for (const entity of valid) {
      if (entity.kind.toLowerCase() === 'location' && written.has(entity.ref)) follow(item, entity.body, entity.line);
    }
  };

  sqlite.exec('BEGIN IMMEDIATE');
  // The first ingest into an empty catalog loads in bulk: indexes are rebuilt once, at the end.
  const rebuildIndexes = repo.stats().entities === 0 ? repo.suspendIndexes() : undefined;
  try {
    while (queue.length > 0) {
      const item = queue.shift() as WorkItem;
      if (seen.has(item.location)) continue;
      seen.add(item.location);
      if (!isUrl(item.location) && isDirectory(item.location)) {
        for (const file of walkSourceFiles(item.location)) queue.push({ location: file, root: item.root });
        continue;
      }
      const text = await read(item);
      const existing = repo.sourceByLocation(item.location);
      if (text === undefined) {
        // No hash: whatever the source holds when it can be read again is ingested, not skipped.
        if (existing) failSource(item, existing, null, []);
        continue;
      }
      report.sources.read++;
      const hash = sha1(text);
      if (existing && existing.hash === hash) {
        report.sources.unchanged++;
        if (existing.status === 'error' && existing.errors) (JSON.parse(existing.errors) as IngestProblem[]).forEach(problem);
        if (existing.root !== item.root) repo.saveSource({ ...existing, root: item.root });
        followStored(item, existing);
        continue;
      }
      if (isCodeownersFile(item.location)) ingestCodeowners(item, text, hash, existing);
      else ingestDescriptors(item, text, hash, existing);
    }

    rebuildIndexes?.();
    for (const root of liveRoots) {
      for (const source of repo.sourcesByRoot(root)) {
        if (seen.has(source.location)) continue;
        report.entities.removed += repo.removeSource(source.id);
        report.sources.removed++;
      }
    }
    for (const p of pending) {
      const holder = repo.holderOf(p.entity.ref);
      if (holder) {
        const other = repo.entityById(holder.id)?.sourceLocation ?? 'another source';
        problem({ code: 'conflict', location: p.location, line: p.entity.line, message: `${p.entity.ref} is already defined in ${other}; this definition is ignored` });
        continue;
      }
      repo.upsertEntity(p.entity, p.sourceId, now);
      report.entities.added++;
    }
    sqlite.exec('COMMIT');
  } catch (err) {
    sqlite.exec('ROLLBACK');
    throw err;
  } finally {
    repo.invalidate();
  }
  // Move the run from the write-ahead log into the database file, so the log does not double its size.
  sqlite.pragma('wal_checkpoint(TRUNCATE)');

  const stats = repo.stats();
  report.entities.total = stats.entities;
  report.entities.stale = stats.stale;
  report.durationMs = Date.now() - started;
  return report;
}

function fromLine(item: WorkItem): { line?: number } {
  return item.from ? { line: item.from.line } : {};
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A document that means to be an entity, as opposed to other YAML living in the same folder. */
function looksLikeDescriptor(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return 'apiVersion' in value || 'kind' in value || 'metadata' in value;
}

function describe(value: unknown): string {
  const v = value as { kind?: unknown; metadata?: { name?: unknown } };
  const kind = typeof v.kind === 'string' ? v.kind : 'entity';
  const name = typeof v.metadata?.name === 'string' ? ` "${v.metadata.name}"` : '';
  return `${kind}${name}`;
}
