/**
 * Runs ingests in a worker thread (worker.ts) and hands back their reports. What crosses to the thread
 * is plain data (structured clone): the catalog file, the roots and the options, with `now()` read here
 * once as a number. A run that throws, a worker that crashes or runs out of memory, or a close() in the
 * middle rejects with a CatalogError; its write transaction never committed, so the catalog is as it was.
 *
 * One thread serves every run of the process, one run at a time, and stays for KEEP_WARM_MS after the
 * last: starting it costs more than a small run (0.1 s compiled, 0.5 s from the sources through tsx),
 * and back-to-back runs (tests, `ingest` then a query) reuse it. Idle longer, it ends, and the memory a
 * large catalog took goes with it; a periodic refresh starts a fresh one each time.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CatalogError } from '../errors.js';
import type { IngestOptions, IngestReport, IngestRoot } from './types.js';

/** One run, as worker.ts receives it. */
export interface WorkerInput {
  file: string;
  roots: (string | IngestRoot)[];
  options: Omit<IngestOptions, 'now' | 'maxHeapMb'>;
  nowMs: number;
}

/** What worker.ts posts back for a run. */
export type WorkerOutput =
  { ok: true; report: IngestReport } | { ok: false; error: { name: string; message: string; stack?: string | undefined; code?: unknown } };

export type WorkerRequest = { id: number; input: WorkerInput };
export type WorkerReply = { id: number; output: WorkerOutput };

export interface WorkerRun {
  done: Promise<IngestReport>;
  /** Stops the run (its catalog is closing): `done` rejects, nothing of the run is committed. */
  terminate(): void;
}

const KEEP_WARM_MS = 2_000;

// From the TypeScript sources (tests, tsx) the thread needs tsx to load worker.ts; compiled, worker.js
// loads as it is. tsx is resolved from here, not from the working directory, which may be anywhere.
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCES ? './worker.ts' : './worker.js', import.meta.url);
const EXEC_ARGV = FROM_SOURCES ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : undefined;

interface Pending {
  file: string;
  resolve(report: IngestReport): void;
  reject(err: Error): void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
  idle?: NodeJS.Timeout;
  /** Why the thread is going away, when we end it ourselves. */
  ending?: string;
}

/** By heap limit (0: V8's default): a limit belongs to a thread, so runs with another one get their own. */
const threads = new Map<number, Thread>();
let nextId = 0;

const failure = (file: string, message: string, cause?: unknown) =>
  new CatalogError('ingest_failed', `Catalog ingest into ${file} failed: ${message}; the catalog is unchanged`, { cause });

function threadFor(heapMb: number): Thread {
  const existing = threads.get(heapMb);
  if (existing) return existing;
  const worker = new Worker(WORKER_URL, {
    ...(EXEC_ARGV ? { execArgv: EXEC_ARGV } : {}),
    ...(heapMb ? { resourceLimits: { maxOldGenerationSizeMb: heapMb } } : {}),
  });
  const thread: Thread = { worker, pending: new Map() };
  threads.set(heapMb, thread);
  let crash: Error | undefined;
  worker.on('message', ({ id, output }: WorkerReply) => {
    const run = thread.pending.get(id);
    if (!run) return;
    thread.pending.delete(id);
    if (output.ok) run.resolve(output.report);
    else run.reject(failure(run.file, output.error.message, Object.assign(new Error(output.error.message), output.error)));
    if (thread.pending.size === 0) rest(heapMb, thread);
  });
  worker.on('error', (err) => (crash = err));
  worker.on('exit', (code) => {
    if (threads.get(heapMb) === thread) threads.delete(heapMb);
    clearTimeout(thread.idle);
    const oom = (crash as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
    const why =
      thread.ending ??
      (oom
        ? `the ingest worker ran out of memory (heap limit ${heapMb || 'default'} MB)`
        : crash
          ? `the ingest worker crashed: ${crash.message}`
          : `the ingest worker exited with code ${code} before it reported`);
    for (const run of thread.pending.values()) run.reject(failure(run.file, why, crash));
    thread.pending.clear();
  });
  return thread;
}

/** Nothing left to do: the thread no longer keeps the process alive, and ends unless a run comes soon. */
function rest(heapMb: number, thread: Thread): void {
  thread.worker.unref();
  thread.idle = setTimeout(() => end(heapMb, thread, 'the ingest worker was idle'), KEEP_WARM_MS);
  thread.idle.unref();
}

function end(heapMb: number, thread: Thread, why: string): void {
  if (threads.get(heapMb) === thread) threads.delete(heapMb);
  thread.ending = why;
  void thread.worker.terminate();
}

export function ingestInWorker(file: string, roots: (string | IngestRoot)[], options: IngestOptions): WorkerRun {
  const { now, maxHeapMb, ...plain } = options;
  const heapMb = maxHeapMb ?? 0;
  const input: WorkerInput = { file, roots, options: plain, nowMs: (now ?? (() => new Date()))().getTime() };
  const id = ++nextId;
  const thread = threadFor(heapMb);
  clearTimeout(thread.idle);
  thread.worker.ref();
  const done = new Promise<IngestReport>((resolve, reject) => {
    thread.pending.set(id, { file, resolve, reject });
    try {
      thread.worker.postMessage({ id, input } satisfies WorkerRequest);
    } catch (err) {
      thread.pending.delete(id);
      if (thread.pending.size === 0) rest(heapMb, thread);
      // DataCloneError: an option that is not plain data (a function, a class instance).
      reject(failure(file, `its options must be plain data (${err instanceof Error ? err.message : String(err)})`, err));
    }
  });
  return {
    done,
    terminate: () => {
      if (thread.pending.has(id)) end(heapMb, thread, 'the catalog was closed during the run');
    },
  };
}
