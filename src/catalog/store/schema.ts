/**
 * The catalog's tables. Storage types stay inside src/catalog: callers get plain answer objects.
 * The full-text (trigram) index over names, titles, aliases and tags is a virtual table created by a
 * custom migration (drizzle/), because drizzle-kit does not model FTS5.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** One file, URL or CODEOWNERS file that gave entities, and how its last ingest went. */
export const sources = sqliteTable(
  'sources',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Absolute path or URL. */
    location: text('location').notNull(),
    kind: text('kind', { enum: ['file', 'url', 'codeowners'] }).notNull(),
    /** The ingest root (a path given to `ingest`) it was found under: files gone from a root are removed. */
    root: text('root').notNull(),
    /** Content hash of the last ingest attempt; an unchanged file is skipped. */
    hash: text('hash'),
    status: text('status', { enum: ['ok', 'error'] }).notNull(),
    /** JSON list of {line, message} from the last failed attempt. */
    errors: text('errors'),
    ingestedAt: integer('ingested_at').notNull(),
    lastGoodAt: integer('last_good_at'),
  },
  (t) => [uniqueIndex('sources_location').on(t.location), index('sources_root').on(t.root)],
);

export const entities = sqliteTable(
  'entities',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Canonical lower-case `kind:namespace/name`. */
    ref: text('ref').notNull(),
    kind: text('kind').notNull(),
    namespace: text('namespace').notNull(),
    name: text('name').notNull(),
    title: text('title'),
    specType: text('spec_type'),
    lifecycle: text('lifecycle'),
    /** Canonical owner ref as derived from spec.owner; null when the descriptor names none. */
    ownerRef: text('owner_ref'),
    /** Canonical ref of spec.system (components, APIs, resources) or spec.domain (systems). */
    parentRef: text('parent_ref'),
    /** The descriptor as written (JSON). */
    body: text('body').notNull(),
    sourceId: integer('source_id').notNull(),
    /** 1-based line of the document in its source. */
    line: integer('line').notNull(),
    /** True when the entity's source failed its last ingest and this is the last good version. */
    stale: integer('stale', { mode: 'boolean' }).notNull().default(false),
    ingestedAt: integer('ingested_at').notNull(),
  },
  (t) => [uniqueIndex('entities_ref').on(t.ref), index('entities_source').on(t.sourceId), index('entities_owner').on(t.ownerRef)],
);

/**
 * Lower-cased names, titles, aliases, tags and (for users) e-mails: exact case-insensitive lookup,
 * short prefixes, and mapping CODEOWNERS e-mails to users.
 */
export const entityTerms = sqliteTable(
  'entity_terms',
  {
    term: text('term').notNull(),
    entityId: integer('entity_id').notNull(),
    field: text('field', { enum: ['name', 'title', 'alias', 'tag', 'email'] }).notNull(),
  },
  (t) => [index('entity_terms_term_field').on(t.term, t.field), index('entity_terms_entity').on(t.entityId)],
);

/**
 * Typo index (symmetric deletion): for every name, title and alias, the hash of the text itself and of
 * each variant with one character deleted. A query one edit away from a name (a wrong, missing, extra
 * or swapped letter) shares at least one key with it, found with a handful of index lookups.
 */
export const nameKeys = sqliteTable(
  'name_keys',
  {
    key: integer('key').notNull(),
    entityId: integer('entity_id').notNull(),
  },
  (t) => [index('name_keys_key').on(t.key), index('name_keys_entity').on(t.entityId)],
);

/** Both directions of every derived relation; `originId` is the entity whose spec declared it. */
export const relations = sqliteTable(
  'relations',
  {
    sourceRef: text('source_ref').notNull(),
    type: text('type').notNull(),
    targetRef: text('target_ref').notNull(),
    originId: integer('origin_id').notNull(),
  },
  (t) => [index('relations_source_type').on(t.sourceRef, t.type, t.targetRef), index('relations_origin').on(t.originId)],
);

/** Rules of ingested CODEOWNERS files, keyed by the repository root they govern. */
export const codeownersRules = sqliteTable(
  'codeowners_rules',
  {
    sourceId: integer('source_id').notNull(),
    repoRoot: text('repo_root').notNull(),
    ord: integer('ord').notNull(),
    pattern: text('pattern').notNull(),
    /** JSON array of owner tokens as written. */
    owners: text('owners').notNull(),
    section: text('section'),
    line: integer('line').notNull(),
  },
  (t) => [index('codeowners_rules_root').on(t.repoRoot, t.ord), index('codeowners_rules_source').on(t.sourceId)],
);
