/** Opens the catalog's SQLite file, applies the migrations in drizzle/ and sets the pragmas it relies on. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';

const MIGRATIONS = fileURLToPath(new URL('../../../drizzle', import.meta.url));

export interface CatalogDb {
  sqlite: Database.Database;
  orm: BetterSQLite3Database<typeof schema>;
}

/** `file` is a path or `:memory:`. Creates the parent folder of a new file. */
export function openDb(file: string): CatalogDb {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -65536');
  const orm = drizzle(sqlite, { schema });
  migrate(orm, { migrationsFolder: MIGRATIONS });
  return { sqlite, orm };
}
