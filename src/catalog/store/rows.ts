/** The rows the catalog store reads and writes: plain objects, no SQLite types. */
import type { Relation } from '../relations.js';

export type TermField = 'name' | 'title' | 'alias' | 'tag' | 'email';

export interface EntityRow {
  id: number;
  ref: string;
  kind: string;
  namespace: string;
  name: string;
  title: string | null;
  specType: string | null;
  lifecycle: string | null;
  ownerRef: string | null;
  parentRef: string | null;
  body: string;
  sourceId: number;
  line: number;
  stale: number;
  ingestedAt: number;
  sourceLocation: string;
}

export interface SourceRow {
  id: number;
  location: string;
  kind: 'file' | 'url' | 'codeowners';
  root: string;
  hash: string | null;
  status: 'ok' | 'error';
  errors: string | null;
  ingestedAt: number;
  lastGoodAt: number | null;
}

/** An entity as ingest writes it: its columns plus the rows derived from it. */
export interface NewEntity extends Pick<
  EntityRow,
  'ref' | 'kind' | 'namespace' | 'name' | 'title' | 'specType' | 'lifecycle' | 'ownerRef' | 'parentRef' | 'body' | 'line'
> {
  terms: { term: string; field: TermField }[];
  search: { name: string; title: string; aliases: string; tags: string } | null;
  relations: Relation[];
  /** Typo-index keys of its names (queries/similarity.ts deletionKeys). */
  fuzzyKeys: number[];
}

export interface CodeownersRuleRow {
  ord: number;
  pattern: string;
  owners: string;
  section: string | null;
  line: number;
}
