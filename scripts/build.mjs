#!/usr/bin/env node
/**
 * `npm run build` (and `prepare`, so `npm install` and `npm ci` build too): compiles src/ and workflows/
 * to JavaScript in dist/src/ and dist/workflows/ with esbuild, one output per source and no bundle, so
 * the module graph stays as written and the CLI's dynamic imports keep Bolt, the Teams SDK and Temporal
 * unloaded until a command needs them. Types are checked by `tsc --noEmit`, not here. Tests and
 * src/testing/ are not compiled: nothing shipped imports them.
 *
 * dist/.build-stamp.json says what was built; bin/switchboard.js reads it on every call (`check()`, a
 * few milliseconds) and rebuilds a stale build. Plain JavaScript, because it must run before anything
 * is compiled, and without tsx.
 */
/* global URL, performance -- Node's; the lint config names only process and console */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installation: the folder that holds package.json, one up from scripts/. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const distOf = (root) => join(root, 'dist');
const stampOf = (root) => join(distOf(root), '.build-stamp.json');
/** The folders compiled, each to dist/<folder>. dist/ holds other output too (dist/teams): left alone. */
const FOLDERS = ['src', 'workflows'];
/** Not sources, but they change what a build emits. */
const BUILD_INPUTS = ['scripts/build.mjs', 'tsconfig.json'];
/**
 * The oldest Node that package.json `engines` allows: compiling for it keeps the output running there
 * (Node 24 runs syntax that Node 22 does not, such as `using`, which esbuild then lowers).
 */
const TARGET = 'node22.12';

const isInput = (rel) => rel.endsWith('.ts') && !rel.endsWith('.d.ts') && !rel.endsWith('.test.ts') && !rel.startsWith(`src${sep}testing${sep}`);

/**
 * Relative paths of every source the build compiles, sorted. Empty in an installation without src/
 * (a packed one ships dist/ and the workflow sources only): dist/ is then all there is, never rebuilt.
 */
export function sources(root = ROOT) {
  if (!existsSync(join(root, 'src'))) return [];
  const found = [];
  for (const folder of FOLDERS) {
    if (!existsSync(join(root, folder))) continue;
    for (const entry of readdirSync(join(root, folder), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const rel = relative(root, join(entry.parentPath, entry.name));
      if (isInput(rel)) found.push(rel);
    }
  }
  return found.sort();
}

/**
 * Path, size and mtime of each input, one line each: changes when any source is edited, added, removed
 * or renamed. Kept as text, not hashed: loading node:crypto would cost more than comparing 15 kB.
 */
function fingerprint(root, files) {
  let text = '';
  for (const rel of [...files, ...BUILD_INPUTS]) {
    const st = statSync(join(root, rel), { throwIfNoEntry: false });
    text += `${rel} ${st?.size ?? -1} ${st?.mtimeMs ?? -1}\n`;
  }
  return text;
}

/**
 * The inputs' content: the second opinion when the fingerprint differs only because mtimes moved (a
 * fresh clone, a copy, an unpacked tarball), so a build made elsewhere from the same sources is kept.
 */
function contentHash(root, files) {
  const hash = process.getBuiltinModule('node:crypto').createHash('sha1');
  for (const rel of [...files, ...BUILD_INPUTS]) {
    hash.update(`${rel}\0`);
    try {
      hash.update(readFileSync(join(root, rel)));
    } catch {
      hash.update('\0missing');
    }
    hash.update('\n');
  }
  return hash.digest('hex');
}

function readStamp(root) {
  try {
    return JSON.parse(readFileSync(stampOf(root), 'utf8'));
  } catch {
    return undefined;
  }
}

function writeAtomically(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/**
 * Whether dist/ matches the sources: `fresh` (run it), `stale` (rebuild; `reason` says why, for the one
 * line printed), or `no-sources` (an installation without src/: dist/ is all there is).
 */
export function check(root = ROOT) {
  const files = sources(root);
  if (files.length === 0) return { state: 'no-sources' };
  const stamp = readStamp(root);
  if (!stamp) return { state: 'stale', reason: 'no compiled build in dist/' };
  const fp = fingerprint(root, files);
  if (stamp.fingerprint === fp) return { state: 'fresh' };
  if (stamp.content !== contentHash(root, files)) return { state: 'stale', reason: 'the sources changed since the last build' };
  // Same content, other mtimes: remember them, so the next call takes the fast path (best effort: the
  // installation may be read-only).
  try {
    writeAtomically(stampOf(root), JSON.stringify({ ...stamp, fingerprint: fp }));
  } catch {
    /* read-only installation: the content check runs again next time */
  }
  return { state: 'fresh' };
}

/**
 * Compiles every source to dist/. Two processes may build at once (two commands started together after
 * an edit): each file is written to a temporary name and renamed into place, so a reader sees a whole
 * file, old or new, and equal files are not rewritten. Throws when esbuild is missing
 * (ERR_MODULE_NOT_FOUND) or a source does not parse.
 */
export async function build(root = ROOT) {
  const started = performance.now();
  const files = sources(root);
  if (files.length === 0) return { files: 0, written: 0, removed: 0, ms: 0, warnings: [] };
  // Read before compiling: a source edited during the build leaves the stamp stale, so it builds again.
  const stamp = { fingerprint: fingerprint(root, files), content: contentHash(root, files), builtAt: new Date().toISOString() };
  const esbuild = await import('esbuild');
  const result = await esbuild
    .build({
      absWorkingDir: root,
      entryPoints: files,
      outbase: root,
      outdir: distOf(root),
      bundle: false,
      format: 'esm',
      platform: 'node',
      target: TARGET,
      // Stack traces point at the .ts sources that ship beside dist/ (bin enables source maps).
      sourcemap: 'linked',
      sourcesContent: false,
      write: false,
      // Problems are reported by the caller: bin/switchboard.js in one line, `npm run build` in full.
      logLevel: 'silent',
    })
    .catch((err) => {
      const [first] = err.errors ?? [];
      if (!first) throw err;
      const where = first.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: ` : '';
      const more = err.errors.length > 1 ? ` (and ${err.errors.length - 1} more)` : '';
      throw new Error(`${where}${first.text}${more}`, { cause: err });
    });
  const made = new Set();
  const dirs = new Set();
  let written = 0;
  for (const out of result.outputFiles) {
    made.add(out.path);
    const dir = dirname(out.path);
    if (!dirs.has(dir)) mkdirSync(dir, { recursive: true });
    dirs.add(dir);
    let same = false;
    try {
      same = readFileSync(out.path).equals(out.contents);
    } catch {
      /* not built before */
    }
    if (!same) {
      writeAtomically(out.path, out.contents);
      written++;
    }
  }
  // Outputs of sources that are gone (a renamed module must not stay importable).
  let removed = 0;
  for (const folder of FOLDERS) {
    let entries = [];
    try {
      entries = readdirSync(join(distOf(root), folder), { recursive: true, withFileTypes: true });
    } catch {
      /* nothing built there yet */
    }
    for (const entry of entries) {
      const path = join(entry.parentPath, entry.name);
      // A .tmp file is another build's, about to be renamed into place.
      if (entry.isFile() && !made.has(path) && !path.endsWith('.tmp')) {
        rmSync(path, { force: true });
        removed++;
      }
    }
  }
  writeAtomically(stampOf(root), JSON.stringify(stamp));
  return { files: files.length, written, removed, ms: performance.now() - started, warnings: result.warnings };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const r = await build();
    for (const w of r.warnings) console.warn(`build: warning: ${w.location ? `${w.location.file}:${w.location.line}: ` : ''}${w.text}`);
    if (r.files === 0) console.log('build: no src/ here (an installation ships dist/ built); nothing to compile');
    else console.log(`build: ${r.files} sources → dist/ in ${Math.round(r.ms)} ms (${r.written} written, ${r.removed} stale removed)`);
  } catch (err) {
    console.error(`build: ${err.message}`);
    process.exitCode = 1;
  }
}
