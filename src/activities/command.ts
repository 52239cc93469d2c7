/**
 * The `command` executor's I/O: run a step's argv (Terraform, a script) without a shell, with the
 * request's inputs in the environment and nothing else of the worker's, stop it at its timeout, and
 * keep the tail of its output for the request's thread. The Temporal activity around it maps a
 * CommandError to a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { constants } from 'node:os';
import { redactText } from '../audit/redact.js';

export interface CommandRun {
  argv: string[];
  cwd?: string;
  inputs: Record<string, string | number | boolean>;
  /** Added last, so it overrides the base and the inputs: PATH, a token the step needs. */
  env?: Record<string, string>;
  timeoutMs: number;
  heartbeat?: (detail: unknown) => void;
  signal?: AbortSignal;
}

export interface CommandResult {
  exitCode: number;
  durationMs: number;
  /** The last ~4 KB of stdout and stderr, interleaved as they arrived. */
  outputTail: string;
}

export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly result?: CommandResult,
  ) {
    // The message quotes the command's output, which may print a token it was given.
    super(redactText(message));
  }
}

const TAIL_BYTES = 4_096;
/** Between SIGTERM and SIGKILL: Terraform uses it to release its state lock. */
const KILL_GRACE_MS = 5_000;
const HEARTBEAT_EVERY_MS = 1_000;
/** After the process exits, how long a grandchild still holding its stdout may delay the result. */
const DRAIN_MS = 2_000;
const MESSAGE_LINES = 10;
/** The worker's variables a command gets; everything else (tokens, secrets) stays out. */
const BASE_VARIABLES = ['PATH', 'HOME', 'LANG'] as const;

/** createChannel → CREATE_CHANNEL, dbURL → DB_URL, s3Bucket → S3_BUCKET. */
function upperSnake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

/**
 * Each input twice: `SWITCHBOARD_INPUT_<UPPER_SNAKE>` for scripts and `TF_VAR_<name>` (name as
 * written, Terraform variables are case-sensitive) so Terraform picks it up. Values as text.
 */
export function inputEnvironment(inputs: Record<string, string | number | boolean>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(inputs)) {
    env[`SWITCHBOARD_INPUT_${upperSnake(name)}`] = String(value);
    env[`TF_VAR_${name}`] = String(value);
  }
  return env;
}

function commandEnvironment(run: CommandRun): Record<string, string> {
  const base: Record<string, string> = {};
  for (const key of BASE_VARIABLES) {
    const value = process.env[key];
    if (value !== undefined) base[key] = value;
  }
  return { ...base, ...inputEnvironment(run.inputs), ...run.env };
}

/** The last `limit` bytes written, in memory bounded by twice that however much is written. */
class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size > 2 * this.limit) this.compact();
  }

  private compact(): void {
    const all = Buffer.concat(this.chunks);
    const kept = all.subarray(all.length - this.limit);
    this.chunks = [Buffer.from(kept)];
    this.size = kept.length;
  }

  text(): string {
    this.compact();
    const bytes = this.chunks[0] ?? Buffer.alloc(0);
    // The cut may fall inside a UTF-8 character: drop its continuation bytes rather than show U+FFFD.
    let start = 0;
    while (start < bytes.length && start < 4 && ((bytes[start] as number) & 0xc0) === 0x80) start++;
    return bytes.subarray(start).toString('utf8');
  }
}

function describeDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms} ms`;
}

function lastLines(text: string): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-MESSAGE_LINES).join('\n');
}

/** Signals the whole process group (Terraform's providers too), or just the child where there are none. */
function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (process.platform !== 'win32' && child.pid !== undefined) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // Already gone.
  }
}

async function checkCwd(cwd: string | undefined, program: string): Promise<void> {
  if (cwd === undefined) return;
  const found = await stat(cwd).catch(() => null);
  if (!found?.isDirectory()) throw new CommandError(`cannot run ${program}: the working directory ${cwd} does not exist`, false);
}

/**
 * Runs `argv` with no shell (`argv[0]` is looked up on the PATH the command gets). Resolves on exit
 * code 0; a non-zero exit, a missing program, the timeout and a start failure reject with a
 * non-retryable CommandError (running Terraform twice is the caller's decision, not ours). The
 * timeout sends SIGTERM, then SIGKILL 5 s later. An abort stops the command the same way and rejects,
 * once it is gone, with the signal's reason.
 */
export async function runCommand(run: CommandRun): Promise<CommandResult> {
  const program = run.argv[0];
  if (program === undefined || program === '') throw new CommandError('the command is empty: argv needs at least the program', false);
  run.signal?.throwIfAborted();
  await checkCwd(run.cwd, program);
  const env = commandEnvironment(run);
  const started = Date.now();
  const tail = new Tail(TAIL_BYTES);

  let child: ChildProcess;
  try {
    child = spawn(program, run.argv.slice(1), {
      cwd: run.cwd,
      env,
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so stopping it reaches the processes it started.
      detached: process.platform !== 'win32',
    });
  } catch (err) {
    throw new CommandError(`cannot run ${program}: ${(err as Error).message}`, false);
  }
  child.stdout?.on('data', (chunk: Buffer) => tail.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => tail.push(chunk));

  return new Promise<CommandResult>((resolve, reject) => {
    let stoppedBy: 'timeout' | 'abort' | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;

    const stop = (why: 'timeout' | 'abort') => {
      if (stoppedBy || exit) return;
      stoppedBy = why;
      kill(child, 'SIGTERM');
      graceTimer = setTimeout(() => kill(child, 'SIGKILL'), KILL_GRACE_MS);
    };
    const onAbort = () => stop('abort');
    const timeoutTimer = setTimeout(() => stop('timeout'), run.timeoutMs);
    const heartbeatTimer = run.heartbeat
      ? setInterval(() => run.heartbeat?.({ pid: child.pid, elapsedMs: Date.now() - started }), HEARTBEAT_EVERY_MS)
      : undefined;
    run.signal?.addEventListener('abort', onAbort, { once: true });

    const cleanUp = () => {
      clearTimeout(timeoutTimer);
      clearTimeout(graceTimer);
      clearTimeout(drainTimer);
      clearInterval(heartbeatTimer);
      run.signal?.removeEventListener('abort', onAbort);
    };

    child.on('error', (err: NodeJS.ErrnoException) => {
      // The program could not be started (no pid); a failed kill is ignored in kill().
      if (child.pid !== undefined) return;
      cleanUp();
      const path = env.PATH ?? '';
      if (err.code === 'ENOENT') {
        const where = program.includes('/') ? 'does not exist' : `was not found on the PATH (${path})`;
        return reject(new CommandError(`cannot run ${program}: it ${where}`, false));
      }
      if (err.code === 'EACCES') return reject(new CommandError(`cannot run ${program}: it is not executable`, false));
      reject(new CommandError(`cannot run ${program}: ${err.message}`, false));
    });

    child.once('exit', (code, signal) => {
      exit = { code, signal };
      clearTimeout(graceTimer);
      // A grandchild left running may hold the pipes open; do not wait for it forever.
      drainTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, DRAIN_MS);
    });

    child.once('close', () => {
      if (child.pid === undefined) return; // Not started: reported by 'error'.
      cleanUp();
      // Whatever it started and left behind after SIGTERM goes too.
      if (stoppedBy) kill(child, 'SIGKILL');
      const { code, signal } = exit ?? { code: child.exitCode, signal: child.signalCode };
      const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
      const result: CommandResult = { exitCode, durationMs: Date.now() - started, outputTail: redactText(tail.text()) };
      if (stoppedBy === 'abort') return reject(run.signal?.reason);
      if (stoppedBy === 'timeout') {
        return reject(new CommandError(`${program} did not finish within ${describeDuration(run.timeoutMs)} and was stopped`, false, result));
      }
      if (exitCode === 0) return resolve(result);
      const how = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
      const output = lastLines(result.outputTail);
      reject(new CommandError(`${program} ${how}${output ? `:\n${output}` : ' and printed nothing'}`, false, result));
    });
  });
}
