/**
 * The dependency directions of DESIGN.md, checked by reading the sources: a forbidden import fails
 * here before it becomes a tangle.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The .ts sources under `dir`; a folder a rule names must exist, or the rule would pass by checking nothing. */
function sources(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) throw new Error(`${dir} does not exist: a boundary rule names a missing folder`);
  return readdirSync(abs).flatMap((name) => {
    const path = join(abs, name);
    if (statSync(path).isDirectory()) return sources(relative(ROOT, path));
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

/** Module specifiers a file imports; `import type` is left out when `runtimeOnly` (types vanish at build). */
function imports(file: string, runtimeOnly = false): string[] {
  const text = readFileSync(file, 'utf8');
  const statements = [...text.matchAll(/^\s*((?:import|export)\s[^;]*?)from\s+['"]([^'"]+)['"]/gm)]
    .filter((m) => !(runtimeOnly && /^\s*(import|export)\s+type\s/.test(m[1] as string)))
    .map((m) => m[2] as string);
  return [...statements, ...[...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] as string)];
}

/** Chat adapters DESIGN.md names (chat/slack|teams|shell); no adapter imports another. */
const KNOWN_ADAPTERS = ['slack', 'teams', 'shell'] as const;
/** The adapters that must exist: each has a rule, so a missing folder fails instead of passing unchecked. */
const EXPECTED_ADAPTERS = ['shell', 'slack', 'teams'];

/** The adapter folders present under src/chat. */
function adapters(): string[] {
  return readdirSync(join(ROOT, 'src/chat'))
    .filter((name) => statSync(join(ROOT, 'src/chat', name)).isDirectory())
    .sort();
}

interface Rule {
  name: string;
  dir: string;
  forbidden: RegExp;
  /** Type-only imports are allowed (DESIGN.md: workflows take types from elsewhere with `import type`). */
  typesAllowed?: boolean;
}

const RULES: Rule[] = [
  { name: 'storage types stay inside the catalog, the bot state and the audit log', dir: 'src', forbidden: /^(better-sqlite3|drizzle-orm)/ },
  {
    name: 'the catalog knows no chat platform, HTTP server or Temporal',
    dir: 'src/catalog',
    forbidden: /(@slack|@microsoft|@temporalio|\/http\/|\/chat\/|\/conversation\/)/,
  },
  {
    name: 'the conversation core imports no chat SDK, Temporal worker or SQLite',
    dir: 'src/conversation',
    forbidden: /^(@slack|@microsoft|@temporalio\/worker|better-sqlite3|drizzle-orm)|\/chat\//,
  },
  // One rule per adapter folder present (see ADAPTERS below: the expected ones must be there).
  ...adapters().map((name) => ({
    name: `the ${name} adapter does not import another adapter`,
    dir: `src/chat/${name}`,
    forbidden: new RegExp(`/(${[...KNOWN_ADAPTERS].filter((other) => other !== name).join('|')})/`),
  })),
  {
    // @noble/curves: pure-JS Ed25519 for the vote signatures the Update validator checks (no I/O).
    name: 'workflows import only @temporalio/workflow, @noble/curves and their own files (types from elsewhere)',
    dir: 'workflows',
    forbidden: /^(?!@temporalio\/workflow$|@noble\/curves\/[\w.]+\.js$|\.\/|\.\.\/workflows\/)/,
    typesAllowed: true,
  },
];

describe('module boundaries', () => {
  for (const rule of RULES) {
    it(rule.name, () => {
      const storage = ['src/catalog', 'src/state', 'src/audit', 'src/deployments', 'src/db'].map((d) => join(ROOT, d));
      const allowedStore = rule.dir === 'src' ? (file: string) => storage.some((d) => file.startsWith(d)) : () => false;
      const offences = sources(rule.dir)
        .filter((file) => !allowedStore(file))
        .flatMap((file) =>
          imports(file, rule.typesAllowed)
            .filter((spec) => rule.forbidden.test(spec))
            .map((spec) => `${relative(ROOT, file)} imports ${spec}`),
        );
      expect(offences).toEqual([]);
    });
  }

  it('checks the expected adapter folders, and only folders that exist', () => {
    expect(adapters()).toEqual(expect.arrayContaining(EXPECTED_ADAPTERS));
    for (const name of EXPECTED_ADAPTERS)
      expect(
        RULES.some((r) => r.dir === `src/chat/${name}`),
        name,
      ).toBe(true);
    expect(adapters().filter((name) => !(KNOWN_ADAPTERS as readonly string[]).includes(name))).toEqual([]);
    for (const rule of RULES) expect(existsSync(join(ROOT, rule.dir)), rule.dir).toBe(true);
    expect(() => sources('src/chat/no-such-adapter')).toThrow(/does not exist/);
  });

  it('finds imports, so the rules above can fail', () => {
    const self = fileURLToPath(import.meta.url);
    expect(imports(self)).toContain('vitest');
  });
});
