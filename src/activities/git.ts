/** The real git binary, for activities that create repositories. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { redactText } from '../audit/redact.js';

const run = promisify(execFile);

export class GitError extends Error {
  override readonly name = 'GitError';
  readonly code = 'GIT_FAILED';
}

/**
 * Runs git in `cwd` with a fixed identity and no user config, so results do not depend on the host.
 * A failure says which git command failed and what git printed, with URL credentials redacted: git
 * echoes the remote (`https://user:password@host/…`) in its errors, and execFile's own message
 * repeats the whole command line.
 */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, {
      cwd,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: cwd,
        GIT_CONFIG_NOSYSTEM: '1',
        // A remote that asks for credentials fails at once instead of waiting on a prompt nobody sees.
        GIT_TERMINAL_PROMPT: '0',
        GIT_AUTHOR_NAME: 'Switchboard',
        GIT_AUTHOR_EMAIL: 'switchboard@localhost',
        GIT_COMMITTER_NAME: 'Switchboard',
        GIT_COMMITTER_EMAIL: 'switchboard@localhost',
      },
    });
    return stdout.trim();
  } catch (err) {
    const e = err as Error & { stderr?: string; code?: number | string };
    const said = (e.stderr ?? '').trim() || e.message;
    throw new GitError(redactText(`git ${args[0] ?? ''} failed${typeof e.code === 'number' ? ` (exit ${e.code})` : ''}: ${said}`));
  }
}
