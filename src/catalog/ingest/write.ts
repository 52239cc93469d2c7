/**
 * Ingest's last phase: what the read phase found becomes rows in one SQLite write transaction, with no
 * I/O and no await inside, so the running bot's own writes (deliveries, audit, deployments) wait
 * milliseconds, never a slow URL. A ref keeps the definition it already has until its source drops it;
 * within a run the first source read (operator-listed before Location-reached) comes first.
 */
import { isAbsolute } from 'node:path';
import type Database from 'better-sqlite3';
import type { CatalogRepo, NewEntity, SourceRow } from '../store/repo.js';
import type { ReadResult } from './read.js';
import type { IngestProblem, IngestReport, ReadSource, WorkItem } from './types.js';
import { codeownersRepoRoot } from './walk.js';

interface Pending {
  entity: NewEntity;
  sourceId: number;
  location: string;
}

export function writeSources(sqlite: Database.Database, repo: CatalogRepo, read: ReadResult, report: IngestReport, now: number): void {
  const problem = (p: IngestProblem) => report.problems.push(p);
  const pending: Pending[] = [];

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
  // A path is a file; anything else (a URL, a Backstage origin such as `url:https://…`) was read remotely.
  const sourceKind = (item: WorkItem) => (isAbsolute(item.location) ? 'file' : 'url');

  const writeDescriptors = (source: Extract<ReadSource, { type: 'descriptors' }>, existing: SourceRow | undefined) => {
    const { item, hash, valid, invalid, refused } = source;
    if (source.descriptors === 0 && !existing) {
      report.sources.ignored++;
      report.ignored.push(item.location);
      return;
    }
    const errors = [...invalid, ...refused.map((r) => r.problem)];
    if (errors.length > 0) report.sources.failed++;
    errors.forEach(problem);
    const sourceId = saveSource(item, existing, sourceKind(item), hash, errors);
    const previous = new Map(existing ? repo.entitiesOfSource(sourceId).map((e) => [e.ref, e.id]) : []);
    const written = new Set<string>();
    for (const entity of valid) {
      if (written.has(entity.ref)) {
        problem({
          code: 'conflict',
          location: item.location,
          line: entity.line,
          message: `${entity.ref} is defined twice in this file; the first one is kept`,
        });
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
    const refusedRefs = new Set(refused.map((r) => r.ref));
    for (const [ref, id] of previous) {
      if (written.has(ref)) continue;
      // With an invalid document in the file we cannot tell a removed entity from a broken one: keep it.
      // An entity the rules now refuse goes, whatever else is in the file.
      if (invalid.length > 0 && !refusedRefs.has(ref)) repo.markEntityStale(id);
      else {
        repo.removeEntity(id);
        report.entities.removed++;
      }
    }
  };

  const writeOne = (next: ReadSource) => {
    const source = next.type === 'deferred' || next.type === 'entities' ? read.parse(next) : next;
    const { item } = source;
    const existing = repo.sourceByLocation(item.location);
    switch (source.type) {
      case 'failed': {
        if (source.hash !== null) report.sources.read++;
        report.sources.failed++;
        source.errors.forEach(problem);
        // A CODEOWNERS file that fails stays one: its rules are kept with its entities' last good state.
        const id = saveSource(item, existing, existing?.kind ?? sourceKind(item), source.hash, source.errors, true);
        repo.markSourceStale(id);
        return;
      }
      case 'unchanged': {
        report.sources.read++;
        report.sources.unchanged++;
        const stored = existing ?? source.existing;
        if (stored.status === 'error' && stored.errors) (JSON.parse(stored.errors) as IngestProblem[]).forEach(problem);
        if (stored.root !== item.root) repo.saveSource({ ...stored, root: item.root });
        return;
      }
      case 'codeowners': {
        report.sources.read++;
        source.problems.forEach(problem);
        const id = saveSource(item, existing, 'codeowners', source.hash, source.problems);
        repo.replaceCodeownersRules(id, codeownersRepoRoot(item.location), source.rules);
        return;
      }
      case 'descriptors':
        report.sources.read++;
        writeDescriptors(source, existing);
    }
  };

  sqlite.exec('BEGIN IMMEDIATE');
  // The first ingest into an empty catalog loads in bulk: indexes are rebuilt once, at the end.
  const rebuildIndexes = repo.stats().entities === 0 ? repo.suspendIndexes() : undefined;
  try {
    read.sources.forEach(writeOne);
    rebuildIndexes?.();
    for (const root of read.liveRoots) {
      for (const source of repo.sourcesByRoot(root)) {
        if (read.seen.has(source.location)) continue;
        report.entities.removed += repo.removeSource(source.id);
        report.sources.removed++;
      }
    }
    for (const p of pending) {
      const holder = repo.holderOf(p.entity.ref);
      if (holder) {
        const other = repo.entityById(holder.id)?.sourceLocation ?? 'another source';
        problem({
          code: 'conflict',
          location: p.location,
          line: p.entity.line,
          message: `${p.entity.ref} is already defined in ${other}; this definition is ignored`,
        });
        // Not skipped as unchanged next time: once the holder drops the ref, this definition takes it.
        const loser = repo.sourceByLocation(p.location);
        if (loser?.hash) repo.saveSource({ ...loser, hash: null });
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
}
