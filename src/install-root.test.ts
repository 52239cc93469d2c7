import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { installRoot, shipped } from './install-root.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('the installation root', () => {
  it('is the folder of package.json named switchboard, where the shipped files are', () => {
    expect(installRoot()).toBe(ROOT.replace(/\/$/, ''));
    for (const path of ['manifests/catalog', 'manifests/actions', 'manifests/templates', 'drizzle/meta/_journal.json', 'drizzle/pg', 'workflows/index.ts']) {
      expect(existsSync(shipped(path)), path).toBe(true);
    }
  });

  it('is the only way shipped code finds a file outside its own folder: no `new URL("../…", import.meta.url)`', () => {
    // Compiled, a module sits one folder deeper (dist/src/…), so counting folders up from it finds the
    // wrong place; a path in the module's own folder (a worker script beside it) stays right.
    const offenders: string[] = [];
    for (const folder of ['src', 'workflows']) {
      for (const rel of readdirSync(join(ROOT, folder), { recursive: true }) as string[]) {
        if (!rel.endsWith('.ts') || rel.endsWith('.test.ts') || rel.startsWith(`testing${sep}`)) continue;
        const file = join(ROOT, folder, rel);
        // Code lines only: a comment may show the pattern it warns about.
        const code = readFileSync(file, 'utf8')
          .split('\n')
          .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
          .join('\n');
        for (const m of code.matchAll(/new URL\(\s*[`'"]([^`'"]*)[`'"]\s*,\s*import\.meta\.url\s*\)/g)) {
          const target = join(dirname(file), m[1] ?? '');
          if (relative(dirname(file), target).startsWith('..')) offenders.push(`${relative(ROOT, file)}: ${m[0]}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
