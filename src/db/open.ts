/**
 * Opens Switchboard's SQLite file, applies every migration in drizzle/ (catalog and bot state share the
 * file) and sets the pragmas both rely on. Several connections may share the file: WAL lets readers run
 * beside the one writer.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';

const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));

export interface Db {
  sqlite: Database.Database;
  orm: BetterSQLite3Database;
}

/** `file` is a path or `:memory:`. Creates the parent folder of a new file. */
export function openDb(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -65536');
  const orm = drizzle(sqlite);
  migrate(orm, { migrationsFolder: MIGRATIONS });
  return { sqlite, orm };
}
