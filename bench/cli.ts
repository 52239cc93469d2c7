/**
 * `npm run bench:cli`: how long `switchboard --help` and `switchboard whoowns <name>` take as a person
 * runs them (a new process each time, the compiled build, from a folder outside the checkout), against
 * the floor of starting Node at all (`node -e 0`), and the budget of 0.5 s (DESIGN.md). Also times what
 * bin/switchboard.js adds to every call (the stale-build check), a full rebuild, and the fallback of
 * running the same sources through tsx. Writes bench/results/cli.{json,md}.
 *
 * BENCH_RUNS sets the runs per command (default 20, interleaved so that load from elsewhere on the
 * machine falls on every command alike); BENCH_TSX_RUNS the tsx runs (default 5: seconds each).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '../scripts/build.mjs';
import { fmtMs } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results');
const BIN = join(ROOT, 'bin', 'switchboard.js');
const BUILD_SCRIPT = join(ROOT, 'scripts', 'build.mjs');
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const TSX_RUNS = Number(process.env.BENCH_TSX_RUNS ?? 5);
const CHECK_RUNS = 200;
const REBUILDS = 3;
const BUDGET_MS = 500;
/** In the shipped sample catalog (manifests/catalog). */
const SERVICE = 'payments-api';

if (!Number.isInteger(RUNS) || RUNS < 5) throw new Error(`BENCH_RUNS must be an integer >= 5, got ${process.env.BENCH_RUNS}`);

interface Summary {
  n: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles, in ms rounded to 0.1. */
function summary(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  const r = (x: number) => Math.round(x * 10) / 10;
  return { n: sorted.length, p50: r(at(50)), p95: r(at(95)), max: r(at(100)), mean: r(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)) };
}

interface Command {
  id: string;
  label: string;
  args: string[];
  /** What its output must contain: a run that answered something else is not a measurement. */
  expect: RegExp;
  budget?: number;
}

/** Runs `args` with node in `cwd`; the wall time from spawn to exit, checked for success. */
function timeRun(c: Command, cwd: string, env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, c.args, { cwd, env, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (r.status !== 0 || !c.expect.test(r.stdout))
    throw new Error(`${c.label}: exit ${r.status}, stdout ${JSON.stringify(r.stdout.slice(0, 300))}, stderr ${JSON.stringify(r.stderr.slice(0, 300))}`);
  // The compiled build was current: a line on stderr would mean a rebuild or the tsx fallback was timed.
  if (c.id !== 'tsx' && r.stderr !== '') throw new Error(`${c.label}: unexpected stderr ${JSON.stringify(r.stderr.slice(0, 300))}`);
  return ms;
}

/** The commit measured and the files that differed from it. */
function revision(): { commit: string; changed: string[] } | null {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return null;
  const changed = git('status', '--porcelain', '--', 'src', 'workflows', 'bin', 'scripts').stdout.split('\n').filter(Boolean);
  return { commit: head.stdout.trim(), changed: changed.map((line) => line.slice(3)) };
}

async function main() {
  const loadAtStart = os.loadavg();
  // The build is current before anything is timed, so no run below compiles.
  const built = await build();
  console.log(`Build: ${built.files} sources, ${built.written} written (${fmtMs(built.ms)})`);

  // A folder outside the checkout, as an installed tool runs: the catalog file is there, and the shipped
  // sample catalog is found from the installation.
  const work = mkdtempSync(join(os.tmpdir(), 'switchboard-bench-cli-'));
  const env = { ...process.env, SWITCHBOARD_DB: join(work, 'switchboard.db'), NODE_OPTIONS: '' };
  try {
    const ingest = spawnSync(process.execPath, [BIN, 'ingest', join(ROOT, 'manifests', 'catalog')], { cwd: work, env, encoding: 'utf8' });
    if (ingest.status !== 0) throw new Error(`ingest of the sample catalog failed: ${ingest.stderr || ingest.stdout}`);
    const entities = /Entities: (\d+) in catalog/.exec(ingest.stdout)?.[1] ?? '?';

    const commands: Command[] = [
      { id: 'floor', label: 'Floor: `node -e 0`', args: ['-e', '0'], expect: /^$/ },
      { id: 'help', label: '`switchboard --help`', args: [BIN, '--help'], expect: /^Usage: switchboard/, budget: BUDGET_MS },
      { id: 'whoowns', label: `\`switchboard whoowns ${SERVICE}\``, args: [BIN, 'whoowns', SERVICE], expect: /Owner\s+Payments/, budget: BUDGET_MS },
      { id: 'whoownsJson', label: `\`switchboard whoowns ${SERVICE} --json\``, args: [BIN, 'whoowns', SERVICE, '--json'], expect: /"status": "found"/ },
    ];
    for (const c of commands) timeRun(c, work, env); // warm the page cache
    const samples = new Map(commands.map((c) => [c.id, [] as number[]]));
    for (let i = 0; i < RUNS; i++) for (const c of commands) samples.get(c.id)?.push(timeRun(c, work, env));
    const measured = commands.map((c) => ({ ...c, stats: summary(samples.get(c.id) ?? []) }));
    for (const m of measured) console.log(`${m.label}: p50 ${fmtMs(m.stats.p50)}, p95 ${fmtMs(m.stats.p95)}, max ${fmtMs(m.stats.max)}`);

    // The fallback without esbuild: the same sources through tsx, transformed in every call (tsx's own
    // cache of transformed files is warm after the first run).
    const tsx: Command = {
      id: 'tsx',
      label: `\`switchboard whoowns ${SERVICE}\` through tsx (no build)`,
      args: [
        '--import',
        import.meta.resolve('tsx'),
        '--input-type=module',
        '-e',
        `const { main } = await import(${JSON.stringify(join(ROOT, 'src', 'cli.ts'))}); process.exitCode = await main(['whoowns', ${JSON.stringify(SERVICE)}]);`,
      ],
      expect: /Owner\s+Payments/,
    };
    const tsxStats = summary(Array.from({ length: TSX_RUNS }, () => timeRun(tsx, work, env)));
    console.log(`${tsx.label}: p50 ${fmtMs(tsxStats.p50)} (n=${tsxStats.n})`);

    // What the stale check adds to each call: in a fresh process (importing build.mjs, then check()),
    // and warm (the same check again and again in one process).
    const coldCheck: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const script = `const t = performance.now(); const { check } = await import(${JSON.stringify(BUILD_SCRIPT)}); const r = check(); if (r.state !== 'fresh') process.exit(3); console.log(performance.now() - t);`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: work, env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`stale check: exit ${r.status} ${r.stderr}`);
      coldCheck.push(Number(r.stdout.trim()));
    }
    const { check, sources } = await import('../scripts/build.mjs');
    const warm: number[] = [];
    for (let i = 0; i < CHECK_RUNS; i++) {
      const t = performance.now();
      check();
      warm.push(performance.now() - t);
    }
    const checkCold = summary(coldCheck);
    const checkWarm = summary(warm);
    const sourceCount = sources().length;
    console.log(`Stale check (${sourceCount} sources): fresh process p50 ${fmtMs(checkCold.p50)}, warm p50 ${fmtMs(checkWarm.p50)}`);

    // A full rebuild, into a copy of the sources (dist/ of the checkout stays as it is).
    const rebuilds: number[] = [];
    for (let i = 0; i < REBUILDS; i++) {
      const copy = mkdtempSync(join(os.tmpdir(), 'switchboard-bench-build-'));
      try {
        for (const path of ['src', 'workflows', 'tsconfig.json']) cpSync(join(ROOT, path), join(copy, path), { recursive: true });
        rebuilds.push((await build(copy)).ms);
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    }
    const rebuild = summary(rebuilds);
    console.log(`Full rebuild: p50 ${fmtMs(rebuild.p50)} (n=${rebuild.n})`);

    const floor = measured.find((m) => m.id === 'floor')?.stats;
    const budgets = measured
      .filter((m) => m.budget)
      .map((m) => ({ id: m.id, label: m.label, p95: m.stats.p95, limit: m.budget as number, pass: m.stats.p95 <= (m.budget as number) }));
    const cpus = os.cpus();
    const result = {
      when: new Date().toISOString(),
      machine: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, node: process.version, loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg() },
      revision: revision(),
      runs: RUNS,
      catalogEntities: Number(entities),
      commands: measured.map(({ id, label, args, stats }) => ({ id, label, args: args.map((a) => a.replace(ROOT, '<root>/')), ...stats })),
      tsx: tsxStats,
      staleCheck: { sources: sourceCount, freshProcess: checkCold, warm: checkWarm },
      rebuild,
      budgets,
    };
    writeFileSync(join(RESULTS, 'cli.json'), `${JSON.stringify(result, null, 2)}\n`);

    const row = (label: string, s: Summary, extra = '') => `| ${label} | ${s.n} | ${fmtMs(s.p50)} | ${fmtMs(s.p95)} | ${fmtMs(s.max)} | ${extra} |`;
    const overFloor = (s: Summary) => (floor ? `+${fmtMs(s.p50 - floor.p50)} over the floor` : '');
    const m = result.machine;
    const rev = result.revision;
    const md = [
      '# CLI benchmark: a new process per command, the compiled build, run from a folder outside the checkout',
      '',
      `${m.cpu}, ${m.cores} cores, Node ${m.node}, load average ${m.loadAverageAtStart.map((x) => x.toFixed(2)).join(' ')} at the start, ` +
        `${m.loadAverageAtEnd.map((x) => x.toFixed(2)).join(' ')} at the end. ${result.when}, ` +
        `${rev ? `commit ${rev.commit}${rev.changed.length ? ` with uncommitted changes to ${rev.changed.length} files` : ''}` : 'revision unknown'}.`,
      `Wall time from spawn to exit, as \`node bin/switchboard.js …\` (npx adds about 1.5 s of its own and is not counted). ${RUNS} runs of each command,`,
      `interleaved, after one warm-up run each. The catalog: the shipped sample (${entities} entities), ingested once into SWITCHBOARD_DB in that folder.`,
      '',
      '| Command | n | p50 | p95 | max | |',
      '| --- | --- | --- | --- | --- | --- |',
      ...measured.map((x) => row(x.label, x.stats, x.id === 'floor' ? 'starting Node at all' : overFloor(x.stats))),
      row(tsx.label, tsxStats, 'the fallback when esbuild is missing'),
      '',
      ...budgets.map((b) => `Budget: ${b.label} ≤ ${fmtMs(b.limit)} (p95) — ${b.pass ? 'PASS' : 'FAIL'} (${fmtMs(b.p95)}).`),
      '',
      '## What bin/switchboard.js adds',
      '',
      '| | n | p50 | p95 | max |',
      '| --- | --- | --- | --- | --- |',
      `| Stale check in a fresh process (import scripts/build.mjs, list and stat ${sourceCount} sources) | ${checkCold.n} | ${fmtMs(checkCold.p50)} | ${fmtMs(checkCold.p95)} | ${fmtMs(checkCold.max)} |`,
      `| Stale check again in the same process | ${checkWarm.n} | ${fmtMs(checkWarm.p50)} | ${fmtMs(checkWarm.p95)} | ${fmtMs(checkWarm.max)} |`,
      `| Full rebuild (esbuild, ${sourceCount} sources into an empty dist/) | ${rebuild.n} | ${fmtMs(rebuild.p50)} | ${fmtMs(rebuild.p95)} | ${fmtMs(rebuild.max)} |`,
      '',
      'The check compares a hash of every source’s path, size and mtime with dist/.build-stamp.json; when only mtimes moved (a fresh clone), a',
      'hash of the contents decides, once. A call after an edit pays the rebuild once, and says so on stderr.',
      '',
    ].join('\n');
    writeFileSync(join(RESULTS, 'cli.md'), md);
    console.log(`\n${md}\nWrote bench/results/cli.json and .md`);
    if (budgets.some((b) => !b.pass)) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
