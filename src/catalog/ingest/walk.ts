/** Finding descriptor and CODEOWNERS files on disk: folder walks and Location globs. */
import { readdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);
const DESCRIPTOR = /\.ya?ml$/i;

export function isCodeownersFile(path: string): boolean {
  return basename(path) === 'CODEOWNERS';
}

/**
 * The repository folder a CODEOWNERS file governs: GitHub and GitLab look for it in the root,
 * `.github/`, `.gitlab/` and `docs/`.
 */
export function codeownersRepoRoot(path: string): string {
  const dir = dirname(path);
  return ['.github', '.gitlab', 'docs'].includes(basename(dir)) ? dirname(dir) : dir;
}

/** Every descriptor (`*.yaml`, `*.yml`) and CODEOWNERS file below `dir`, in a stable order. */
export function walkSourceFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    const entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) visit(path);
      } else if (entry.isFile() && (DESCRIPTOR.test(entry.name) || isCodeownersFile(entry.name))) {
        out.push(path);
      }
    }
  };
  visit(dir);
  return out;
}

export function hasGlob(target: string): boolean {
  return picomatch.scan(target).isGlob;
}

/** Files matching a glob written relative to `cwd` (e.g. `./services/*.yaml`), in a stable order. */
export function expandGlob(pattern: string, cwd: string): string[] {
  const scan = picomatch.scan(pattern);
  const base = resolve(cwd, scan.base || '.');
  const matches = picomatch(scan.glob, { dot: false });
  let files: string[];
  try {
    files = walkAll(base);
  } catch {
    return [];
  }
  return files.filter((f) => matches(relative(base, f).split(sep).join('/')));
}

function walkAll(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) out.push(...walkAll(path));
    } else if (entry.isFile()) {
      out.push(path);
    }
  }
  return out.sort();
}
