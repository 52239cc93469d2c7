/** The generated catalog on disk for bench:catalog: generated once per (entities, seed, generator source), reused after. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratedCatalog } from './generate-catalog.js';

export function ensureCatalog(o: { here: string; entities: number; seed: number; dir: string; marker: string; generated: string }): {
  catalog: GeneratedCatalog;
  reused: boolean;
  generateMs: number | null;
} {
  const generatorHash = createHash('sha1')
    .update(readFileSync(join(o.here, 'generate-catalog.ts')))
    .digest('hex');
  const params = { entities: o.entities, seed: o.seed, generator: generatorHash };
  if (existsSync(o.marker) && existsSync(o.generated)) {
    const marker = JSON.parse(readFileSync(o.marker, 'utf8')) as typeof params;
    if (marker.entities === params.entities && marker.seed === params.seed && marker.generator === params.generator) {
      return { catalog: JSON.parse(readFileSync(o.generated, 'utf8')) as GeneratedCatalog, reused: true, generateMs: null };
    }
  }
  rmSync(o.dir, { recursive: true, force: true });
  mkdirSync(o.dir, { recursive: true });
  console.log(`Generating ${o.entities} entities into ${o.dir} ...`);
  // In a child process: maxRSS is a high-water mark for the whole process, and the generator's memory
  // must not be mistaken for the ingest's.
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(o.here, 'generate-catalog.ts'), o.dir, String(o.entities), String(o.seed), o.generated], {
    stdio: 'inherit',
    cwd: join(o.here, '..'),
  });
  if (child.status !== 0) throw new Error(`catalog generation failed (exit ${child.status ?? child.signal})`);
  const generateMs = performance.now() - started;
  // Written last, so an interrupted generation is never reused.
  writeFileSync(o.marker, JSON.stringify(params));
  return { catalog: JSON.parse(readFileSync(o.generated, 'utf8')) as GeneratedCatalog, reused: false, generateMs };
}
