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
}

export const DEFAULT_LIMITS: IngestLimits = {
  maxFileBytes: 1024 * 1024,
  maxAliases: 1000,
  maxExpandedNodes: 1_000_000,
  maxExpandedBytes: 16 * 1024 * 1024,
  maxDepth: 64,
};

/** A path or URL the operator listed, with the kinds its sources may define (default: any kind). */
export interface IngestRoot {
  target: string;
  rule?: KindRule;
}

export interface IngestOptions {
  now?: () => Date;
  /** One deadline per URL, redirects included; default 10 s. */
  fetchTimeoutMs?: number;
  /** Kinds a source reached through a Location entity may define; default any (no config file). */
  globalRule?: KindRule;
  /** Hosts or CIDRs that URL targets may reach although they are loopback, private or link-local. */
  fetchAllow?: readonly string[];
  limits?: Partial<IngestLimits>;
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
