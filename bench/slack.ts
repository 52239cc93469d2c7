/**
 * `npm run bench:slack`: the Slack adapter on a 100k-entity catalog, in a process of its own, under
 * signed /whoowns requests: (1) bursts of 50 concurrent commands, the DESIGN.md budget (ack p99 ≤ 200 ms,
 * never near 3 s); (2) 50 connections sending back to back for BENCH_SECONDS, to find the throughput
 * ceiling. Measures the ack (HTTP 200 from POST /slack/events) and the time until the answer reaches the
 * response_url, next to the floor: a bare node:http server that only checks the signature and acks.
 * Writes bench/results/slack.{json,md}.
 *
 * The catalog is bench:catalog's (bench/.work/catalog.db); it is generated and ingested here if missing.
 * BENCH_ENTITIES scales it down; BENCH_SECONDS sets the load duration (default 15).
 */
import { spawn } from 'node:child_process';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { openCatalog } from '../src/catalog/index.js';
import { startSlackEmulator } from '../src/testing/slack-emulator.js';
import { signSlackRequest, slashCommandBody } from '../src/testing/slack-signing.js';
import { generateCatalog } from './generate-catalog.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 100_000);
const FULL = ENTITIES === 100_000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = 50;
const SECRET = 'bench-signing-secret';
const WORK = join(HERE, '.work');
const DB_FILE = join(WORK, FULL ? 'catalog.db' : `catalog-${ENTITIES}.db`);
const RESULTS = join(HERE, 'results');
const NAME = FULL ? 'slack' : `slack-${ENTITIES}`;

async function catalogFile(): Promise<string> {
  if (existsSync(DB_FILE)) return DB_FILE;
  const dir = join(WORK, `catalog-slack-${ENTITIES}`);
  console.log(`No ${DB_FILE}: generating ${ENTITIES} entities and ingesting them (run bench:catalog to reuse its catalog).`);
  generateCatalog(dir, { entities: ENTITIES, seed: 42 });
  const catalog = openCatalog(DB_FILE);
  await catalog.ingest([dir]);
  catalog.close();
  return DB_FILE;
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
async function startBot(file: string, stateFile: string, apiUrl: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'slack-bot.ts'), file, stateFile, apiUrl, SECRET], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bot exited with ${code}`)));
    child.stdout.on('data', (d: Buffer) => {
      const m = /port=(\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise<void>((r) => (child.once('exit', () => r()), child.kill('SIGTERM'))) };
}

function signedCommand(name: string, responseUrl: string) {
  const body = slashCommandBody({ command: '/whoowns', text: name, response_url: responseUrl });
  return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(SECRET, body) } };
}

const summary = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { n: sorted.length, p50: r(percentile(sorted, 50)), p90: r(percentile(sorted, 90)), p99: r(percentile(sorted, 99)), max: r(sorted.at(-1) ?? NaN) };
};

/** Waves of 50 commands sent at once; the next wave starts when every answer of this one has arrived. */
async function bursts(url: string, names: string[], emu: Awaited<ReturnType<typeof startSlackEmulator>>, waves: number) {
  const acks: number[] = [];
  const answers: number[] = [];
  let failed = 0;
  for (let w = 0; w < waves; w++) {
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
  return { ack: summary(acks), answer: summary(answers), non200: failed };
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
  const bot = await startBot(file, join(WORK, 'slack-bench-state.db'), emu.url);
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
    budget: { ackP99Ms: 200, measured: burst.ack.p99, pass: burst.ack.p99 <= 200 && burst.non200 === 0 },
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
  ].join('\n');
  writeFileSync(join(RESULTS, `${NAME}.md`), md);
  console.log(md);
  await emu.close();
}

await main();
