/**
 * Opens Switchboard's SQLite file, applies every migration in drizzle/ (catalog and bot state share the
 * file) and sets the pragmas both rely on. Several connections may share the file: WAL lets readers run
 * beside the one writer.
 *
 * drizzle is loaded only when something needs it: to migrate a file whose migrations are not all
 * applied, or when a caller reads `orm`. The catalog queries through better-sqlite3 statements alone, and
 * drizzle's driver costs about 0.6 s to load (Node re-reads its 180 kB package.json exports map for its
 * every module), so `switchboard whoowns` against a migrated file never loads it.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { shipped } from '../install-root.js';

const MIGRATIONS = shipped('drizzle');
/** drizzle's bookkeeping table (its default name): one row per applied migration. */
const APPLIED = '__drizzle_migrations';

export interface Db {
  sqlite: Database.Database;
  /** drizzle over `sqlite`, made (and drizzle loaded) on first use. */
  readonly orm: BetterSQLite3Database;
}

/** `file` is a path or `:memory:`. Creates the parent folder of a new file. */
export function openDb(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -65536');
  let orm: BetterSQLite3Database | undefined;
  const ormOf = () => (orm ??= loadDrizzle().driver.drizzle(sqlite));
  if (!migrated(sqlite)) loadDrizzle().migrator.migrate(ormOf(), { migrationsFolder: MIGRATIONS });
  return {
    sqlite,
    get orm() {
      return ormOf();
    },
  };
}

/**
 * Whether drizzle's migrator would find nothing to do: it applies each journal entry newer than the
 * newest row of its table, so the file is current when that row is at least the journal's newest entry.
 */
function migrated(sqlite: Database.Database): boolean {
  let newest: number | undefined;
  try {
    const row = sqlite.prepare(`SELECT created_at FROM ${APPLIED} ORDER BY created_at DESC LIMIT 1`).get() as { created_at: unknown } | undefined;
    newest = row ? Number(row.created_at) : undefined;
  } catch {
    return false; // no table yet: a new file
  }
  return newest !== undefined && newest >= journalNewest();
}

let journal: number | undefined;
function journalNewest(): number {
  if (journal === undefined) {
    const file = join(MIGRATIONS, 'meta', '_journal.json');
    const { entries } = JSON.parse(readFileSync(file, 'utf8')) as { entries: { when: number }[] };
    journal = Math.max(...entries.map((e) => e.when));
  }
  return journal;
}

type Driver = typeof import('drizzle-orm/better-sqlite3');
type Migrator = typeof import('drizzle-orm/better-sqlite3/migrator');
let drizzleModules: { driver: Driver; migrator: Migrator } | undefined;

/**
 * drizzle's ES modules, loaded synchronously (openDb is synchronous): require() of an ES module, by the
 * path `import` resolves to, gives the very instance a static `import` gets, so the schema's tables
 * and this driver are one drizzle.
 */
function loadDrizzle() {
  if (!drizzleModules) {
    const load = createRequire(import.meta.url);
    const esm = (specifier: string) => load(fileURLToPath(import.meta.resolve(specifier))) as unknown;
    drizzleModules = { driver: esm('drizzle-orm/better-sqlite3') as Driver, migrator: esm('drizzle-orm/better-sqlite3/migrator') as Migrator };
  }
  return drizzleModules;
}
