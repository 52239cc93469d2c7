/**
 * The deployment checker (deploy/check, Go: compose-go and client-go's strict decoding) for the tests
 * of docker-compose.yml and the Helm chart. Built once per test file into a temp folder; Go's build
 * cache makes every build after the first take a few seconds. Go is already needed for the Temporal CLI
 * (scripts/ensure-temporal), so a machine that runs the suite has it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('.', import.meta.url));

export interface CheckResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Builds the checker and returns a function that runs it; throws, naming what is missing, without Go. */
export function buildDeployCheck(): (args: string[], options?: { input?: string; env?: NodeJS.ProcessEnv }) => CheckResult {
  const bin = join(mkdtempSync(join(tmpdir(), 'switchboard-deploy-check-')), 'check');
  try {
    execFileSync('go', ['build', '-o', bin, '.'], { cwd: SOURCE, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT')
      throw new Error('deploy/check needs Go on PATH to build (https://go.dev/dl); it is the same Go scripts/ensure-temporal uses', { cause: err });
    throw new Error(`building deploy/check failed:\n${e.stderr ?? e.message}`, { cause: err });
  }
  return (args, options = {}) => {
    const run = spawnSync(bin, args, { input: options.input ?? '', env: options.env ?? {}, encoding: 'utf8' });
    if (run.error) throw run.error;
    return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
  };
}
