/**
 * Where Switchboard is installed: the folder that holds its package.json. Shipped files (the sample
 * catalog, actions and templates in manifests/, the migrations in drizzle/, the workflow sources the
 * Temporal worker bundles) are found from there, so the same code finds them whether it runs from the
 * TypeScript sources (src/) or compiled (dist/src/), and from any working directory.
 *
 * Why not `new URL('../…', import.meta.url)`: that counts folders from the module, and a compiled
 * module sits one folder deeper. A path relative to a module's own folder (a worker thread's script
 * beside it, `new URL('./worker.js', import.meta.url)`) is fine: the build keeps that layout.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'switchboard';
let root: string | undefined;

/** The installation folder, found by walking up from this module to package.json named switchboard. */
export function installRoot(): string {
  if (root) return root;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (packageName(join(dir, 'package.json')) === NAME) return (root = dir);
    if (dirname(dir) === dir) throw new Error(`Cannot find Switchboard's installation: no package.json named "${NAME}" in ${start} or any folder above it`);
  }
}

/** A shipped file or folder, by its path in the installation (`manifests/actions`, `drizzle`). */
export function shipped(path: string): string {
  return join(installRoot(), path);
}

function packageName(file: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}
