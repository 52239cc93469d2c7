/** The contract between ingest's phases (read, write) and its callers: options, report, problems. */
import type { KindRule } from '../rules.js';
import type { NewEntity, SourceRow } from '../store/repo.js';

export type ProblemCode = 'invalid' | 'yaml' | 'read' | 'fetch' | 'conflict' | 'target' | 'codeowners' | 'rule' | 'limit';

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

/** What one file or URL answer may hold; beyond any of these the source fails alone (docs/catalog-format.md). */
export interface IngestLimits {
  /** Bytes read from a file or URL answer. */
  maxFileBytes: number;
  /** Aliases (`*name`) to mappings and sequences, per file. */
  maxAliases: number;
  /** Nodes of the file as it would be with every alias expanded. */
  maxExpandedNodes: number;
  /** Characters of strings and keys of the file as it would be with every alias expanded. */
  maxExpandedBytes: number;
  /** Nesting of mappings and sequences, aliases expanded. */
  maxDepth: number;
  /** Placeholders (`$text`, `$json`, `$yaml`) in one document. */
  maxPlaceholders: number;
  /** Characters placeholders put into one document, all targets together (each is under maxFileBytes too). */
  maxPlaceholderBytes: number;
}

export const DEFAULT_LIMITS: IngestLimits = {
  maxFileBytes: 1024 * 1024,
  maxAliases: 1000,
  maxExpandedNodes: 1_000_000,
  maxExpandedBytes: 16 * 1024 * 1024,
  maxDepth: 64,
  maxPlaceholders: 100,
  maxPlaceholderBytes: 4 * 1024 * 1024,
};

/** A path or URL the operator listed, with the kinds its sources may define (default: any kind). */
export interface IngestRoot {
  target: string;
  rule?: KindRule;
  /** A live source (src/catalog/sources) instead of a path or an http(s) URL read as a file. */
  source?: BackstageSource | GitSource;
}

/** `target` is a Backstage backend's base URL; its whole catalog is read through the catalog API. */
export interface BackstageSource {
  type: 'backstage';
  /** A static external access token, sent as `Authorization: Bearer`. */
  token: string;
}

/** `target` is a git URL: cloned shallow under `IngestOptions.cacheDir`, fetched again on every ingest. */
export interface GitSource {
  type: 'git';
  /** Default: the repository's default branch (its HEAD). */
  branch?: string;
}

/**
 * Plain data apart from `now`: a file catalog's run crosses to a worker thread (thread.ts), where
 * functions and class instances cannot follow.
 */
export interface IngestOptions {
  /** Read once, when the run starts. */
  now?: () => Date;
  /** One deadline per URL, redirects included; default 10 s. */
  fetchTimeoutMs?: number;
  /** Kinds a source reached through a Location entity may define; default any (no config file). */
  globalRule?: KindRule;
  /** Hosts or CIDRs that URL targets may reach although they are loopback, private or link-local. */
  fetchAllow?: readonly string[];
  limits?: Partial<IngestLimits>;
  /** Where git sources are checked out (`<data dir>/sources`); a git root without it fails. */
  cacheDir?: string;
  /** One deadline per git command (clone, fetch, reset); default 120 s. */
  gitTimeoutMs?: number;
  /** Backstage catalog API paging and retries (sources/backstage.ts); each page gets `fetchTimeoutMs`. */
  backstage?: { pageSize?: number; retries?: number; retryBaseMs?: number };
  /** Heap limit (MB) of the worker thread a file catalog ingests in; a run that needs more fails and changes nothing. Default V8's. */
  maxHeapMb?: number;
}

export interface WorkItem {
  location: string;
  /** The operator-listed root it was found under: sources gone from a live root are removed. */
  root: string;
  /** Files it names must stay inside this folder (realpath); the operator's own root may be anywhere. */
  confine: string;
  rule: KindRule;
  /** The Location entity that pointed here, for "target not found" messages. */
  from?: { location: string; line: number };
}

/** What the read phase learnt of one source; the write phase turns it into rows. */
export type ReadSource =
  | { type: 'failed'; item: WorkItem; hash: string | null; errors: IngestProblem[] }
  /**
   * Read but not parsed yet: it cannot hold a Location (and never did), so nothing in it changes what is
   * read. The write phase parses it (CPU only), so the run holds one file's entities at a time, not all.
   */
  | { type: 'deferred'; item: WorkItem; hash: string; text: string }
  /**
   * Entities an API returned (Backstage), one UTF-8 JSON text each, not validated yet: like `deferred`, they
   * are checked when written, so the run never holds every entity's rows at once.
   */
  | { type: 'entities'; item: WorkItem; hash: string; documents: Buffer[] }
  | { type: 'unchanged'; item: WorkItem; existing: SourceRow }
  | {
      type: 'codeowners';
      item: WorkItem;
      hash: string;
      rules: { pattern: string; owners: string; section: string | null; line: number }[];
      problems: IngestProblem[];
    }
  | {
      type: 'descriptors';
      item: WorkItem;
      hash: string;
      valid: NewEntity[];
      /** Documents that failed validation: their entities are kept, stale. */
      invalid: IngestProblem[];
      /** Entities of kinds the source may not define: refused and, if stored before, removed. */
      refused: { ref: string; problem: IngestProblem }[];
      descriptors: number;
    };
