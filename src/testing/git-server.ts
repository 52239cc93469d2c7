/**
 * Test support: real git repositories on disk, served over loopback by `git daemon` (the git://
 * protocol), so a git source is cloned and fetched the way it is from a real host. Each repository is
 * a bare one with a work tree beside it; `commit` writes files there and pushes. With `push`, the
 * daemon also takes pushes (receive-pack), as a host with write access does.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

export interface GitRepo {
  /** Writes (or, for null, deletes) files in a commit on `branch` (default main) and pushes it. */
  commit(files: Record<string, string | null>, message?: string, branch?: string): string;
}

export interface GitDaemon {
  port: number;
  /** The git:// URL of a repository under the daemon's base folder. */
  url(name: string): string;
  stop(): Promise<void>;
}

const IDENTITY = ['-c', 'user.name=Catalog Test', '-c', 'user.email=catalog@example.com', '-c', 'commit.gpgsign=false'];
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', [...IDENTITY, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** A bare repository `<base>/<name>.git` with one commit of `files` on main. */
export function createRepo(base: string, name: string, files: Record<string, string>): GitRepo {
  const bare = join(base, `${name}.git`);
  const work = join(base, 'work', name);
  mkdirSync(bare, { recursive: true });
  mkdirSync(work, { recursive: true });
  git(bare, 'init', '--quiet', '--bare', '--initial-branch=main');
  git(work, 'init', '--quiet', '--initial-branch=main');
  git(work, 'remote', 'add', 'origin', bare);
  const repo: GitRepo = {
    commit(changes, message = 'Update the catalog', branch = 'main') {
      if (git(work, 'branch', '--show-current') !== branch) git(work, 'checkout', '--quiet', '-B', branch);
      for (const [path, content] of Object.entries(changes)) {
        const file = join(work, path);
        if (content === null) rmSync(file, { force: true });
        else {
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, content);
        }
      }
      git(work, 'add', '--all');
      git(work, 'commit', '--quiet', '--allow-empty', '-m', message);
      git(work, 'push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`);
      return git(work, 'rev-parse', 'HEAD');
    },
  };
  repo.commit(files, 'Initial catalog');
  return repo;
}

/** `git daemon` exporting every repository under `base`, on a free loopback port, once it is ready. */
export async function startGitDaemon(base: string, options: { push?: boolean } = {}): Promise<GitDaemon> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      'git',
      [
        'daemon',
        '--export-all',
        ...(options.push ? ['--enable=receive-pack'] : []),
        `--base-path=${base}`,
        '--listen=127.0.0.1',
        `--port=${port}`,
        '--reuseaddr',
        '--verbose',
        '--informative-errors',
      ],
      // Its own process group: `git daemon` runs git-daemon as a child, which a signal to `git` alone
      // leaves running after the test.
      { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    );
    // Ready when it says so on stderr; an exit first (the port was taken meanwhile) tries another port.
    const ready = await new Promise<boolean>((resolve) => {
      let said = '';
      child.stderr?.on('data', (d: Buffer) => {
        said += d.toString();
        if (said.includes('Ready to rumble')) resolve(true);
      });
      child.once('exit', () => resolve(false));
    });
    if (ready) return { port, url: (name) => `git://127.0.0.1:${port}/${name}.git`, stop: () => stop(child) };
    if (attempt >= 3) throw new Error(`git daemon did not start on 127.0.0.1 (serving ${base})`);
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    try {
      process.kill(-(child.pid as number), 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
