import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { tempTree, type TempTree } from '../testing/fixtures.js';
import { git, GitError } from './git.js';

let tree: TempTree | undefined;
afterEach(() => tree?.cleanup());

describe('git', () => {
  it('fails with what git said, without the password of the remote URL', async () => {
    // A git server that fails every request: git answers with the URL it was given.
    const server = createServer((_req, res) => res.writeHead(500).end('broken'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      tree = tempTree('switchboard-git-');
      const dir = tree.path('work');
      mkdirSync(dir);
      await git(dir, 'init', '--quiet', '--initial-branch=main');
      writeFileSync(`${dir}/a.txt`, 'a');
      await git(dir, 'add', '--all');
      await git(dir, 'commit', '--quiet', '-m', 'a');
      const err = (await git(dir, 'push', '--quiet', `http://bob:s3cret-git@127.0.0.1:${port}/x.git`, 'main').catch((e: unknown) => e)) as GitError;
      expect(err).toBeInstanceOf(GitError);
      expect(err.code).toBe('GIT_FAILED');
      expect(err.message).toMatch(/^git push failed \(exit \d+\): /);
      expect(`${err.message}\n${err.stack}`).not.toContain('s3cret-git');
    } finally {
      server.close();
    }
  });
});
