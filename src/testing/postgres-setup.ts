/**
 * vitest global setup: one PostgreSQL cluster for the whole run, its URL in the environment the test
 * workers inherit. Without server binaries the PostgreSQL tests are skipped with a note, except in CI
 * (CI=true), where a missing PostgreSQL fails the run: .ci/run installs it.
 */
import { POSTGRES_URL_ENV, postgresBinDir, startPostgres } from './postgres.js';

export default async function setup(): Promise<(() => Promise<void>) | void> {
  if (process.env[POSTGRES_URL_ENV]) return;
  if (!postgresBinDir()) {
    const note = 'PostgreSQL server binaries not found: the PostgreSQL state tests are skipped (install the postgresql package, or set PG_BIN)';
    if (process.env.CI) throw new Error(note.replace('are skipped', 'cannot run'));
    console.warn(note);
    return;
  }
  const server = await startPostgres();
  process.env[POSTGRES_URL_ENV] = server.url;
  return () => server.stop();
}
