/**
 * "Not ours" as a change to the descriptor: where the entity's file is in a git repository with a
 * remote, a fresh clone of that remote gets a branch with one commit that changes the entity's
 * `spec.owner` (setOwner: that line only), pushed back. The operator's own working tree and the
 * catalog's checkout are never written to. Where the file is in no repository with a remote, there is
 * nothing to push to and the answer stays a pending claim (null).
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

export interface ProposedChange {
  /** Where the branch went: `<remote>@<branch>` (a pull request URL where the host has an API). */
  change: string;
  branch: string;
  commit: string;
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
}): Promise<ProposedChange | null> {
  const file = resolve(input.file);
  let top: string;
  let remote: string;
  try {
    top = await git(dirname(file), 'rev-parse', '--show-toplevel');
    remote = await git(top, 'remote', 'get-url', 'origin');
  } catch {
    return null;
  }
  if (!input.writable(top)) return null;
  const path = relative(top, file).split(sep).join('/');
  if (!path || path.startsWith('..')) return null;
  const work = mkdtempSync(join(tmpdir(), 'switchboard-owner-'));
  try {
    await git(work, 'clone', '--quiet', '--depth', '1', '--no-tags', '--', remote, 'repo');
    const repo = join(work, 'repo');
    const target = join(repo, path);
    // The clone is the descriptor author's tree: a symlink (the file or a folder on its path) could point the write outside it.
    if (!lstatSync(target).isFile() || !realpathSync(target).startsWith(realpathSync(repo) + sep))
      throw new Error(`${path} is not a regular file in ${redactGitUrl(remote)}`);
    writeFileSync(target, setOwner(readFileSync(target, 'utf8'), input.entity, input.owner, path));
    const branch = branchFor(input.entity.ref, input.owner);
    await git(repo, 'checkout', '--quiet', '-b', branch);
    await git(repo, 'add', '--', path);
    const message = `Set the owner of ${slug(input.entity.ref)} to ${slug(input.owner)}\n\n${input.entity.ref}: ${input.owner}, as ${slug(input.by)} answered "Still yours?" in chat.`;
    await git(repo, 'commit', '--quiet', '-m', message);
    await git(repo, 'push', '--quiet', 'origin', `refs/heads/${branch}:refs/heads/${branch}`);
    const commit = await git(repo, 'rev-parse', 'HEAD');
    return { change: `${redactGitUrl(remote)}@${branch}`, branch, commit };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
