/**
 * The descriptors self-service registers. The shared state holds them (so every replica has them,
 * whichever worker registered one); each process keeps a copy in its registry folder, ingested with
 * the rest of the catalog.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { BotState } from '../state/index.js';
import type { SelfServiceDeps } from './deps.js';
import { fail } from './support.js';

/** Registers (or, with `content` null, removes) a descriptor and re-ingests the registry; a descriptor that does not ingest is taken out again. */
export async function register(deps: Pick<SelfServiceDeps, 'catalog' | 'registryDir' | 'journal'>, relPath: string, content: string | null): Promise<void> {
  const file = join(deps.registryDir, relPath);
  if (content === null) rmSync(file, { force: true });
  else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  const report = await deps.catalog.ingest([deps.registryDir]);
  const problems = report.problems.filter((p) => p.location.includes(relPath)).map((p) => `${p.line ? `line ${p.line}: ` : ''}${p.message}`);
  if (problems.length) {
    rmSync(file, { force: true });
    await deps.catalog.ingest([deps.registryDir]);
    throw fail(`The descriptor does not ingest: ${problems.join('; ')}`, 'InvalidDescriptor');
  }
  // Shared once it ingests here: the other replicas write it into their folders at their next ingest.
  await deps.journal.registerDescriptor(relPath, content);
}

const descriptorFiles = (dir: string, under = dir): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? descriptorFiles(join(dir, e.name), under) : /\.ya?ml$/.test(e.name) ? [relative(under, join(dir, e.name))] : [],
      )
    : [];

/**
 * Makes the registry folder hold what the shared state holds, before an ingest reads it. A folder
 * written before the state held the registry (an older Switchboard) is taken into the state once,
 * while the state has none.
 */
export async function syncRegistry(state: Pick<BotState, 'registeredDescriptors' | 'registerDescriptor'>, dir: string): Promise<void> {
  const rows = await state.registeredDescriptors();
  const files = descriptorFiles(dir);
  if (rows.length === 0) {
    for (const rel of files) await state.registerDescriptor(rel, readFileSync(join(dir, rel), 'utf8'));
    return;
  }
  const known = new Map(rows.map((r) => [r.path, r.content]));
  for (const rel of files) if (!known.has(rel)) rmSync(join(dir, rel), { force: true });
  for (const [rel, content] of known) {
    const file = join(dir, rel);
    // A path from the state never leaves the folder.
    if (relative(dir, file).startsWith('..')) continue;
    if (existsSync(file) && readFileSync(file, 'utf8') === content) continue;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}
