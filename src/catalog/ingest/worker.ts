/**
 * The ingest worker thread: whole runs (read, parse, the write transaction, the checkpoint), each on a
 * connection of its own to its catalog file, so the bot's event loop never waits on one. The main
 * thread keeps answering from the last committed snapshot (WAL) meanwhile. Started by thread.ts; runs
 * are taken one at a time, in the order they came.
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createRepo } from '../store/repo.js';
import { runIngest } from './ingest.js';
import type { WorkerInput, WorkerOutput, WorkerReply, WorkerRequest } from './thread.js';

/** Below the default 0 (nice 10 gets about a tenth of a core's share against a thread at 0). */
const BACKGROUND_NICE = 10;

if (!parentPort) throw new Error('src/catalog/ingest/worker.ts runs as a worker thread (thread.ts starts it), not on its own');
const port = parentPort;

// Where cores are short, the bot's own thread (acks, answers) goes first: a refresh may take longer,
// an answer may not. On Linux a nice value belongs to a thread, and 0 names the calling one; elsewhere
// it is the whole process's, so it is left alone there.
if (process.platform === 'linux') setPriority(0, BACKGROUND_NICE);

let queue: Promise<void> = Promise.resolve();
port.on('message', ({ id, input }: WorkerRequest) => {
  queue = queue.then(async () => port.postMessage({ id, output: await run(input) } satisfies WorkerReply));
});

async function run({ file, roots, options, nowMs }: WorkerInput): Promise<WorkerOutput> {
  try {
    const sqlite = openConnection(file);
    try {
      return { ok: true, report: await runIngest(sqlite, createRepo(sqlite), roots, { ...options, now: () => new Date(nowMs) }) };
    } finally {
      sqlite.close();
    }
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    return { ok: false, error: { name: e.name, message: e.message, stack: e.stack, code: (e as { code?: unknown }).code } };
  }
}

/**
 * A second connection to a file openCatalog has opened (and migrated) already, with the pragmas
 * src/db/open.ts sets but a smaller page cache. Not through openDb: drizzle's driver alone costs 0.6 s to load.
 */
function openConnection(path: string): Database.Database {
  const sqlite = new Database(path, { fileMustExist: true });
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  // 8 MB, not the answering connection's 64 MB: an ingest writes once and reads little back, and a
  // 100k-entity run measured 595 MB peak RSS with 64 MB against 469 MB with 8 MB, at the same speed.
  sqlite.pragma('cache_size = -8192');
  return sqlite;
}
