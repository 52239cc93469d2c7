/**
 * Backstage's placeholders: anywhere in a descriptor, an object whose one key is `$text`, `$json` or
 * `$yaml` with a string value is replaced by what that string points to (the text, or the parsed value),
 * before the document is validated. Rules follow Backstage's PlaceholderProcessor: an object with a `$`
 * key and other keys, an unknown `$` key (`$ref` in a JSON schema) or a non-string value is left as written
 * and not looked into; resolved content is not searched for placeholders again; a `$yaml` target holds
 * exactly one document. Where we differ (docs/catalog-format.md): a descriptor on disk may name files
 * relative to itself, confined to its root as Location targets are; every URL goes through the guarded
 * fetch; and what may be read is capped (count, characters, depth, one deadline per file).
 *
 * A document whose placeholders cannot all be resolved is invalid: the reader keeps its entities stale.
 */
import { createHash } from 'node:crypto';
import { dirname, isAbsolute, resolve } from 'node:path';
import { type FetchLimits, fetchGuarded } from './fetch.js';
import { escapesFolder, lexicallyInside, readRegularFile } from './files.js';
import type { IngestLimits, IngestProblem, WorkItem } from './types.js';
import { parseYamlDocuments, type YamlDocument } from './yaml.js';

const KINDS = ['text', 'json', 'yaml'] as const;
type Kind = (typeof KINDS)[number];

const IS_URL = /^https?:\/\//i;
const HAS_SCHEME = /^[a-z][a-z0-9+.-]+:/i;
/** A placeholder key as written, or a `$` spelled as a YAML escape in a quoted key (`"\x24text"`). */
const MAY_HAVE = /\$(?:text|json|yaml)|\\(?:x24|u0024|U00000024)/;

/** Cheap test on a file's text: only a file that passes is parsed early to look for placeholders. */
export function mayHavePlaceholders(text: string): boolean {
  return MAY_HAVE.test(text);
}

export interface ResolvedDocument extends YamlDocument {
  /** Set when a placeholder of this document could not be resolved: the document is invalid. */
  problems?: IngestProblem[];
}

export interface ResolvedFile {
  documents: ResolvedDocument[];
  /** Covers every target and what it gave (or why it failed): folded into the source's content hash. */
  digest: string;
}

export interface PlaceholderContext {
  limits: IngestLimits;
  fetch: FetchLimits;
  /** Documents that mean to be entities; the others are left alone, as the reader ignores them. */
  isDescriptor(value: unknown): boolean;
}

/** One placeholder found in a document: `holder[key]` is the `{ $kind: target }` object. */
interface Site {
  holder: Record<string | number, unknown>;
  key: string | number;
  kind: Kind;
  target: string;
  /** Containers around the placeholder object, the document itself included. */
  depth: number;
  /** Where it sits, e.g. `metadata.links` or `spec.steps[2]`. */
  path: string;
  line: number;
}

type Source = { key: string; read: () => Promise<Loaded> } | { refused: string };
type Loaded = { ok: true; text: string; hash?: string } | { ok: false; message: string };

/**
 * Parses `text` and resolves the placeholders of its descriptor documents. Undefined when the file does
 * not parse (the reader reports that as usual) or holds no placeholder, so it is read as any other file.
 */
export async function resolvePlaceholders(
  item: Pick<WorkItem, 'location' | 'confine'>,
  text: string,
  ctx: PlaceholderContext,
): Promise<ResolvedFile | undefined> {
  const { limits } = ctx;
  const parsed = parseYamlDocuments(text, limits);
  if (!parsed.ok) return undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);

  const perDocument: { doc: ResolvedDocument; sites: Site[] }[] = [];
  let any = false;
  parsed.documents.forEach((doc, i) => {
    const entry = { doc: { ...doc } as ResolvedDocument, sites: [] as Site[] };
    perDocument.push(entry);
    if (!ctx.isDescriptor(doc.value)) return;
    const end = parsed.documents[i + 1]?.line ?? lines.length + 1;
    const found = collect(doc.value, limits.maxPlaceholders);
    if (found.length === 0) return;
    any = true;
    if (found.length > limits.maxPlaceholders) {
      entry.doc.problems = [
        problemAt(item, doc, doc.line, `more than ${limits.maxPlaceholders} placeholders in one document (catalog.limits.maxPlaceholders)`),
      ];
      return;
    }
    let cursor = doc.line;
    for (const site of found) {
      site.line = lineOf(lines, site, cursor, end) ?? lineOf(lines, site, doc.line, end) ?? doc.line;
      cursor = site.line;
    }
    entry.sites = found;
  });
  if (!any) return undefined;

  // Targets are read in document order, each distinct one once, so the caps stop reading as soon as they
  // are reached; URL fetches share one deadline per file.
  const deadline = Date.now() + ctx.fetch.timeoutMs;
  const cache = new Map<string, Loaded>();
  const digest = createHash('sha1');
  let readChars = 0;
  let fileChars = 0;
  const load = async (source: Source): Promise<{ key: string | undefined; got: Loaded }> => {
    if ('refused' in source) return { key: undefined, got: { ok: false, message: source.refused } };
    let got = cache.get(source.key);
    if (!got) {
      got =
        readChars > limits.maxExpandedBytes
          ? {
              ok: false,
              message: `not read: this file's placeholders have read more than ${limits.maxExpandedBytes} characters (catalog.limits.maxExpandedBytes)`,
            }
          : await source.read().catch((err: unknown) => ({ ok: false as const, message: (err as Error).message }));
      if (got.ok) {
        readChars += got.text.length;
        got.hash = createHash('sha1').update(got.text).digest('hex');
      }
      cache.set(source.key, got);
    }
    return { key: source.key, got };
  };

  for (const { doc, sites } of perDocument) {
    if (sites.length === 0) continue;
    const problems: IngestProblem[] = [];
    const values: unknown[] = [];
    let docChars = 0;
    for (const site of sites) {
      const { key, got } = await load(locate(site.target, item, ctx, deadline));
      digest.update(`${site.kind}\0${key ?? site.target}\0${got.ok ? got.hash : `error: ${got.message}`}\n`);
      const fail = (message: string) => problems.push(problemAt(item, doc, site.line, `${site.path}: $${site.kind} "${site.target}" ${message}`));
      if (!got.ok) {
        fail(got.message);
        continue;
      }
      const room = Math.min(limits.maxPlaceholderBytes - docChars, limits.maxExpandedBytes - fileChars);
      const value = convert(site, got.text, limits, room);
      if (!value.ok) {
        fail(value.message);
        continue;
      }
      docChars += value.chars;
      fileChars += value.chars;
      if (docChars > limits.maxPlaceholderBytes) {
        fail(`would put more than ${limits.maxPlaceholderBytes} characters of placeholder content into one document (catalog.limits.maxPlaceholderBytes)`);
        break;
      }
      if (fileChars > limits.maxExpandedBytes) {
        fail(`would put more than ${limits.maxExpandedBytes} characters of placeholder content into this file (catalog.limits.maxExpandedBytes)`);
        break;
      }
      values.push(value.value);
    }
    if (problems.length > 0) doc.problems = problems;
    else sites.forEach((site, i) => (site.holder[site.key] = values[i]));
  }
  return { documents: perDocument.map((d) => d.doc), digest: digest.digest('hex') };
}

/**
 * The placeholders of one document in document order, at most `max + 1` (one more says "too many").
 * Walks what Backstage walks: containers without `$` keys are searched, anything with one is not.
 */
function collect(root: unknown, max: number): Site[] {
  const sites: Site[] = [];
  const visit = (value: unknown, holder: Site['holder'], key: string | number, depth: number, path: string) => {
    if (sites.length > max || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, value as unknown as Site['holder'], i, depth + 1, `${path}[${i}]`));
      return;
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (!keys.some((k) => k.startsWith('$'))) {
      for (const k of keys) visit(record[k], record, k, depth + 1, path ? `${path}.${k}` : k);
      return;
    }
    const only = keys.length === 1 ? (keys[0] as string) : undefined;
    const kind = only?.slice(1) as Kind | undefined;
    const target = only === undefined ? undefined : record[only];
    if (kind && KINDS.includes(kind) && typeof target === 'string') {
      sites.push({ holder, key, kind, target, depth, path: path || '(document)', line: 0 });
    }
  };
  visit(root, { root }, 'root', 0, '');
  return sites;
}

/** Where a target is read from, relative to the descriptor; or why it may not be. */
function locate(target: string, item: Pick<WorkItem, 'location' | 'confine'>, ctx: PlaceholderContext, deadline: number): Source {
  const fromUrl = IS_URL.test(item.location);
  if (fromUrl || IS_URL.test(target)) {
    let url: URL;
    try {
      url = new URL(target, fromUrl ? item.location : undefined);
    } catch {
      return { refused: `is not a URL or a path relative to ${item.location}` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { refused: `refused: only http and https URLs are fetched, not ${url.protocol}` };
    return { key: url.href, read: () => fetchOne(url.href, ctx, deadline) };
  }
  if (HAS_SCHEME.test(target)) return { refused: 'refused: a target is a path relative to this file or an http(s) URL' };
  if (isAbsolute(target)) return { refused: 'refused: absolute paths may not be named; use a path relative to this file' };
  const path = resolve(dirname(item.location), target);
  if (!lexicallyInside(path, item.confine)) return { refused: `refused: it leaves ${item.confine}` };
  return {
    key: path,
    read: async () => {
      const escape = escapesFolder(path, item.confine);
      if (escape) return { ok: false, message: `refused: ${escape}` };
      const got = readRegularFile(path, ctx.limits.maxFileBytes);
      if (got.ok) return got;
      return { ok: false, message: got.reason === 'missing' ? `does not exist (${path})` : `could not be read (${path}): ${got.message}` };
    },
  };
}

async function fetchOne(href: string, ctx: PlaceholderContext, deadline: number): Promise<Loaded> {
  const left = deadline - Date.now();
  if (left <= 0) return { ok: false, message: `not fetched: the placeholders of one file share one ${ctx.fetch.timeoutMs} ms deadline, and it has passed` };
  const got = await fetchGuarded(href, { ...ctx.fetch, timeoutMs: left });
  if (got.ok) return { ok: true, text: got.text };
  return { ok: false, message: got.refused ? `not fetched (${href}): ${got.message}` : `could not be fetched (${href}): ${got.message}` };
}

type Converted = { ok: true; value: unknown; chars: number } | { ok: false; message: string };

/** The value a target's content stands for, bounded by `room` characters and the depth left at its site. */
function convert(site: Site, content: string, limits: IngestLimits, room: number): Converted {
  if (site.kind === 'text') return { ok: true, value: content, chars: content.length };
  const depthLeft = limits.maxDepth - site.depth;
  let value: unknown;
  if (site.kind === 'json') {
    try {
      value = JSON.parse(content.replace(/^\uFEFF/, ''));
    } catch (err) {
      return { ok: false, message: `is not valid JSON: ${(err as Error).message}` };
    }
  } else {
    // The same bounds as a descriptor file, with the room left in this document: an alias bomb fails here.
    const bounded = Math.max(1, room);
    const parsed = parseYamlDocuments(content, {
      ...limits,
      maxExpandedBytes: Math.min(limits.maxExpandedBytes, bounded),
      maxExpandedNodes: Math.min(limits.maxExpandedNodes, bounded),
    });
    const roomRanOut =
      (bounded < limits.maxExpandedBytes && /maxExpandedBytes/.test(parsed.ok ? '' : parsed.message)) ||
      (bounded < limits.maxExpandedNodes && /maxExpandedNodes/.test(parsed.ok ? '' : parsed.message));
    if (!parsed.ok && roomRanOut) {
      return {
        ok: false,
        message: `expands past the ${bounded} characters of placeholder content left (catalog.limits.maxPlaceholderBytes per document, maxExpandedBytes per file)`,
      };
    }
    if (!parsed.ok) return { ok: false, message: `is not usable YAML (line ${parsed.line} of the target): ${parsed.message}` };
    if (parsed.documents.length !== 1) {
      return { ok: false, message: `holds ${parsed.documents.length} YAML documents; a $yaml target must hold exactly one` };
    }
    value = (parsed.documents[0] as YamlDocument).value;
  }
  if (deeperThan(value, depthLeft)) {
    return { ok: false, message: `nests deeper than ${limits.maxDepth} levels once placed here (catalog.limits.maxDepth)` };
  }
  return { ok: true, value, chars: JSON.stringify(value).length };
}

/** True when `value` nests more than `max` containers deep; never recurses further than that. */
function deeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (max <= 0) return true;
  const children = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  return children.some((child) => deeperThan(child, max - 1));
}

/**
 * The line a placeholder is written on: the first line from `from` (before `to`) with its key, and with
 * its target when the target is written out plainly. js-yaml keeps no positions, so this reads the text.
 */
function lineOf(lines: string[], site: Site, from: number, to: number): number | undefined {
  const key = new RegExp(`(?:^|[\\s{,"'])\\$${site.kind}["']?\\s*:`);
  let keyOnly: number | undefined;
  for (let n = from; n < to && n <= lines.length; n++) {
    const line = lines[n - 1] as string;
    if (!key.test(line)) continue;
    if (line.includes(site.target)) return n;
    keyOnly ??= n;
  }
  return keyOnly;
}

function problemAt(item: Pick<WorkItem, 'location'>, doc: YamlDocument, line: number, message: string): IngestProblem {
  return { code: 'invalid', location: item.location, line, message: `${describe(doc.value)}: ${message}` };
}

function describe(value: unknown): string {
  const v = value as { kind?: unknown; metadata?: { name?: unknown } };
  const kind = typeof v.kind === 'string' ? v.kind : 'entity';
  const name = typeof v.metadata?.name === 'string' ? ` "${v.metadata.name}"` : '';
  return `${kind}${name}`;
}
