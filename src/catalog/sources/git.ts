/**
 * Git repositories as catalog sources: a shallow clone into a cache folder on the first read, then on
 * every ingest a shallow fetch of the branch and a hard reset to what was fetched, so the checkout is
 * exactly the branch's head and can be walked like a local folder.
 *
 * The URL and branch come from the operator, but what the repository holds does not: git runs through
 * execFile (no shell) with `--` before the URL, never prompts (GIT_TERMINAL_PROMPT=0, ssh in batch
 * mode), runs no hook (`core.hooksPath=/dev/null`) and no `ext::` transport, and each command has a
 * deadline. Credentials in a URL never appear in a message or a source's identity.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_GIT_TIMEOUT_MS = 120_000;

/** Settings every git command runs with, whatever the machine's or the repository's own config says. */
const SAFE = ['-c', 'core.hooksPath=/dev/null', '-c', 'protocol.ext.allow=never', '-c', 'core.fsmonitor=false', '-c', 'submodule.recurse=false'];

/** Why a git URL is refused, or undefined: options and command-running transports are never passed to git. */
export function gitUrlProblem(url: string): string | undefined {
  if (!url.trim()) return 'must not be empty';
  if (url.startsWith('-')) return 'must not start with "-" (git would read it as an option)';
  if (/^(ext|fd)::/i.test(url)) return 'must not use the ext:: or fd:: transport (it runs a command)';
  if (/[\s\0]/.test(url)) return 'must not contain spaces or control characters';
  return undefined;
}

/** Why a branch name is refused, or undefined (git check-ref-format's rules, and never an option). */
export function gitBranchProblem(branch: string): string | undefined {
  if (branch.startsWith('-')) return 'must not start with "-"';
  if (!/^[^\s~^:?*[\\\0]+$/.test(branch) || branch.includes('..') || branch.includes('@{') || /(^|\/)\.|\.lock$|\/$/.test(branch)) {
    return 'must be a branch name such as main or release/2026';
  }
  return undefined;
}

/** A URL with any `user:password@` taken out, for messages and as a source's identity. */
export function redactGitUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

/** What a repository's sources are filed under: the URL (credentials removed) and the branch, if one is named. */
export function gitRootIdentity(url: string, branch?: string): string {
  return branch ? `${redactGitUrl(url)}#${branch}` : redactGitUrl(url);
}

/** The checkout's folder: readable (host and path), and unique per URL and branch. */
export function checkoutDir(cacheDir: string, url: string, branch?: string): string {
  const readable = redactGitUrl(url)
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 80);
  const hash = createHash('sha1')
    .update(`${url}\0${branch ?? ''}`)
    .digest('hex')
    .slice(0, 8);
  return join(cacheDir, 'git', `${readable}${branch ? `@${branch.replace(/[^A-Za-z0-9._-]+/g, '_')}` : ''}-${hash}`);
}

export type Checkout = { ok: true; dir: string; commit: string; cloned: boolean } | { ok: false; message: string };

/** Clones (first time) or fetches and resets the checkout of `url` at `branch` (default: its HEAD). */
export async function checkoutRepository(url: string, branch: string | undefined, o: { cacheDir: string; timeoutMs?: number }): Promise<Checkout> {
  const shown = gitRootIdentity(url, branch);
  const refused = gitUrlProblem(url) ?? (branch !== undefined ? gitBranchProblem(branch) : undefined);
  if (refused) return { ok: false, message: `Git repository ${shown} refused: ${refused}` };
  const dir = checkoutDir(o.cacheDir, url, branch);
  const timeoutMs = o.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
  const fail = (what: string, err: unknown): Checkout => ({ ok: false, message: `Could not ${what} ${shown}: ${gitError(err, url, timeoutMs)}` });
  let cloned = false;
  try {
    if (existsSync(join(dir, '.git'))) {
      try {
        await git(['-C', dir, ...SAFE, 'fetch', '--quiet', '--depth', '1', '--no-tags', '--', url, branch ?? 'HEAD'], timeoutMs);
      } catch (err) {
        return fail('fetch', err);
      }
      await git(['-C', dir, ...SAFE, 'reset', '--quiet', '--hard', 'FETCH_HEAD'], timeoutMs);
      // Anything else in the folder (left by an interrupted run or written by hand) is not the branch.
      await git(['-C', dir, ...SAFE, 'clean', '--quiet', '-ffdx'], timeoutMs);
    } else {
      // Cloned beside the checkout's folder and moved in whole, so a failed clone leaves nothing behind.
      const partial = `${dir}.partial`;
      rmSync(partial, { recursive: true, force: true });
      mkdirSync(join(dir, '..'), { recursive: true });
      try {
        await git([...SAFE, 'clone', '--quiet', '--depth', '1', '--no-tags', ...(branch ? ['--branch', branch] : []), '--', url, partial], timeoutMs);
      } catch (err) {
        rmSync(partial, { recursive: true, force: true });
        return fail('clone', err);
      }
      rmSync(dir, { recursive: true, force: true });
      renameSync(partial, dir);
      cloned = true;
    }
    const commit = (await git(['-C', dir, ...SAFE, 'rev-parse', 'HEAD'], timeoutMs)).trim();
    return { ok: true, dir, commit, cloned };
  } catch (err) {
    return fail('check out', err);
  }
}

function git(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 1024 * 1024,
        env: {
          ...process.env,
          GIT_TERMINAL_PROMPT: '0',
          GIT_ASKPASS: '',
          SSH_ASKPASS: '',
          GCM_INTERACTIVE: 'never',
          GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes',
          LC_ALL: 'C',
        },
      },
      (err, stdout, stderr) => (err ? reject(Object.assign(err, { stderr })) : resolve(stdout)),
    );
  });
}

/** git's own last words (its `fatal:` line), without credentials; a timeout says so. */
function gitError(err: unknown, url: string, timeoutMs: number): string {
  const e = err as { killed?: boolean; signal?: string; code?: unknown; stderr?: string; message?: string };
  if (e.code === 'ENOENT') return 'the git binary was not found on PATH';
  if (e.killed || e.signal === 'SIGKILL') return `git did not finish within ${Math.round(timeoutMs / 1000)} s`;
  const lines = (e.stderr ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const said = lines.filter((l) => /^(fatal|error):/.test(l)).pop() ?? lines.pop() ?? e.message ?? String(err);
  return said
    .split(url)
    .join(redactGitUrl(url))
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, '$1');
}
