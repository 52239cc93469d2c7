/** The folder of descriptors self-service registers, ingested with the catalog so they survive a restart. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SelfServiceDeps } from './deps.js';
import { fail } from './support.js';

/** Registers (or, with `content` null, removes) a descriptor and re-ingests the registry; a descriptor that does not ingest is taken out again. */
export async function register(deps: Pick<SelfServiceDeps, 'catalog' | 'registryDir'>, relPath: string, content: string | null): Promise<void> {
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
}
