/**
 * `npm run bench:slack`: the Slack adapter on a 100k-entity catalog, in a process of its own, under
 * signed /whoowns requests: (1) bursts of 50 concurrent commands, the DESIGN.md budget (ack p99 ≤ 200 ms,
 * never near 3 s); (2) 50 connections sending back to back for BENCH_SECONDS, to find the throughput
 * ceiling. Measures the ack (HTTP 200 from POST /slack/events) and the time until the answer reaches the
 * response_url, next to the floor: a bare node:http server that only checks the signature and acks.
 * (3) The bursts again while the bot re-ingests the whole catalog with every entity changed, as a
 * periodic refresh does (SWITCHBOARD_REFRESH): the DESIGN.md budget is ack p99 ≤ 200 ms during it.
 * Writes bench/results/slack.{json,md}.
 *
 * The catalog is this bench's own (bench/.work/catalog-slack-<n>/, generated once by bench:catalog's
 * generator, and slack-catalog-<n>.db): the refresh rewrites its files, so it cannot be bench:catalog's.
 * BENCH_ENTITIES scales it down; BENCH_SECONDS sets the load duration (default 15).
 */
import { spawn } from 'node:child_process';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { openCatalog } from '../src/catalog/index.js';
import { startSlackEmulator } from '../src/testing/slack-emulator.js';
import { signSlackRequest, slashCommandBody } from '../src/testing/slack-signing.js';
import { ensureCatalog } from './catalog-fixture.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 100_000);
const FULL = ENTITIES === 100_000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = 50;
const SECRET = 'bench-signing-secret';
const WORK = join(HERE, '.work');
const CATALOG_DIR = join(WORK, `catalog-slack-${ENTITIES}`);
const DB_FILE = join(WORK, `slack-catalog-${ENTITIES}.db`);
const RESULTS = join(HERE, 'results');
const NAME = FULL ? 'slack' : `slack-${ENTITIES}`;

async function catalogFile(): Promise<string> {
  const marker = { marker: join(CATALOG_DIR, '.generated.json'), generated: join(CATALOG_DIR, '.entities.json') };
  const { reused } = ensureCatalog({ here: HERE, entities: ENTITIES, seed: 42, dir: CATALOG_DIR, ...marker });
  if (reused && existsSync(DB_FILE)) return DB_FILE;
  for (const suffix of ['', '-wal', '-shm']) rmSync(DB_FILE + suffix, { force: true });
  console.log(`Ingesting ${CATALOG_DIR} into ${DB_FILE} ...`);
  const catalog = openCatalog(DB_FILE);
  await catalog.ingest([CATALOG_DIR]);
  catalog.close();
  return DB_FILE;
}

/**
 * Gives every entity of the catalog a new label value, replacing the last run's: the refresh then reads,
 * parses and rewrites all of them, where an unchanged catalog would be skipped by hash.
 */
function reviseCatalog(dir: string, revision: string): number {
  let files = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.yaml')) continue;
    const file = join(entry.parentPath, entry.name);
    const text = readFileSync(file, 'utf8').replace(/^ {2}labels:\n {4}bench\.switchboard\.dev\/revision: .*\n/gm, '');
    writeFileSync(file, text.replace(/^metadata:\n/gm, `metadata:\n  labels:\n    bench.switchboard.dev/revision: ${revision}\n`));
    files++;
  }
  return files;
}

interface RefreshReport {
  durationMs: number;
  sources: { read: number; unchanged: number; failed: number };
  entities: { added: number; updated: number; removed: number; total: number };
  problems: number;
  /** The bot's own event loop while the refresh ran (a 10 ms timer's lateness). */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

interface LoadResult {
  requests: number;
  non2xx: number;
  errors: number;
  rps: number;
  latency: { p50: number; p90: number; p99: number; max: number };
}

/** 50 connections for SECONDS, each request a freshly signed /whoowns for a random catalog name. */
async function load(url: string, names: string[], sent: Map<string, number>, responseUrl: (id: string) => string): Promise<LoadResult> {
  let i = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        path: '/slack/events',
        setupRequest: (req) => {
          const id = randomUUID();
          const body = slashCommandBody({ command: '/whoowns', text: names[i++ % names.length] as string, response_url: responseUrl(id) });
          sent.set(id, Date.now());
          return { ...req, body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(SECRET, body) } };
        },
      },
    ],
  });
  return {
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    rps: Math.round(result.requests.average),
    latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
  };
}

/** The floor: what any Slack endpoint must do at least — read the body, check the HMAC, answer 200. */
async function floorServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const ts = String(req.headers['x-slack-request-timestamp']);
      const expected = Buffer.from(`v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`);
      const given = Buffer.from(String(req.headers['x-slack-signature']));
      res.writeHead(given.length === expected.length && timingSafeEqual(given, expected) ? 200 : 401).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

/** Starts the bot in a child process; resolves with its URL once it listens. */
async function startBot(file: string, stateFile: string, apiUrl: string, refreshRoot: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'slack-bot.ts'), file, stateFile, apiUrl, SECRET, refreshRoot], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const nextLine = (prefix: string) =>
    new Promise<string>((resolve) => {
      const on = (line: string) => {
        if (!line.startsWith(prefix)) return;
        lines.off('line', on);
        resolve(line.slice(prefix.length));
      };
      lines.on('line', on);
    });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bot exited with ${code}`)));
    void nextLine('port=').then((rest) => resolve(Number.parseInt(rest, 10)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    /** Has the bot re-ingest `refreshRoot`: `started` once its run began, `done` with the run's report. */
    refresh() {
      const started = nextLine('refresh=started');
      const failed = nextLine('refresh=failed ').then((m) => Promise.reject(new Error(`the refresh failed in the bot: ${m}`)));
      const done = Promise.race([nextLine('refresh=done ').then((json) => JSON.parse(json) as RefreshReport), failed]);
      child.stdin.write('refresh\n');
      return { started, done };
    },
    stop: () => new Promise<void>((r) => (child.once('exit', () => r()), child.kill('SIGTERM'))),
  };
}

/** A process's resident set now (VmRSS) or at its peak (VmHWM), where /proc has them. */
function rss(pid: number, which: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const kb = new RegExp(`${which}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb ? Number(kb[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Starts a new peak (VmHWM) from the current resident set; false where the kernel does not allow it. */
function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

function signedCommand(name: string, responseUrl: string) {
  const body = slashCommandBody({ command: '/whoowns', text: name, response_url: responseUrl });
  return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(SECRET, body) } };
}

const mb = (bytes: number | null) => (bytes === null ? 'n/a' : `${Math.round(bytes / 2 ** 20)} MB`);

const summary = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { n: sorted.length, p50: r(percentile(sorted, 50)), p90: r(percentile(sorted, 90)), p99: r(percentile(sorted, 99)), max: r(sorted.at(-1) ?? NaN) };
};

/**
 * Waves of 50 commands sent at once; the next wave starts when every answer of this one has arrived.
 * `more` ends the waves early: no wave starts once it says no.
 */
async function bursts(url: string, names: string[], emu: Awaited<ReturnType<typeof startSlackEmulator>>, waves: number, more = () => true) {
  const acks: number[] = [];
  const answers: number[] = [];
  let failed = 0;
  let w = 0;
  for (; w < waves && more(); w++) {
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async (_, i) => {
        const id = randomUUID();
        const { body, headers } = signedCommand(names[(w * CONNECTIONS + i) % names.length] as string, emu.responseUrl(id));
        const sent = performance.now();
        const res = await fetch(`${url}/slack/events`, { method: 'POST', body, headers });
        acks.push(performance.now() - sent);
        if (res.status !== 200) failed++;
        await res.arrayBuffer();
        await emu.waitForResponse((r) => r.id === id, 30_000);
        answers.push(performance.now() - sent);
      }),
    );
  }
  return { waves: w, ack: summary(acks), answer: summary(answers), non200: failed };
}

async function main(): Promise<void> {
  const file = await catalogFile();
  const names = (
    new Database(file, { readonly: true }).prepare(`SELECT name FROM entities WHERE kind = 'Component' ORDER BY random() LIMIT 5000`).all() as {
      name: string;
    }[]
  ).map((r) => r.name);
  const entities = names.length ? (new Database(file, { readonly: true }).prepare('SELECT count(*) AS n FROM entities').get() as { n: number }).n : 0;
  const emu = await startSlackEmulator();
  const bot = await startBot(file, join(WORK, 'slack-bench-state.db'), emu.url, CATALOG_DIR);
  console.log(`Bot on ${entities.toLocaleString()} entities in its own process.`);

  // Warm-up: JIT, Bolt's first auth.test, SQLite's page cache.
  await bursts(bot.url, names.slice(-500), emu, 4);
  emu.reset();
  const burst = await bursts(bot.url, names, emu, 40);
  emu.reset();

  const sent = new Map<string, number>();
  const sustained = await load(bot.url, names, sent, (id) => emu.responseUrl(id));
  await new Promise((r) => setTimeout(r, 3000)); // answers still in flight
  const answerMs = emu.responses.filter((r) => sent.has(r.id)).map((r) => r.at - (sent.get(r.id) as number));
  emu.reset();

  // During a refresh: the same waves, for as long as the bot re-ingests the whole catalog, every entity changed.
  const revisedFiles = reviseCatalog(CATALOG_DIR, `r${Date.now()}`);
  console.log(`Revised ${revisedFiles} files; refreshing the bot's catalog under bursts ...`);
  const rssBefore = rss(bot.pid, 'VmRSS');
  const peakReset = resetPeakRss(bot.pid);
  const run = bot.refresh();
  await run.started;
  let refreshed: RefreshReport | undefined;
  const refreshEnded = run.done.then((r) => (refreshed = r));
  const refreshStarted = performance.now();
  const during = await bursts(bot.url, names, emu, 10_000, () => refreshed === undefined);
  await refreshEnded;
  const refreshWallMs = performance.now() - refreshStarted;
  const refresh = refreshed as RefreshReport;
  console.log(`Refresh: ${refresh.entities.updated} entities updated in ${(refresh.durationMs / 1000).toFixed(1)} s; ${during.waves} waves ran during it.`);
  const botPeakRss = rss(bot.pid, 'VmHWM');
  await bot.stop();

  const floor = await floorServer();
  const floorBurst = await (async () => {
    const acks: number[] = [];
    for (let w = 0; w < 40; w++) {
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async (_, i) => {
          const { body, headers } = signedCommand(names[i] as string, 'http://127.0.0.1:9/unused');
          const t = performance.now();
          await (await fetch(floor.url, { method: 'POST', body, headers })).arrayBuffer();
          acks.push(performance.now() - t);
        }),
      );
    }
    return summary(acks);
  })();
  const floorLoad = await load(floor.url, names, new Map(), () => 'http://127.0.0.1:9/unused');
  floor.server.close();

  const results = {
    when: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version },
    catalogEntities: entities,
    bursts: { waves: 40, concurrent: CONNECTIONS, bot: burst, floorAck: floorBurst },
    sustained: { connections: CONNECTIONS, seconds: SECONDS, bot: { ...sustained, answer: summary(answerMs) }, floor: floorLoad },
    duringRefresh: {
      refresh: { ...refresh, wallMs: Math.round(refreshWallMs) },
      concurrent: CONNECTIONS,
      bot: during,
      botRssBytes: { before: rssBefore, peak: botPeakRss, peakSinceStart: !peakReset },
    },
    budget: {
      ackP99Ms: 200,
      measured: burst.ack.p99,
      pass: burst.ack.p99 <= 200 && burst.non200 === 0,
      duringRefresh: { measured: during.ack.p99, pass: during.ack.p99 <= 200 && during.non200 === 0 },
    },
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `${NAME}.json`), JSON.stringify(results, null, 2) + '\n');
  const b = burst;
  const sus = results.sustained.bot;
  const md = [
    `# Slack benchmark: signed /whoowns on ${entities.toLocaleString()} entities`,
    '',
    `${results.machine.cpu}, ${results.machine.cores} cores, Node ${process.version}. ${results.when}.`,
    'The bot runs in its own process; the load generator and the Slack Web API emulator share the other core.',
    '',
    `## Bursts: 40 waves of ${CONNECTIONS} commands sent at once (the budget)`,
    '',
    '| | n | p50 | p90 | p99 | max |',
    '| --- | --- | --- | --- | --- | --- |',
    `| Switchboard ack (HTTP 200) | ${b.ack.n} | ${b.ack.p50} ms | ${b.ack.p90} ms | ${b.ack.p99} ms | ${b.ack.max} ms |`,
    `| Switchboard answer at response_url | ${b.answer.n} | ${b.answer.p50} ms | ${b.answer.p90} ms | ${b.answer.p99} ms | ${b.answer.max} ms |`,
    `| Floor: HMAC check + 200 | ${floorBurst.n} | ${floorBurst.p50} ms | ${floorBurst.p90} ms | ${floorBurst.p99} ms | ${floorBurst.max} ms |`,
    '',
    `Budget: ack p99 ≤ 200 ms under 50 concurrent commands — ${results.budget.pass ? 'PASS' : 'FAIL'} (${b.ack.p99} ms; non-200: ${b.non200}).`,
    '',
    `## Sustained: ${CONNECTIONS} connections back to back for ${SECONDS} s (the ceiling)`,
    '',
    '| | requests | req/s | non-2xx | p50 | p90 | p99 | max |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    `| Switchboard ack | ${sus.requests} | ${sus.rps} | ${sus.non2xx} | ${sus.latency.p50} ms | ${sus.latency.p90} ms | ${sus.latency.p99} ms | ${sus.latency.max} ms |`,
    `| Switchboard answer | ${sus.answer.n} | | | ${sus.answer.p50} ms | ${sus.answer.p90} ms | ${sus.answer.p99} ms | ${sus.answer.max} ms |`,
    `| Floor | ${floorLoad.requests} | ${floorLoad.rps} | ${floorLoad.non2xx} | ${floorLoad.latency.p50} ms | ${floorLoad.latency.p90} ms | ${floorLoad.latency.p99} ms | ${floorLoad.latency.max} ms |`,
    '',
    `## During a ${entities.toLocaleString()}-entity refresh: the same bursts while the bot re-ingests every entity, changed`,
    '',
    `The bot re-read ${refresh.sources.read} files (${refresh.sources.unchanged} unchanged) and rewrote ${refresh.entities.updated.toLocaleString()} entities in ` +
      `${(refresh.durationMs / 1000).toFixed(1)} s, in its ingest worker thread; ${during.waves} waves of ${CONNECTIONS} ran meanwhile. ` +
      `The bot's event-loop delay meanwhile: p50 ${refresh.eventLoopDelayMs.p50} ms, p99 ${refresh.eventLoopDelayMs.p99} ms, max ${refresh.eventLoopDelayMs.max} ms. ` +
      `Bot RSS: ${mb(rssBefore)} before the refresh, ${mb(botPeakRss)} at its peak${peakReset ? ' during it' : ' (since the bot started)'}.`,
    '',
    '| | n | p50 | p90 | p99 | max |',
    '| --- | --- | --- | --- | --- | --- |',
    `| Switchboard ack, idle | ${b.ack.n} | ${b.ack.p50} ms | ${b.ack.p90} ms | ${b.ack.p99} ms | ${b.ack.max} ms |`,
    `| Switchboard ack, during the refresh | ${during.ack.n} | ${during.ack.p50} ms | ${during.ack.p90} ms | ${during.ack.p99} ms | ${during.ack.max} ms |`,
    `| Switchboard answer, idle | ${b.answer.n} | ${b.answer.p50} ms | ${b.answer.p90} ms | ${b.answer.p99} ms | ${b.answer.max} ms |`,
    `| Switchboard answer, during the refresh | ${during.answer.n} | ${during.answer.p50} ms | ${during.answer.p90} ms | ${during.answer.p99} ms | ${during.answer.max} ms |`,
    `| Floor: HMAC check + 200 | ${floorBurst.n} | ${floorBurst.p50} ms | ${floorBurst.p90} ms | ${floorBurst.p99} ms | ${floorBurst.max} ms |`,
    '',
    `Budget: ack p99 ≤ 200 ms while a 100k refresh runs — ${results.budget.duringRefresh.pass ? 'PASS' : 'FAIL'} (${during.ack.p99} ms; non-200: ${during.non200}).`,
    '',
  ].join('\n');
  writeFileSync(join(RESULTS, `${NAME}.md`), md);
  console.log(md);
  await emu.close();
}

await main();
