/**
 * "Not ours" as a change to the descriptor: where the entity's file is in a git repository with a
 * remote, a fresh clone of that remote gets a branch with one commit that changes the entity's
 * `spec.owner` (setOwner: that line only), pushed back; where a configured API serves the remote's
 * host (pull-request.ts), a pull or merge request from it into the clone's default branch. The
 * operator's own working tree and the catalog's checkout are never written to. Where the file is in
 * no repository with a remote, there is nothing to push to and the answer stays a pending claim (null).
 *
 * Safe to run again (a retried activity): a branch already on the remote is the change, as it was
 * pushed, and the pull request already open for it is found rather than opened twice.
 *
 * Names in the branch and the commit come from refs the catalog validated, and are cut down to
 * [a-z0-9-] besides: nothing a descriptor wrote reaches git as an option or a ref expression.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { git } from '../activities/git.js';
import { redactGitUrl } from '../catalog/sources/git.js';
import { setOwner } from './descriptor-edit.js';
import type { PullRequests } from './pull-request.js';

export interface ProposedChange {
  /** The pull request's URL where the host has an API, else where the branch went: `<remote>@<branch>`. */
  change: string;
  branch: string;
  commit: string;
  /** The clone's default branch, which the pull request targets. */
  base: string;
  /** False: the branch was already on the remote (a retry), and was left as it is. */
  pushed: boolean;
}

/** Where a descriptor file would be changed: its repository's top level, its remote and its path there. */
export interface DescriptorRepository {
  top: string;
  remote: string;
  path: string;
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40) || 'entity';

export function branchFor(entityRef: string, owner: string): string {
  const name = entityRef.split('/').pop() ?? entityRef;
  const hash = createHash('sha1').update(`${entityRef}\0${owner}`).digest('hex').slice(0, 8);
  return `switchboard/owner-${slug(name)}-${hash}`;
}

/** The commit message's first line (the pull request's title) and the rest (its description). */
export function changeText(entityRef: string, owner: string, by: string): { title: string; body: string } {
  return {
    title: `Set the owner of ${slug(entityRef)} to ${slug(owner)}`,
    body: `${entityRef}: ${owner}, as ${slug(by)} answered "Still yours?" in chat.`,
  };
}

/**
 * The repository a descriptor file would be changed in, or null: not in a git repository with an
 * `origin` remote, or in one that `writable` does not allow (see proposeOwnerChange).
 */
export async function descriptorRepository(file: string, writable: (topLevel: string) => boolean): Promise<DescriptorRepository | null> {
  const abs = resolve(file);
  let top: string;
  let remote: string;
  try {
    top = await git(dirname(abs), 'rev-parse', '--show-toplevel');
    remote = await git(top, 'remote', 'get-url', 'origin');
  } catch {
    return null;
  }
  if (!writable(top)) return null;
  const path = relative(top, abs).split(sep).join('/');
  if (!path || path.startsWith('..')) return null;
  return { top, remote, path };
}

export async function proposeOwnerChange(input: {
  /** The descriptor file as ingested (absolute, or relative to the working directory). */
  file: string;
  entity: { kind: string; namespace: string; name: string; ref: string };
  owner: string;
  /** Who said so, for the commit message. */
  by: string;
  /**
   * Whether the repository at this top-level folder may receive the branch: the operator listed it as a
   * catalog source (its root, or a git source's checkout). A descriptor merely inside some repository
   * (the bot's own checkout, say) is not enough.
   */
  writable: (topLevel: string) => boolean;
  /** Opens the pull or merge request where the remote's host has a configured API. */
  pullRequests?: Pick<PullRequests, 'open'>;
  /** Told when the branch is pushed but its pull request could not be opened (the branch stays the change). */
  warn?: (err: unknown, message: string) => void;
}): Promise<ProposedChange | null> {
  const located = await descriptorRepository(input.file, input.writable);
  if (!located) return null;
  const { remote, path } = located;
  const work = mkdtempSync(join(tmpdir(), 'switchboard-owner-'));
  try {
    await git(work, 'clone', '--quiet', '--depth', '1', '--no-tags', '--', remote, 'repo');
    const repo = join(work, 'repo');
    // The default branch as the remote says (its HEAD, recorded by the clone): what a pull request targets.
    const base = (await git(repo, 'symbolic-ref', '--quiet', 'refs/remotes/origin/HEAD')).replace(/^refs\/remotes\/origin\//, '');
    const branch = branchFor(input.entity.ref, input.owner);
    const shown = `${redactGitUrl(remote)}@${branch}`;
    const text = changeText(input.entity.ref, input.owner, input.by);
    // Already pushed (a retry after the push, or the same answer again): that branch is the change.
    const existing = (await git(repo, 'ls-remote', '--heads', 'origin', `refs/heads/${branch}`)).split(/\s+/)[0];
    let commit: string;
    if (existing) commit = existing;
    else {
      const target = join(repo, path);
      // The clone is the descriptor author's tree: a symlink (the file or a folder on its path) could point the write outside it.
      if (!lstatSync(target).isFile() || !realpathSync(target).startsWith(realpathSync(repo) + sep))
        throw new Error(`${path} is not a regular file in ${redactGitUrl(remote)}`);
      writeFileSync(target, setOwner(readFileSync(target, 'utf8'), input.entity, input.owner, path));
      await git(repo, 'checkout', '--quiet', '-b', branch);
      await git(repo, 'add', '--', path);
      await git(repo, 'commit', '--quiet', '-m', `${text.title}\n\n${text.body}`);
      await git(repo, 'push', '--quiet', 'origin', `refs/heads/${branch}:refs/heads/${branch}`);
      commit = await git(repo, 'rev-parse', 'HEAD');
    }
    let change = shown;
    if (input.pullRequests) {
      // The file's name is the repository's, so the descriptor author's: cut to plain path characters before it goes in markdown.
      const file = path.replace(/[^\w./-]/g, '_');
      const body = `${text.body}\n\nOpened by Switchboard: merging it changes the owner in the catalog. The branch changes only \`spec.owner\` in \`${file}\`.`;
      try {
        const opened = await input.pullRequests.open({ remote: redactGitUrl(remote), branch, base, title: text.title, body });
        if (opened) change = opened.url;
      } catch (err) {
        input.warn?.(err, `"Not ours": the branch is pushed, but its pull request could not be opened; the branch is the change`);
      }
    }
    return { change, branch, commit, base, pushed: !existing };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
