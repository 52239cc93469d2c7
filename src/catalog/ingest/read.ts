/**
 * Ingest's first phase, outside any write transaction: walk the roots, read files and fetch URLs, parse
 * and validate every document, and follow Location entities to more sources. Operator-listed sources
 * (the roots and the folders they walk) are read before anything a Location reaches, so on a first
 * ingest an operator's definition of a ref comes first and keeps it.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import picomatch from 'picomatch';
import { validateEntity } from '../entity.js';
import { allows, ANY_KIND, type KindRule } from '../rules.js';
import type { CatalogRepo, NewEntity, SourceRow } from '../store/repo.js';
import { parseCodeowners } from './codeowners.js';
import { type FetchLimits, fetchGuarded } from './fetch.js';
import { escapesFolder, lexicallyInside, readRegularFile } from './files.js';
import { normalizeEntity } from './normalize.js';
import { checkEntities } from '../sources/entities.js';
import { type LiveContext, readLiveRoots } from '../sources/live.js';
import { mayHavePlaceholders, type ResolvedDocument, type ResolvedFile, resolvePlaceholders } from './placeholders.js';
import type { IngestLimits, IngestProblem, IngestRoot, ReadSource, WorkItem } from './types.js';
import { expandGlob, hasGlob, isCodeownersFile, walkSourceFiles } from './walk.js';
import { parseYamlDocuments } from './yaml.js';

export interface ReadContext {
  repo: CatalogRepo;
  globalRule: KindRule;
  limits: IngestLimits;
  fetch: FetchLimits;
  problem: (p: IngestProblem) => void;
  /** What live sources (Backstage, git: ../sources) need from the options. */
  live?: LiveContext['options'];
}

export interface ReadResult {
  /** In read order; a `deferred` or `entities` source is parsed with `parse` when it is written. */
  sources: ReadSource[];
  parse(source: Extract<ReadSource, { type: 'deferred' | 'entities' }>): Extract<ReadSource, { type: 'descriptors' | 'failed' }>;
  /** Locations read (or tried) this run; a stored source of a live root not among them is removed. */
  seen: Set<string>;
  liveRoots: Set<string>;
}

export const isUrl = (s: string) => /^https?:\/\//i.test(s);
const HAS_SCHEME = /^[a-z][a-z0-9+.-]+:/i;
/** A file without the word can define no Location (plain or quoted); one with it is parsed while reading. */
const LOCATION = /location/i;

/** The content hash, salted with the rule when there is one: a changed rule re-reads unchanged files. */
function hashOf(text: string, rule: KindRule): string {
  const h = createHash('sha1');
  if (rule.kinds !== 'any') h.update(`${rule.label}\0`);
  return h.update(text).digest('hex');
}

export async function readSources(roots: IngestRoot[], ctx: ReadContext): Promise<ReadResult> {
  const { repo, problem } = ctx;
  const sources: ReadSource[] = [];
  const seen = new Set<string>();
  const liveRoots = new Set<string>();
  const operator: WorkItem[] = [];
  const reached: WorkItem[] = [];
  let nextOperator = 0;
  let nextReached = 0;
  /** The first source this run to define each ref, and so the one allowed to follow it if a Location. */
  const firstDefiner = new Map<string, string>();

  // Backstage's catalog API and git repositories first: read here, or checked out to be walked below.
  const live = await readLiveRoots(roots, { ...ctx, options: ctx.live ?? {} });
  sources.push(...live.sources);
  live.seen.forEach((l) => seen.add(l));
  live.liveRoots.forEach((r) => liveRoots.add(r));
  operator.push(...live.walk);

  for (const { target, rule } of live.plain) {
    const root = isUrl(target) ? target : resolve(target);
    if (!isUrl(root) && !exists(root)) {
      problem({ code: 'read', location: root, message: `Catalog path does not exist: ${target}` });
      continue;
    }
    liveRoots.add(root);
    const confine = isUrl(root) || isDirectory(root) ? root : dirname(root);
    operator.push({ location: root, root, confine, rule: rule ?? ANY_KIND });
  }

  const refuseTarget = (item: WorkItem, line: number, target: string, why: string) =>
    problem({ code: 'target', location: item.location, line, message: `Location target "${target}" refused: ${why}` });

  const follow = (item: WorkItem, locationBody: string, line: number) => {
    const spec = (JSON.parse(locationBody) as { spec?: { target?: string; targets?: string[] } }).spec ?? {};
    const targets = [...(spec.targets ?? []), ...(spec.target ? [spec.target] : [])];
    const next = (location: string): WorkItem => ({
      location,
      root: item.root,
      confine: item.confine,
      rule: ctx.globalRule,
      from: { location: item.location, line },
    });
    for (const target of targets) {
      if (isUrl(target)) reached.push(next(target));
      else if (isUrl(item.location)) {
        const url = new URL(target, item.location);
        if (url.protocol === 'http:' || url.protocol === 'https:') reached.push(next(url.href));
        else refuseTarget(item, line, target, `only http and https URLs are fetched, not ${url.protocol}`);
      } else if (HAS_SCHEME.test(target)) refuseTarget(item, line, target, 'a target is a relative path or an http(s) URL');
      else if (isAbsolute(target)) refuseTarget(item, line, target, 'absolute paths may not be named; use a path relative to this file');
      else if (hasGlob(target)) {
        if (!lexicallyInside(resolve(dirname(item.location), picomatch.scan(target).base || '.'), item.confine)) {
          refuseTarget(item, line, target, `it reaches outside ${item.confine}`);
          continue;
        }
        const files = expandGlob(target, dirname(item.location));
        if (files.length === 0) problem({ code: 'target', location: item.location, line, message: `Location target "${target}" matches no files` });
        for (const file of files) reached.push(next(file));
      } else {
        const path = resolve(dirname(item.location), target);
        if (lexicallyInside(path, item.confine)) reached.push(next(path));
        else refuseTarget(item, line, target, `it leaves ${item.confine}`);
      }
    }
  };

  const followStored = (item: WorkItem, source: SourceRow) => {
    if (!allows(item.rule, 'location')) return;
    for (const location of repo.locationsOfSource(source.id)) follow(item, location.body, location.line);
  };

  /**
   * Records why a source could not be read, as a failing source with the problem (the write phase reports
   * it), so the health report lists a missing Location target or a dead URL; a source stored before
   * keeps its entities, stale.
   */
  const unreadable = (item: WorkItem, p: IngestProblem) => {
    sources.push({ type: 'failed', item, hash: null, errors: [p] });
    const existing = repo.sourceByLocation(item.location);
    if (existing) followStored(item, existing);
  };

  const readText = async (item: WorkItem): Promise<string | undefined> => {
    const fromLine = item.from ? { line: item.from.line } : {};
    if (isUrl(item.location)) {
      const got = await fetchGuarded(item.location, ctx.fetch);
      if (got.ok) return got.text;
      if (got.refused) {
        // Refused, not failed: nothing is kept from it, and a copy stored before is removed with the sweep.
        seen.delete(item.location);
        if (item.from)
          problem({ code: 'target', location: item.from.location, line: item.from.line, message: `Location target ${item.location} ${got.message}` });
        else problem({ code: 'fetch', location: item.location, message: `Not fetched: ${got.message}` });
        return undefined;
      }
      unreadable(item, { code: 'fetch', location: item.location, message: `Could not fetch: ${got.message}`, ...fromLine });
      return undefined;
    }
    if (item.from) {
      const escape = escapesFolder(item.location, item.confine);
      if (escape) {
        seen.delete(item.location);
        problem({ code: 'target', location: item.from.location, line: item.from.line, message: `Location target ${item.location} refused: ${escape}` });
        return undefined;
      }
    }
    const got = readRegularFile(item.location, ctx.limits.maxFileBytes);
    if (got.ok) return got.text;
    if (got.reason === 'limit') {
      unreadable(item, { code: 'limit', location: item.location, message: `Not read: ${got.message}` });
    } else if (item.from) {
      unreadable(item, {
        code: 'target',
        location: item.from.location,
        line: item.from.line,
        message: got.reason === 'missing' ? `Location target does not exist: ${item.location}` : `Could not read ${item.location}: ${got.message}`,
      });
    } else {
      unreadable(item, { code: 'read', location: item.location, message: `Could not read: ${got.message}` });
    }
    return undefined;
  };

  const readDescriptors = (item: WorkItem, text: string, hash: string, existing: SourceRow | undefined, resolved?: ResolvedFile) => {
    const source = parseDescriptors(item, text, hash, ctx.limits, resolved?.documents);
    sources.push(source);
    if (source.type === 'failed') {
      if (existing) followStored(item, existing);
      return;
    }
    const { valid } = source;
    for (const entity of valid) {
      if (firstDefiner.has(entity.ref)) continue;
      firstDefiner.set(entity.ref, item.location);
      if (entity.kind.toLowerCase() !== 'location') continue;
      const holder = repo.holderOf(entity.ref);
      if (!holder || holder.sourceId === existing?.id) follow(item, entity.body, entity.line);
    }
  };

  for (;;) {
    const item = nextOperator < operator.length ? operator[nextOperator++] : reached[nextReached++];
    if (!item) break;
    if (seen.has(item.location)) continue;
    seen.add(item.location);
    if (!isUrl(item.location) && isDirectory(item.location)) {
      const escape = item.from ? escapesFolder(item.location, item.confine) : undefined;
      if (escape && item.from) {
        seen.delete(item.location);
        problem({ code: 'target', location: item.from.location, line: item.from.line, message: `Location target ${item.location} refused: ${escape}` });
        continue;
      }
      const queue = item.from ? reached : operator;
      for (const file of walkSourceFiles(item.location)) queue.push({ ...item, location: file });
      continue;
    }
    const text = await readText(item);
    if (text === undefined) continue;
    const existing = repo.sourceByLocation(item.location);
    // Placeholders need I/O, so they are resolved here, not in the write phase; what their targets hold
    // goes into the hash, so a changed target re-reads a descriptor whose own text did not change.
    const resolved =
      !isCodeownersFile(item.location) && mayHavePlaceholders(text)
        ? await resolvePlaceholders(item, text, { limits: ctx.limits, fetch: ctx.fetch, isDescriptor: looksLikeDescriptor })
        : undefined;
    const hash = hashOf(resolved ? `${text}\0${resolved.digest}` : text, item.rule);
    if (existing && existing.hash === hash) {
      sources.push({ type: 'unchanged', item, existing });
      followStored(item, existing);
    } else if (isCodeownersFile(item.location)) {
      const { rules, errors } = parseCodeowners(text, item.location);
      sources.push({
        type: 'codeowners',
        item,
        hash,
        rules: rules.map((r) => ({ pattern: r.pattern, owners: JSON.stringify(r.owners), section: r.section, line: r.line })),
        problems: errors.map((e) => ({ code: 'codeowners', location: item.location, line: e.line, message: e.message })),
      });
    } else if (resolved || LOCATION.test(text) || (existing && repo.locationsOfSource(existing.id).length > 0)) {
      readDescriptors(item, text, hash, existing, resolved);
    } else sources.push({ type: 'deferred', item, hash, text });
  }
  return {
    sources,
    seen,
    liveRoots,
    parse: (source) =>
      source.type === 'entities' ? checkEntities(source, ctx.limits.maxFileBytes) : parseDescriptors(source.item, source.text, source.hash, ctx.limits),
  };
}

/**
 * Parses and validates one descriptor file, and checks each entity against the source's rule. `resolved`:
 * its documents already parsed, placeholders resolved (placeholders.ts).
 */
function parseDescriptors(
  item: WorkItem,
  text: string,
  hash: string,
  limits: IngestLimits,
  resolved?: ResolvedDocument[],
): Extract<ReadSource, { type: 'descriptors' | 'failed' }> {
  const parsed = resolved ? { ok: true as const, documents: resolved } : parseYamlDocuments(text, limits);
  if (!parsed.ok) {
    return {
      type: 'failed',
      item,
      hash,
      errors: [{ code: parsed.limit ? 'limit' : 'yaml', location: item.location, line: parsed.line, message: parsed.message }],
    };
  }
  const valid: NewEntity[] = [];
  const invalid: IngestProblem[] = [];
  const refused: { ref: string; problem: IngestProblem }[] = [];
  let descriptors = 0;
  for (const doc of parsed.documents as ResolvedDocument[]) {
    if (!looksLikeDescriptor(doc.value)) continue;
    descriptors++;
    if (doc.problems) {
      invalid.push(...doc.problems);
      continue;
    }
    const checked = validateEntity(doc.value);
    const normalized = checked.ok ? normalizeEntity(checked.entity, doc.line) : checked;
    if (!normalized.ok) {
      const what = describe(doc.value);
      for (const issue of normalized.issues) {
        invalid.push({ code: 'invalid', location: item.location, line: doc.line, message: `${what}: ${issue.path ? `${issue.path} ` : ''}${issue.message}` });
      }
      continue;
    }
    const entity = normalized.entity;
    if (!allows(item.rule, entity.kind)) {
      const why = item.from ? 'reached through a Location, it gets the global catalog rules' : 'catalog rules of this location';
      refused.push({
        ref: entity.ref,
        problem: {
          code: 'rule',
          location: item.location,
          line: doc.line,
          message: `${entity.ref} refused: this source may not define a ${entity.kind} (${why}: ${item.rule.label})`,
        },
      });
      continue;
    }
    valid.push(entity);
  }
  return { type: 'descriptors', item, hash, valid, invalid, refused, descriptors };
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
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
