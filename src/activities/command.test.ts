import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandError, inputEnvironment, runCommand, type CommandRun } from './command.js';

const NODE = process.execPath;

/** Runs a Node script as the command, so the tests need nothing but Node (and sh, sleep). */
const node = (script: string, extra: Partial<CommandRun> = {}): Promise<Awaited<ReturnType<typeof runCommand>>> =>
  runCommand({ argv: [NODE, '-e', script], inputs: {}, timeoutMs: 10_000, ...extra });

async function commandError(promise: Promise<unknown>): Promise<CommandError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CommandError);
  return err as CommandError;
}

/** Running, and not a zombie waiting for a parent (a container's init may never reap it). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('inputEnvironment', () => {
  it('gives each input as SWITCHBOARD_INPUT_<UPPER_SNAKE> and TF_VAR_<name>, as text', () => {
    expect(inputEnvironment({ createChannel: true, size: 'small', replicas: 3, dbURL: 'x' })).toEqual({
      SWITCHBOARD_INPUT_CREATE_CHANNEL: 'true',
      TF_VAR_createChannel: 'true',
      SWITCHBOARD_INPUT_SIZE: 'small',
      TF_VAR_size: 'small',
      SWITCHBOARD_INPUT_REPLICAS: '3',
      TF_VAR_replicas: '3',
      SWITCHBOARD_INPUT_DB_URL: 'x',
      TF_VAR_dbURL: 'x',
    });
  });
});

describe('runCommand', () => {
  const PARENT_ONLY = 'SWITCHBOARD_TEST_PARENT_SECRET';
  afterEach(() => {
    delete process.env[PARENT_ONLY];
  });

  it('runs without a shell and returns the exit code, duration and output', async () => {
    const result = await runCommand({ argv: ['sh', '-c', 'echo out; echo err >&2'], inputs: {}, timeoutMs: 5_000 });
    expect(result.exitCode).toBe(0);
    expect(result.outputTail).toBe('out\nerr\n');
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('passes arguments as they are, with no shell to expand them', async () => {
    const script = 'console.log(JSON.stringify(process.argv.slice(1)))';
    const result = await runCommand({ argv: [NODE, '-e', script, '$HOME', '*', 'a b; rm -rf /'], inputs: {}, timeoutMs: 5_000 });
    expect(JSON.parse(result.outputTail)).toEqual(['$HOME', '*', 'a b; rm -rf /']);
  });

  it('gives the command its inputs and extra env, but not the worker’s other variables', async () => {
    process.env[PARENT_ONLY] = 'do-not-leak';
    const result = await node('console.log(JSON.stringify(process.env))', {
      inputs: { service: 'component:default/payments-api', createChannel: false },
      env: { EXTRA: 'yes' },
    });
    const env = JSON.parse(result.outputTail) as Record<string, string>;
    expect(env).toMatchObject({
      SWITCHBOARD_INPUT_SERVICE: 'component:default/payments-api',
      TF_VAR_service: 'component:default/payments-api',
      SWITCHBOARD_INPUT_CREATE_CHANNEL: 'false',
      EXTRA: 'yes',
      PATH: process.env.PATH,
    });
    expect(env[PARENT_ONLY]).toBeUndefined();
  });

  it('runs in cwd', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-cmd-'));
    writeFileSync(join(dir, 'marker.txt'), 'here');
    const result = await runCommand({ argv: ['cat', 'marker.txt'], cwd: dir, inputs: {}, timeoutMs: 5_000 });
    expect(result.outputTail).toBe('here');
  });

  it('fails without retry on a non-zero exit, naming the program, the code and the last output', async () => {
    const err = await commandError(runCommand({ argv: ['sh', '-c', 'echo planning; echo "Error: quota exceeded" >&2; exit 3'], inputs: {}, timeoutMs: 5_000 }));
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('sh exited with code 3:\nplanning\nError: quota exceeded');
    expect(err.result?.exitCode).toBe(3);
  });

  it('puts only the last lines of the output in the message', async () => {
    const err = await commandError(node('for (let i = 1; i <= 50; i++) console.log("line " + i); process.exit(1)'));
    expect(err.message).toContain('line 50');
    expect(err.message).toContain('line 41');
    expect(err.message).not.toContain('line 40\n');
  });

  it('fails without retry, clearly, when the program is not on the PATH', async () => {
    const err = await commandError(runCommand({ argv: ['switchboard-no-such-program'], inputs: {}, timeoutMs: 5_000 }));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/^cannot run switchboard-no-such-program: it was not found on the PATH/);
  });

  it('fails clearly when the working directory does not exist', async () => {
    const err = await commandError(runCommand({ argv: ['true'], cwd: '/nonexistent/switchboard', inputs: {}, timeoutMs: 5_000 }));
    expect(err.message).toBe('cannot run true: the working directory /nonexistent/switchboard does not exist');
  });

  it('stops a command at its timeout and fails without retry', async () => {
    const beats: { pid: number; elapsedMs: number }[] = [];
    const started = Date.now();
    const err = await commandError(
      runCommand({ argv: ['sleep', '30'], inputs: {}, timeoutMs: 1_300, heartbeat: (d) => beats.push(d as { pid: number; elapsedMs: number }) }),
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('sleep did not finish within 1300 ms and was stopped');
    expect(beats).toHaveLength(1);
    expect(beats[0]?.elapsedMs).toBeGreaterThanOrEqual(900);
    expect(alive(beats[0]?.pid ?? 0)).toBe(false);
  });

  it('kills a command that ignores SIGTERM 5 s later', async () => {
    const started = Date.now();
    const err = await commandError(node('process.on("SIGTERM", () => console.log("ignoring SIGTERM")); setInterval(() => {}, 1000)', { timeoutMs: 200 }));
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(5_000);
    expect(took).toBeLessThan(7_000);
    expect(err.message).toMatch(/did not finish within 200 ms/);
    expect(err.result?.outputTail).toContain('ignoring SIGTERM');
  }, 10_000);

  it('stops the command when aborted and rejects with the abort reason', async () => {
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    setTimeout(() => controller.abort(reason), 200);
    const started = Date.now();
    await expect(runCommand({ argv: ['sleep', '30'], inputs: {}, timeoutMs: 60_000, signal: controller.signal })).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('also stops the processes the command started', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'switchboard-cmd-')), 'grandchild.pid');
    const err = await commandError(runCommand({ argv: ['sh', '-c', `sleep 30 & echo $! > ${pidFile}; wait`], inputs: {}, timeoutMs: 500 }));
    expect(err.message).toMatch(/did not finish/);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(grandchild).toBeGreaterThan(0);
    expect(alive(grandchild)).toBe(false);
  });

  it('keeps only the last ~4 KB of a command printing 5 MB', async () => {
    const result = await node('process.stdout.write("x".repeat(5 * 1024 * 1024)); process.stdout.write("\\nEND\\n")');
    expect(result.outputTail.length).toBeLessThanOrEqual(4_096);
    expect(result.outputTail.length).toBeGreaterThan(4_000);
    expect(result.outputTail.endsWith('x\nEND\n')).toBe(true);
  });
});
