/**
 * `npm run bench:catalog`: the catalog at 100k entities against the design budgets (ingest 100k in
 * ≤ 30 s and ≤ 500 MB RSS, unchanged re-ingest ≤ 3 s, whoOwns p99 ≤ 2 ms exact and ≤ 20 ms fuzzy), next
 * to a floor (a raw better-sqlite3 indexed lookup on the same database) and a peer (Fuse.js over the same
 * names). Writes bench/results/catalog.{json,md}.
 *
 * BENCH_ENTITIES=5000 scales the run down; its results go to catalog-<n>.{json,md} so the 100k figures
 * stay. BENCH_FUSE_QUERIES sets the Fuse.js iterations per query type (default 200: it scans every name).
 */
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { budgetTableMarkdown, machineInfo, printBudgetTable } from './budget-table.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import Fuse from 'fuse.js';
import { openCatalog, type IngestReport } from '../src/catalog/index.js';
import { ensureCatalog } from './catalog-fixture.js';
import { buildQueries } from './catalog-queries.js';
import { fmtMB, fmtMs, fmtP, gc, MB, pct, timeEach } from './stats.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 100_000);
const FULL = ENTITIES === 100_000;
const SEED = 42;
const QUERIES = 2_000;
const WARMUP = 200;
const FUSE_QUERIES = Number(process.env.BENCH_FUSE_QUERIES ?? 200);

const LABEL = FULL ? '100k' : String(ENTITIES);
const WORK = join(HERE, '.work');
const CATALOG_DIR = join(WORK, `catalog-${LABEL}`);
const MARKER = join(CATALOG_DIR, '.generated.json');
const GENERATED = join(CATALOG_DIR, '.entities.json');
const DB_FILE = join(WORK, FULL ? 'catalog.db' : `catalog-${ENTITIES}.db`);
const RESULTS = join(HERE, 'results');
const RESULT_NAME = FULL ? 'catalog' : `catalog-${ENTITIES}`;

if (!Number.isInteger(ENTITIES) || ENTITIES < 500) throw new Error(`BENCH_ENTITIES must be an integer >= 500, got ${process.env.BENCH_ENTITIES}`);

const countBy = (values: string[]) => values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});

// ---------------------------------------------------------------------------------------------------

async function main() {
  // The 1-minute load average before and after: on a shared machine, other processes skew the tails.
  const loadBefore = os.loadavg()[0] ?? 0;
  const {
    catalog: generated,
    reused,
    generateMs,
  } = ensureCatalog({ here: HERE, entities: ENTITIES, seed: SEED, dir: CATALOG_DIR, marker: MARKER, generated: GENERATED });
  const kindOf = new Map(generated.entities.map((e) => [e.name, e.kind]));
  const kinds = countBy(generated.entities.map((e) => e.kind));
  console.log(`Catalog: ${generated.entities.length} entities in ${generated.files} files (${reused ? 'reused' : `generated in ${fmtMs(generateMs ?? 0)}`})`);

  // Ingest into a fresh database. The whole ingest is synchronous apart from microtask hops (local
  // files are read with readFileSync), so the 50 ms sampler below may see few or no ticks; maxRSS,
  // the kernel's high-water mark, is the figure the budget is checked against.
  for (const suffix of ['', '-wal', '-shm']) rmSync(DB_FILE + suffix, { force: true });
  gc();
  const rssBefore = process.memoryUsage().rss;
  const maxRssBefore = process.resourceUsage().maxRSS * 1024;
  let sampledPeak = rssBefore;
  let samples = 0;
  const sampler = setInterval(() => {
    samples++;
    sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss);
  }, 50);
  const opened = performance.now();
  const catalog = openCatalog(DB_FILE);
  const openMs = performance.now() - opened;
  const started = performance.now();
  const report: IngestReport = await catalog.ingest([CATALOG_DIR]);
  const ingestMs = performance.now() - started;
  sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss);
  clearInterval(sampler);
  const maxRss = process.resourceUsage().maxRSS * 1024;
  const dbBytes = statSync(DB_FILE).size;
  const walBytes = existsSync(`${DB_FILE}-wal`) ? statSync(`${DB_FILE}-wal`).size : 0;
  console.log(`Ingested ${report.entities.total} entities in ${fmtMs(ingestMs)}, ${report.problems.length} problems`);
  for (const p of report.problems.slice(0, 5)) console.log(`  ${p.code} ${p.location}${p.line ? `:${p.line}` : ''} ${p.message}`);

  const reStarted = performance.now();
  const again = await catalog.ingest([CATALOG_DIR]);
  const reingestMs = performance.now() - reStarted;
  console.log(`Unchanged re-ingest in ${fmtMs(reingestMs)} (${again.sources.unchanged}/${again.sources.read} sources unchanged)`);

  // whoOwns.
  const q = buildQueries(generated, SEED, QUERIES, WARMUP);
  let exactFound = 0;
  const exactStatus: string[] = [];
  const exact = timeEach(
    q.exact.warmup,
    q.exact.queries,
    (s) => catalog.whoOwns(s),
    (s, a) => {
      exactStatus.push(a.status);
      if (a.status === 'found' && a.entity?.name === s) exactFound++;
    },
  );
  let typoFound = 0;
  let typoFirst = 0;
  const typoStatus: string[] = [];
  const typo = timeEach(
    q.typo.warmup,
    q.typo.queries,
    (s) => catalog.whoOwns(s),
    (_s, a, i) => {
      typoStatus.push(a.status);
      if (a.status === 'found' && a.entity?.name === q.typo.originals[i]) typoFound++;
      // An "ambiguous" answer that lists the intended entity first still points the user at it.
      const first = a.status === 'found' ? a.entity?.name : a.candidates[0]?.name;
      if (first === q.typo.originals[i]) typoFirst++;
    },
  );
  const prefixStatus: string[] = [];
  const prefix = timeEach(
    q.prefix.warmup,
    q.prefix.queries,
    (s) => catalog.whoOwns(s),
    (_s, a) => prefixStatus.push(a.status),
  );
  console.log(`whoOwns p50/p99: exact ${fmtP(exact)}, typo ${fmtP(typo)}, prefix ${fmtP(prefix)}`);

  // Floor: the indexed lookups whoOwns is built on, with nothing around them.
  const raw = new Database(DB_FILE, { readonly: true });
  const byRef = raw.prepare('SELECT * FROM entities WHERE ref = ?');
  const byTerm = raw.prepare('SELECT e.* FROM entity_terms t JOIN entities e ON e.id = t.entity_id WHERE t.term = ?');
  const refOf = (name: string) => `${(kindOf.get(name) ?? 'component').toLowerCase()}:default/${name.toLowerCase()}`;
  let refHits = 0;
  let termHits = 0;
  const floorRef = timeEach(
    q.exact.warmup.map(refOf),
    q.exact.queries.map(refOf),
    (r) => byRef.get(r),
    (_r, row) => void (row && refHits++),
  );
  const lower = (names: string[]) => names.map((n) => n.toLowerCase());
  const floorTerm = timeEach(
    lower(q.exact.warmup),
    lower(q.exact.queries),
    (t) => byTerm.all(t),
    (_t, rows) => void (rows.length > 0 && termHits++),
  );
  raw.close();
  console.log(`SQLite floor p50/p99: ref ${fmtP(floorRef)}, term join ${fmtP(floorTerm)}`);

  // Peer: Fuse.js over the same names (fewer iterations: every search scans all of them).
  gc();
  const fuseStarted = performance.now();
  const fuse = new Fuse(generated.names, { includeScore: true, threshold: 0.4 });
  const fuseBuildMs = performance.now() - fuseStarted;
  const top = (s: string) => fuse.search(s)[0]?.item;
  let fuseExactHits = 0;
  let fuseTypoHits = 0;
  const fuseWarm = (xs: string[]) => xs.slice(0, 5);
  const fuseExact = timeEach(fuseWarm(q.exact.warmup), q.exact.queries.slice(0, FUSE_QUERIES), top, (s, item) => void (item === s && fuseExactHits++));
  const fuseTypo = timeEach(
    fuseWarm(q.typo.warmup),
    q.typo.queries.slice(0, FUSE_QUERIES),
    top,
    (_s, item, i) => void (item === q.typo.originals[i] && fuseTypoHits++),
  );
  const fusePrefix = timeEach(fuseWarm(q.prefix.warmup), q.prefix.queries.slice(0, FUSE_QUERIES), top);
  console.log(`Fuse.js: build ${fmtMs(fuseBuildMs)}, p50/p99 exact ${fmtP(fuseExact)}, typo ${fmtP(fuseTypo)}, prefix ${fmtP(fusePrefix)}`);
  catalog.close();

  // Budgets (DESIGN): defined for 100k entities, so a scaled-down run passing them says little.
  const peakRss = Math.max(maxRss, sampledPeak);
  const budgets = [
    { id: 'ingest', label: 'Ingest 100k entities', limit: 30_000, value: ingestMs, unit: 'ms' },
    { id: 'peakRss', label: 'Peak RSS during ingest', limit: 500 * MB, value: peakRss, unit: 'bytes' },
    { id: 'reingest', label: 'Unchanged re-ingest', limit: 3_000, value: reingestMs, unit: 'ms' },
    { id: 'exactP99', label: 'whoOwns exact p99', limit: 2, value: exact.p99, unit: 'ms' },
    { id: 'typoP99', label: 'whoOwns fuzzy (typo) p99', limit: 20, value: typo.p99, unit: 'ms' },
    { id: 'prefixP99', label: 'whoOwns fuzzy (prefix) p99', limit: 20, value: prefix.p99, unit: 'ms' },
  ].map((b) => ({ ...b, pass: b.value <= b.limit }));
  const verdict = (id: string) => {
    const b = budgets.find((x) => x.id === id);
    return b ? [b.unit === 'bytes' ? `≤ ${fmtMB(b.limit)}` : `≤ ${fmtMs(b.limit)}`, b.pass ? 'PASS' : 'FAIL'] : ['', ''];
  };

  const rows: string[][] = [
    ['Ingest wall time', fmtMs(ingestMs), ...verdict('ingest')],
    ['Ingest throughput', `${Math.round(report.entities.total / (ingestMs / 1000)).toLocaleString('en-US')} entities/s`, '', ''],
    ['Peak RSS (maxRSS)', `${fmtMB(maxRss)} (before ingest ${fmtMB(maxRssBefore)})`, ...verdict('peakRss')],
    ['Peak RSS (50 ms samples)', `${fmtMB(sampledPeak)} (${samples} samples, start ${fmtMB(rssBefore)})`, '', ''],
    ['DB size (file + WAL)', `${fmtMB(dbBytes + walBytes)} (${fmtMB(dbBytes)} + ${fmtMB(walBytes)})`, '', ''],
    ['Ingest problems', String(report.problems.length), '0', report.problems.length === 0 ? 'PASS' : 'FAIL'],
    ['Unchanged re-ingest', fmtMs(reingestMs), ...verdict('reingest')],
    ['whoOwns exact p50 / p99', fmtP(exact), ...verdict('exactP99')],
    ['whoOwns typo p50 / p99', fmtP(typo), ...verdict('typoP99')],
    ['whoOwns prefix p50 / p99', fmtP(prefix), ...verdict('prefixP99')],
    ['whoOwns exact: intended entity found', `${pct(exactFound, QUERIES)}%`, '100%', exactFound === QUERIES ? 'PASS' : 'FAIL'],
    ['whoOwns typo: intended entity found', `${pct(typoFound, QUERIES)}%`, '', ''],
    ['whoOwns typo: intended found or first candidate', `${pct(typoFirst, QUERIES)}%`, '', ''],
    ['SQLite floor: ref lookup p50 / p99', fmtP(floorRef), '', ''],
    ['SQLite floor: term join p50 / p99', fmtP(floorTerm), '', ''],
    ['Fuse.js index build', fmtMs(fuseBuildMs), '', ''],
    [`Fuse.js exact p50 / p99 (n=${fuseExact.n})`, fmtP(fuseExact), '', ''],
    [`Fuse.js typo p50 / p99 (n=${fuseTypo.n})`, fmtP(fuseTypo), '', ''],
    [`Fuse.js prefix p50 / p99 (n=${fusePrefix.n})`, fmtP(fusePrefix), '', ''],
    ['Fuse.js top hit = intended (exact / typo)', `${pct(fuseExactHits, fuseExact.n)}% / ${pct(fuseTypoHits, fuseTypo.n)}%`, '', ''],
  ];

  const machine = machineInfo(loadBefore);
  const heading = `Catalog benchmark: ${report.entities.total.toLocaleString('en-US')} entities in ${generated.files.toLocaleString('en-US')} files (seed ${SEED})`;
  const scaleNote = FULL ? '' : `Scaled-down run: the budgets are defined for 100,000 entities.`;

  printBudgetTable(heading, machine, scaleNote, rows);

  const md = [
    ...budgetTableMarkdown(heading, machine, scaleNote, rows),
    '',
    `whoOwns: ${QUERIES} queries per type after ${WARMUP} warm-up queries; Fuse.js: ${FUSE_QUERIES} per type. ` +
      'Peak RSS is the process high-water mark (getrusage maxRSS); the ingest runs without yielding to timers, so the 50 ms sampler sees few ticks.',
    '',
  ].join('\n');

  const result = {
    generatedAt: new Date().toISOString(),
    machine,
    fullScale: FULL,
    catalog: { entities: generated.entities.length, files: generated.files, seed: SEED, kinds, reused, generateMs },
    ingest: {
      wallMs: ingestMs,
      openMs,
      reportDurationMs: report.durationMs,
      entitiesPerSecond: report.entities.total / (ingestMs / 1000),
      entities: report.entities,
      sources: report.sources,
      problems: report.problems.length,
      problemSamples: report.problems.slice(0, 20),
      rss: { beforeBytes: rssBefore, sampledPeakBytes: sampledPeak, samples, maxRssBytes: maxRss, maxRssBeforeIngestBytes: maxRssBefore },
      db: { fileBytes: dbBytes, walBytes, totalBytes: dbBytes + walBytes },
    },
    reingest: { wallMs: reingestMs, reportDurationMs: again.durationMs, sources: again.sources, entities: again.entities, problems: again.problems.length },
    whoOwns: {
      queries: QUERIES,
      warmup: WARMUP,
      exact: { ...exact, status: countBy(exactStatus), intendedFound: exactFound, intendedRate: exactFound / QUERIES },
      typo: { ...typo, status: countBy(typoStatus), intendedFound: typoFound, intendedRate: typoFound / QUERIES, intendedFirst: typoFirst },
      prefix: { ...prefix, status: countBy(prefixStatus) },
    },
    floor: { refLookup: { ...floorRef, hits: refHits }, termJoin: { ...floorTerm, hits: termHits } },
    fuse: {
      options: { includeScore: true, threshold: 0.4 },
      buildMs: fuseBuildMs,
      exact: { ...fuseExact, topHitIntended: fuseExactHits },
      typo: { ...fuseTypo, topHitIntended: fuseTypoHits },
      prefix: fusePrefix,
    },
    budgets,
    examples: { typo: q.typo.queries.slice(0, 5).map((t, i) => ({ query: t, intended: q.typo.originals[i] })), prefix: q.prefix.queries.slice(0, 5) },
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `${RESULT_NAME}.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(RESULTS, `${RESULT_NAME}.md`), md);
  console.log(`\nWrote bench/results/${RESULT_NAME}.json and .md`);
}

await main();
