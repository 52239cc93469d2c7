/** Test support: temporary folders of descriptor files, and the paths of the real-world fixtures. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Real descriptors and CODEOWNERS files from public repositories (see fixtures/external/*\/SOURCES.md). */
export const EXTERNAL = fileURLToPath(new URL('../../fixtures/external/', import.meta.url));
export const SAMPLE_CATALOG = fileURLToPath(new URL('../../manifests/catalog/', import.meta.url));

export interface TempTree {
  dir: string;
  path(rel: string): string;
  write(rel: string, content: string): string;
  remove(rel: string): void;
  cleanup(): void;
}

export function tempTree(prefix = 'switchboard-test-'): TempTree {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    path: (rel) => join(dir, rel),
    write(rel, content) {
      const file = join(dir, rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      return file;
    },
    remove: (rel) => rmSync(join(dir, rel), { recursive: true, force: true }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A minimal valid Component descriptor, with extra spec fields merged in as YAML lines. */
export function component(name: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): string {
  return yamlDoc({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, ...metadata },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a', ...spec },
  });
}

export function group(name: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): string {
  return yamlDoc({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, ...metadata },
    spec: { type: 'team', children: [], ...spec },
  });
}

/** JSON is valid YAML; one document per call keeps fixtures short and unambiguous. */
export function yamlDoc(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}
