/**
 * Where Switchboard keeps its files beside SWITCHBOARD_DB. The catalog has a file of its own
 * (`switchboard.db` → `switchboard.catalog.db`): it is rebuilt from the sources at any time, a refresh
 * writes it from a worker thread, and the bot's own writes to the state file (deliveries, audit) never
 * wait on that refresh's write lock.
 */
import { basename, dirname, extname, join } from 'node:path';

export function catalogFileFor(dbFile: string): string {
  if (dbFile === ':memory:') return dbFile;
  const ext = extname(dbFile);
  return join(dirname(dbFile), `${basename(dbFile, ext)}.catalog${ext || '.db'}`);
}
