/**
 * `npm run bench:slack`: the Slack adapter on a 100k-entity catalog under 50 concurrent signed /whoowns
 * requests (autocannon). Measures the ack (HTTP 200 from POST /slack/events) and the time until the
 * answer reaches the response_url, next to the floor: a bare node:http server that only checks the
 * signature and answers 200. Budget (DESIGN.md): ack p99 ≤ 200 ms, never near 3 s.
 * Writes bench/results/slack.{json,md}.
 *
 * The catalog is bench:catalog's (bench/.work/catalog.db); it is generated and ingested here if missing.
 * BENCH_ENTITIES scales it down; BENCH_SECONDS sets the load duration (default 15).
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import pino from 'pino';
import { openCatalog } from '../src/catalog/index.js';
import { createSlackAdapter } from '../src/chat/slack/adapter.js';
import { createConversation } from '../src/conversation/index.js';
import { Metrics } from '../src/http/metrics.js';
import { startHttpServer } from '../src/http/server.js';
import { openState } from '../src/state/index.js';
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

async function main(): Promise<void> {
  const file = await catalogFile();
  const names = (new Database(file, { readonly: true }).prepare(`SELECT name FROM entities WHERE kind = 'Component' ORDER BY random() LIMIT 5000`).all() as { name: string }[]).map(
    (r) => r.name,
  );
  const catalog = openCatalog(file);
  const entities = catalog.stats().entities;
  const emu = await startSlackEmulator();
  const stateFile = join(WORK, 'slack-bench-state.db');
  const state = openState(stateFile);
  const logger = pino({ level: 'warn' });
  const adapter = createSlackAdapter({ botToken: 'xoxb-bench', signingSecret: SECRET, apiUrl: emu.url, conversation: createConversation({ catalog }), state, logger });
  const http = await startHttpServer({ port: 0, host: '127.0.0.1', metrics: new Metrics(), logger, health: () => ({ status: 'ok' }), routes: adapter.routes });
  const botUrl = `http://127.0.0.1:${http.port}`;

  console.log(`Bot on ${entities.toLocaleString()} entities; ${CONNECTIONS} connections for ${SECONDS} s each run.`);
  const sent = new Map<string, number>();
  // Warm-up: first requests pay for JIT and Bolt's auth.test.
  await autocannon({ url: botUrl, connections: 5, amount: 200, requests: [{ method: 'POST', path: '/slack/events', setupRequest: (req) => {
    const body = slashCommandBody({ command: '/whoowns', text: names[0] as string, response_url: emu.responseUrl('warm') });
    return { ...req, body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(SECRET, body) } };
  } }] });
  emu.reset();

  const bot = await load(botUrl, names, sent, (id) => emu.responseUrl(id));
  await new Promise((r) => setTimeout(r, 2000)); // answers still in flight
  const answerMs = emu.responses.filter((r) => sent.has(r.id)).map((r) => r.at - (sent.get(r.id) as number)).sort((a, b) => a - b);
  const answered = answerMs.length;

  await http.close();
  const floor = await floorServer();
  const floorLoad = await load(floor.url, names, new Map(), () => 'http://127.0.0.1:9/unused');
  floor.server.close();

  const results = {
    when: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version },
    catalogEntities: entities,
    connections: CONNECTIONS,
    seconds: SECONDS,
    bot: { ...bot, answered, answer: { p50: percentile(answerMs, 50), p90: percentile(answerMs, 90), p99: percentile(answerMs, 99), max: answerMs.at(-1) ?? null } },
    floor: floorLoad,
    budget: { ackP99Ms: 200, pass: bot.latency.p99 <= 200 && bot.non2xx === 0 },
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `${NAME}.json`), JSON.stringify(results, null, 2) + '\n');
  const md = [
    `# Slack benchmark: ${entities.toLocaleString()} entities, ${CONNECTIONS} concurrent signed /whoowns, ${SECONDS} s`,
    '',
    `${results.machine.cpu}, ${results.machine.cores} cores, Node ${process.version}. ${results.when}. Bot, emulator and load generator share the machine.`,
    '',
    '| | requests | req/s | non-2xx | p50 | p90 | p99 | max |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    `| Switchboard ack (HTTP 200) | ${bot.requests} | ${bot.rps} | ${bot.non2xx} | ${bot.latency.p50} ms | ${bot.latency.p90} ms | ${bot.latency.p99} ms | ${bot.latency.max} ms |`,
    `| Switchboard answer at response_url | ${answered} | | | ${results.bot.answer.p50} ms | ${results.bot.answer.p90} ms | ${results.bot.answer.p99} ms | ${results.bot.answer.max} ms |`,
    `| Floor: HMAC check + 200 | ${floorLoad.requests} | ${floorLoad.rps} | ${floorLoad.non2xx} | ${floorLoad.latency.p50} ms | ${floorLoad.latency.p90} ms | ${floorLoad.latency.p99} ms | ${floorLoad.latency.max} ms |`,
    '',
    `Budget: ack p99 ≤ 200 ms — ${results.budget.pass ? 'PASS' : 'FAIL'}.`,
    '',
  ].join('\n');
  writeFileSync(join(RESULTS, `${NAME}.md`), md);
  console.log(md);

  state.close();
  catalog.close();
  await emu.close();
}

await main();
