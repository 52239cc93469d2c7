/** `git-push`: commits the rendered files and pushes them as a new repository. */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { StepActivity } from '../../../workflows/contract.js';
import type { SelfServiceDeps } from '../deps.js';
import { git } from '../git.js';
import { fail, once, str } from '../support.js';
import { renderedDir } from './render-template.js';

/** A folder of bare repositories, unless it reads as a git URL (`scheme://…` or scp-like `user@host:path`). */
const isLocal = (remote: string) => remote.startsWith('file://') || !(/^[a-z][a-z0-9+.-]*:\/\//i.test(remote) || /^[^/\s]+@[^/\s]+:/.test(remote));
const localPath = (remote: string) => resolve(remote.replace(/^file:\/\//, ''));

export const gitPush =
  (deps: SelfServiceDeps): StepActivity =>
  (ctx) =>
    once(deps, ctx, async () => {
      const dir = renderedDir(deps, ctx);
      if (!dir) throw fail(`Nothing was rendered for ${ctx.workflowId}: the action needs a render-template step before git-push`, 'RenderMissing');
      const name = String(ctx.values.name);
      const remote =
        str(ctx.step.with.remote) ??
        (isLocal(deps.gitRemote) ? join(localPath(deps.gitRemote), `${name}.git`) : `${deps.gitRemote.replace(/\/$/, '')}/${name}.git`);
      const branch = str(ctx.step.with.branch) ?? 'main';
      if (isLocal(remote)) {
        const bare = localPath(remote);
        if (existsSync(bare)) {
          // Checked before acting: a worker that died after the push and before the journal entry left
          // this request's own commit there; a retry (on any worker) takes it as done.
          const pushed = await ownCommit(bare, branch, ctx.workflowId);
          if (pushed) return { output: { repository: bare, commit: pushed, branch }, detail: pushed.slice(0, 12) };
          throw fail(`Repository ${bare} already exists`, 'RepositoryExists');
        }
        mkdirSync(bare, { recursive: true });
        await git(bare, 'init', '--quiet', '--bare', `--initial-branch=${branch}`);
      }
      rmSync(join(dir, '.git'), { recursive: true, force: true });
      await git(dir, 'init', '--quiet', `--initial-branch=${branch}`);
      await git(dir, 'add', '--all');
      await git(dir, 'commit', '--quiet', '-m', `Create ${name} (${ctx.workflowId}, requested by ${ctx.requester.ref})`);
      await git(dir, 'push', '--quiet', isLocal(remote) ? localPath(remote) : remote, branch);
      const commit = await git(dir, 'rev-parse', 'HEAD');
      const repository = isLocal(remote) ? localPath(remote) : remote;
      return { output: { repository, commit, branch }, detail: commit.slice(0, 12) };
    });

/** The head commit of `branch` in the bare repository when this request made it (its message names the request). */
async function ownCommit(bare: string, branch: string, workflowId: string): Promise<string | null> {
  try {
    const [commit = '', subject = ''] = (await git(bare, 'log', '-1', '--format=%H%n%s', branch, '--')).split('\n');
    return subject.includes(`(${workflowId}, requested by `) ? commit : null;
  } catch {
    return null;
  }
}
