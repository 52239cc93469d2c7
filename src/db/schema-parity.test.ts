/**
 * The shared state's two schemas (SQLite in src/state, src/audit, src/deployments; PostgreSQL in
 * pg-schema.ts) must describe the same tables: a column added to one and not the other fails here,
 * before a replica on PostgreSQL loses what the SQLite store keeps.
 */
import { getTableConfig as pgConfig, type PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as sqliteAudit from '../audit/schema.js';
import * as sqliteDeployments from '../deployments/schema.js';
import * as sqliteState from '../state/schema.js';
import * as pgSchema from './pg-schema.js';

interface Shape {
  columns: Record<string, { notNull: boolean; primary: boolean; kind: 'text' | 'number' }>;
  primaryKeys: string[][];
  indexes: Record<string, string[]>;
  checks: string[];
}

const kindOf = (dataType: string): 'text' | 'number' => (dataType === 'string' ? 'text' : 'number');

function sqliteShape(t: SQLiteTable): Shape {
  const c = sqliteConfig(t);
  return {
    columns: Object.fromEntries(c.columns.map((col) => [col.name, { notNull: col.notNull, primary: col.primary, kind: kindOf(col.dataType) }])),
    primaryKeys: c.primaryKeys.map((pk) => pk.columns.map((col) => col.name)),
    indexes: Object.fromEntries(c.indexes.map((i) => [i.config.name, i.config.columns.map((col) => (col as { name: string }).name)])),
    checks: c.checks.map((k) => k.name),
  };
}

function pgShape(t: PgTable): Shape {
  const c = pgConfig(t);
  return {
    columns: Object.fromEntries(c.columns.map((col) => [col.name, { notNull: col.notNull, primary: col.primary, kind: kindOf(col.dataType) }])),
    primaryKeys: c.primaryKeys.map((pk) => pk.columns.map((col) => col.name)),
    indexes: Object.fromEntries(c.indexes.map((i) => [i.config.name, i.config.columns.map((col) => (col as { name: string }).name)])),
    checks: c.checks.map((k) => k.name),
  };
}

const sqliteTables = { ...sqliteState, ...sqliteAudit, ...sqliteDeployments };
const shared = [
  'deliveries',
  'incidentPosts',
  'stepJournal',
  'chatConversations',
  'chatAccounts',
  'registeredDescriptors',
  'attestations',
  'attestationAsks',
  'digestPosts',
  'questions',
  'auditLog',
  'auditHead',
  'deployments',
] as const;

describe('shared state schema', () => {
  it('has the same tables on both dialects', () => {
    const pgNames = Object.entries(pgSchema)
      .filter(([, v]) => typeof v === 'object' && v !== null && Symbol.for('drizzle:IsDrizzleTable') in v)
      .map(([k]) => k)
      .sort();
    expect(pgNames).toEqual([...shared].sort());
  });

  it.each(shared)('%s: same columns, nullability, keys and indexes', (name) => {
    expect(pgShape(pgSchema[name] as PgTable)).toEqual(sqliteShape(sqliteTables[name] as SQLiteTable));
  });
});
