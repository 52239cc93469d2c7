/**
 * `npm run bench:teams`: the Teams adapter on a 100k-entity catalog, in a process of its own, under Bot
 * Framework message activities signed as the Connector signs them ("who owns <name>" in 1:1 chats, one
 * conversation per simulated user, so replies are not serialised on one conversation): (1) bursts of 50
 * concurrent activities, the DESIGN.md budget (Teams activity ack p99 ≤ 200 ms); (2) 50 connections sending
 * back to back for BENCH_SECONDS, to find the throughput ceiling. Measures the ack (HTTP 200 from POST
 * /api/messages) and the time until the reply reaches the Connector, next to the floor: a bare node:http
 * server, in a process of its own too, that reads the body, verifies the RS256 JWT against the emulator's
 * published key and answers 200 — what any Bot Framework endpoint must do before anything else.
 * Writes bench/results/teams.{json,md}.
 *
 * The catalog is bench:catalog's (bench/.work/catalog.db); it is generated and ingested here if missing.
 * BENCH_ENTITIES scales it down; BENCH_SECONDS sets the load duration (default 15).
 *
 * `teams.ts floor` runs the floor server (the parent starts it; it is not meant to be run by hand).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createPublicKey, randomUUID, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { openCatalog } from '../src/catalog/index.js';
import { messageActivity, type TeamsPlace, type TeamsUser } from '../src/testing/teams-activities.js';
import { startTeamsEmulator, type TeamsCall, type TeamsEmulator } from '../src/testing/teams-emulator.js';
import { generateCatalog } from './generate-catalog.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 100_000);
const FULL = ENTITIES === 100_000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONCURRENT = 50;
const USERS = 50;
const WAVES = 40;
const WORK = join(HERE, '.work');
const DB_FILE = join(WORK, FULL ? 'catalog.db' : `catalog-${ENTITIES}.db`);
const RESULTS = join(HERE, 'results');
const NAME = FULL ? 'teams' : `teams-${ENTITIES}`;
/** How long the reply to one burst activity may take before it counts as missing. */
const REPLY_TIMEOUT_MS = 30_000;
/** After the sustained load, replies still in flight are waited for until none has arrived for this long. */
const QUIET_MS = 5_000;

async function catalogFile(): Promise<string> {
  if (existsSync(DB_FILE)) return DB_FILE;
  const dir = join(WORK, `catalog-teams-${ENTITIES}`);
  console.log(`No ${DB_FILE}: generating ${ENTITIES} entities and ingesting them (run bench:catalog to reuse its catalog).`);
  generateCatalog(dir, { entities: ENTITIES, seed: 42 });
  // Ingested under another name and renamed when complete, so an interrupted run never leaves a half catalog to reuse.
  const partial = `${DB_FILE}.partial`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(partial + suffix, { force: true });
  const catalog = openCatalog(partial);
  await catalog.ingest([dir]);
  catalog.close();
  renameSync(partial, DB_FILE);
  return DB_FILE;
}

interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles in ms, to a tenth. */
function summary(xs: number[]): Summary {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  const r = (x: number) => Math.round(x * 10) / 10;
  return { n: sorted.length, p50: r(at(50)), p90: r(at(90)), p99: r(at(99)), max: r(sorted.at(-1) ?? Number.NaN) };
}

/** A simulated Teams user and their 1:1 chat with the bot. */
interface Asker {
  user: TeamsUser;
  place: TeamsPlace;
  /** The activity messageActivity builds for this user, reused with a fresh id, timestamp and text. */
  template: Record<string, unknown>;
}

function askers(emu: TeamsEmulator): Asker[] {
  return Array.from({ length: USERS }, (_, i) => {
    const aadObjectId = randomUUID();
    const name = `Bench User ${i}`;
    const id = emu.addUser({ aadObjectId, name, email: `bench.user.${i}@bench.example` });
    const place: TeamsPlace = { id: emu.addConversation({ id: emu.personalConversationId(id), type: 'personal', members: [id] }), type: 'personal' };
    const user = { id, aadObjectId, name };
    return { user, place, template: messageActivity(emu, user, place, '') };
  });
}

let activitySeq = 0;
/** "who owns <name>" from this asker, as Teams would deliver it (ids only need to be unique). */
const activityBody = (asker: Asker, name: string) =>
  JSON.stringify({ ...asker.template, id: `bench-${++activitySeq}`, timestamp: new Date().toISOString(), text: `who owns ${name}` });

/**
 * Whether a reply is the answer about `name`: the card carries the entity's ref in its buttons' data. A
 * "did you mean" or an error card names other refs or none.
 */
const answers = (call: TeamsCall, name: string) => JSON.stringify(call.body ?? {}).includes(`component:default/${name}`);

interface LoadResult {
  /** autocannon's figures for the whole run. */
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  rps: number;
  latency: { p50: number; p90: number; p99: number; max: number };
  /**
   * ms from the start until every connection had had its first answer; null when some never had one. autocannon
   * opens its connections at once, and a server busy with the first ones takes the rest on slowly.
   */
  rampMs: number | null;
  /** Responses after the ramp, every connection busy: the ceiling without the start-up queue. */
  steady: { requests: number; rps: number; latency: Summary } | null;
  /** Date.now() when the ramp ended, to split the replies the same way. */
  steadyAt: number | null;
  /** Date.now() when the load stopped. */
  endedAt: number;
}

/** A pending sustained-load activity, matched to its reply afterwards. */
interface Sent {
  name: string;
  at: number;
  repliedAt?: number;
}

/**
 * CONCURRENT connections for SECONDS, each request a fresh activity (its own id, a random catalog name) from
 * the next asker, under the run's one signed token. `sent` records each by conversation, in order.
 */
async function load(url: string, names: string[], people: Asker[], authorization: string, sent?: Map<string, Sent[]>): Promise<LoadResult> {
  let i = 0;
  const startedAt = Date.now();
  const firstAnswer = new Set<unknown>();
  let steadyAt: number | null = null;
  const steady: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: CONCURRENT,
        duration: SECONDS,
        requests: [
          {
            method: 'POST',
            path: '/api/messages',
            setupRequest: (req) => {
              const asker = people[i % people.length] as Asker;
              const name = names[i++ % names.length] as string;
              const body = activityBody(asker, name);
              if (sent) {
                const list = sent.get(asker.place.id) ?? [];
                list.push({ name, at: Date.now() });
                sent.set(asker.place.id, list);
              }
              return { ...req, body, headers: { 'content-type': 'application/json; charset=utf-8', authorization } };
            },
          },
        ],
      },
      (err, res) => (err ? reject(err as Error) : resolve(res)),
    );
    instance.on('response', (client, _status, _bytes, ms) => {
      if (steadyAt !== null) steady.push(ms);
      else if (firstAnswer.add(client).size === CONCURRENT) steadyAt = Date.now();
    });
  });
  const endedAt = Date.now();
  const ended = steadyAt as number | null; // assigned in the listener above
  return {
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    rps: Math.round(result.requests.average),
    latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    rampMs: ended === null ? null : ended - startedAt,
    steady:
      ended === null ? null : { requests: steady.length, rps: Math.round(steady.length / Math.max(0.001, (endedAt - ended) / 1000)), latency: summary(steady) },
    steadyAt: ended,
    endedAt,
  };
}

/** Starts `args` (this file in floor mode, or the bot) in a child process; resolves with its URL once it listens. */
async function startChild(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
    child.stdout.on('data', (d: Buffer) => {
      const m = /port=(\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise<void>((r) => (child.once('exit', () => r()), child.kill('SIGTERM'))) };
}

const teamsEnv = (emu: TeamsEmulator) => ({
  TEAMS_APP_ID: emu.appId,
  TEAMS_APP_PASSWORD: emu.appPassword,
  TEAMS_TENANT_ID: emu.tenantId,
  TEAMS_OPENID_METADATA_URL: emu.openIdMetadataUrl,
  TEAMS_TOKEN_ISSUER: emu.issuer,
  TEAMS_LOGIN_ENDPOINT: emu.loginEndpoint,
});

interface BurstResult {
  ack: Summary;
  reply: Summary;
  non200: number;
  /** Replies that are not the answer about the name asked (a wrong entity, "did you mean", an error card). */
  wrongReplies: number;
  /** Replies the Connector refused (status ≥ 300). */
  refusedReplies: number;
  missingReplies: number;
  /**
   * The reply's arrival at the Connector minus the ack's at the sender, in ms (one clock, this process's). Less
   * than the bot's CPU per activity means the answer's work did not run between the two: it ran before the ack.
   */
  replyAfterAck: Summary;
}

/**
 * Waves of CONCURRENT activities sent at once, one from each asker; the next wave starts when every reply of
 * this one has reached the Connector. `replies: false` measures the ack alone (the floor answers nothing).
 */
async function bursts(url: string, names: string[], people: Asker[], authorization: string, emu: TeamsEmulator, waves: number, replies = true) {
  const acks: number[] = [];
  const replyMs: number[] = [];
  const gaps: number[] = [];
  const out = { non200: 0, wrongReplies: 0, refusedReplies: 0, missingReplies: 0 };
  for (let w = 0; w < waves; w++) {
    emu.reset(); // every earlier reply has arrived: what the Connector records from here on is this wave's
    await Promise.all(
      people.slice(0, CONCURRENT).map(async (asker, i) => {
        const name = names[(w * CONCURRENT + i) % names.length] as string;
        const body = activityBody(asker, name);
        const sentAt = Date.now();
        const t = performance.now();
        const res = await fetch(`${url}/api/messages`, { method: 'POST', body, headers: { 'content-type': 'application/json; charset=utf-8', authorization } });
        acks.push(performance.now() - t);
        const ackAt = Date.now();
        await res.arrayBuffer();
        if (res.status !== 200) out.non200++;
        if (!replies) return;
        try {
          const call = await emu.waitFor((c) => c.op === 'send' && c.conversationId === asker.place.id, REPLY_TIMEOUT_MS);
          replyMs.push(call.at - sentAt);
          gaps.push(call.at - ackAt);
          if (call.status >= 300) out.refusedReplies++;
          else if (!answers(call, name)) out.wrongReplies++;
        } catch {
          out.missingReplies++;
        }
      }),
    );
  }
  return { ack: summary(acks), reply: summary(replyMs), replyAfterAck: summary(gaps), ...out } satisfies BurstResult;
}

/**
 * After the sustained load: waits until the Connector has a reply for every activity sent, or until none has
 * arrived for QUIET_MS (requests autocannon cut off at the end may never have reached the bot). Then matches
 * each reply, in arrival order, to the oldest unanswered activity of its conversation that asked about the
 * entity it names.
 */
async function sustainedReplies(emu: TeamsEmulator, sent: Map<string, Sent[]>, load: Pick<LoadResult, 'steadyAt' | 'endedAt'>) {
  const expected = [...sent.values()].reduce((n, list) => n + list.length, 0);
  let scanned = 0;
  let sends = 0;
  const countSends = () => {
    for (; scanned < emu.calls.length; scanned++) if (emu.calls[scanned]?.op === 'send') sends++;
    return sends;
  };
  for (let before = -1; countSends() < expected && sends > before;) {
    before = sends;
    await emu.waitFor(() => countSends() >= expected, QUIET_MS).catch(() => undefined);
  }
  let unmatched = 0;
  let refused = 0;
  let lastReplyAt = load.endedAt;
  for (const call of emu.calls) {
    if (call.op !== 'send') continue;
    if (call.status >= 300) refused++;
    lastReplyAt = Math.max(lastReplyAt, call.at);
    const entry = sent.get(call.conversationId ?? '')?.find((s) => s.repliedAt === undefined && answers(call, s.name));
    if (entry) entry.repliedAt = call.at;
    else unmatched++;
  }
  const all = [...sent.values()].flat();
  const start = Math.min(...all.map((s) => s.at));
  const answered = all.flatMap((s) =>
    s.repliedAt === undefined ? [] : [{ sentAtMs: s.at - start, replyMs: s.repliedAt - s.at, steady: s.at >= (load.steadyAt ?? Infinity) }],
  );
  return {
    sent: expected,
    replies: sends,
    reply: summary(answered.map((a) => a.replyMs)),
    /** Activities sent after the ramp (see LoadResult.rampMs). */
    replySteady: summary(answered.filter((a) => a.steady).map((a) => a.replyMs)),
    /** The five slowest replies and when in the phase their activity was sent: a stall shows as a cluster. */
    slowest: answered
      .sort((a, b) => b.replyMs - a.replyMs)
      .slice(0, 5)
      .map(({ sentAtMs, replyMs }) => ({ sentAtMs, replyMs })),
    /**
     * How long after the load stopped the last reply reached the Connector: the backlog of activities acked but
     * not yet answered (the adapter acks first and answers later, with nothing holding the acks back).
     */
    drainMs: lastReplyAt - load.endedAt,
    /** Activities sent (and mostly acked) before the load stopped whose reply came after. */
    backlogAtEnd: all.filter((s) => s.repliedAt !== undefined && s.repliedAt > load.endedAt).length,
    unansweredActivities: all.filter((s) => s.repliedAt === undefined).length,
    unmatchedReplies: unmatched,
    refusedReplies: refused,
  };
}

/** The commit measured, and the files under src/ that differed from it: the adapter changes between runs. */
function revision(): { commit: string; changedInSrc: string[] } | null {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: join(HERE, '..'), encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return null;
  const changed = git('status', '--porcelain', '--', 'src').stdout.split('\n').filter(Boolean);
  return { commit: head.stdout.trim(), changedInSrc: changed.map((line) => line.slice(3)) };
}

/** Starts a stopwatch of this process's CPU; the function it returns gives the % of one core used since. */
function busy(): () => number {
  const cpu = process.cpuUsage();
  const t = performance.now();
  return () => {
    const { user, system } = process.cpuUsage(cpu);
    return Math.round((user + system) / 10 / (performance.now() - t));
  };
}

/** Connector calls by operation and status, e.g. `send 201`: shows the bot makes no calls it need not. */
const tally = (calls: TeamsCall[]) =>
  calls.reduce<Record<string, number>>((acc, c) => ((acc[`${c.op ?? c.path} ${c.status}`] = (acc[`${c.op ?? c.path} ${c.status}`] ?? 0) + 1), acc), {});

/** What the conversation core answered (`switchboard_chat_requests_total` by intent) and the bot's CPU seconds, from its /metrics. */
async function botMetrics(botUrl: string): Promise<{ answered: Record<string, number>; cpuSeconds: number }> {
  const text = await (await fetch(`${botUrl}/metrics`)).text();
  const answered: Record<string, number> = {};
  for (const m of text.matchAll(/^switchboard_chat_requests_total\{[^}]*what="([^"]+)"[^}]*\} (\d+)$/gm)) answered[m[1] as string] = Number(m[2]);
  return { answered, cpuSeconds: Number(/^bench_bot_cpu_seconds (\S+)$/m.exec(text)?.[1] ?? Number.NaN) };
}

/** Bot CPU ms per activity between two /metrics readings. */
const cpuPerActivity = (before: { cpuSeconds: number }, after: { cpuSeconds: number }, activities: number) =>
  Math.round(((after.cpuSeconds - before.cpuSeconds) * 1e5) / Math.max(1, activities)) / 100;

async function main(): Promise<void> {
  // Other work on the machine skews every figure here; the load averages (1, 5, 15 min) say whether there was any.
  const loadAtStart = os.loadavg();
  const file = await catalogFile();
  const db = new Database(file, { readonly: true });
  const names = (db.prepare(`SELECT name FROM entities WHERE kind = 'Component' ORDER BY random() LIMIT 5000`).all() as { name: string }[]).map((r) => r.name);
  const entities = (db.prepare('SELECT count(*) AS n FROM entities').get() as { n: number }).n;
  db.close();
  // Rate limits off: Teams' per-thread limits (7 sends/s) would measure the emulator's throttle, not the bot.
  const emu = await startTeamsEmulator({ rate: false });
  const people = askers(emu);
  // One token for the run. Our verifier binds a token to the issuer, the audience (the app id), its validity
  // (an hour, as the Connector's) and the serviceurl claim, which every activity here shares; nothing binds it
  // to one activity (no jti, no body hash). Signing one per request would spend ~0.5 ms of RSA signing per
  // request on the load generator's core, a cost the Connector pays, not the bot.
  const authorization = emu.authorization({ serviceUrl: emu.serviceUrl });
  const env = teamsEnv(emu);
  const bot = await startChild([join(HERE, 'teams-bot.ts'), file], env);
  console.log(`Bot on ${entities.toLocaleString()} entities in its own process; ${USERS} users, each in a 1:1 chat with it.`);

  // Warm-up: JIT, the bot's first Connector token, the key sets (ours and the SDK's), SQLite's page cache.
  await bursts(bot.url, names.slice(-500), people, authorization, emu, 4);
  const beforeBursts = await botMetrics(bot.url);
  emu.reset();
  const burst = await bursts(bot.url, names, people, authorization, emu, WAVES);
  emu.reset();
  const afterBursts = await botMetrics(bot.url);

  const sent = new Map<string, Sent[]>();
  const generator = busy();
  const sustained = await load(bot.url, names, people, authorization, sent);
  const generatorBusy = generator();
  const replies = await sustainedReplies(emu, sent, sustained);
  const connectorCalls = tally(emu.calls);
  const afterLoad = await botMetrics(bot.url);
  const auth = { tokenRequests: emu.tokenRequests, metadataRequests: emu.metadataRequests, keysRequests: emu.keysRequests };
  await bot.stop();

  const floor = await startChild([fileURLToPath(import.meta.url), 'floor'], env);
  await bursts(floor.url, names.slice(-500), people, authorization, emu, 4, false); // warm-up, as for the bot
  const floorBurst = await bursts(floor.url, names, people, authorization, emu, WAVES, false);
  const floorGenerator = busy();
  const floorLoad = await load(floor.url, names, people, authorization);
  const floorGeneratorBusy = floorGenerator();
  await floor.stop();
  await emu.close();

  const delta = Object.fromEntries(Object.entries(afterLoad.answered).map(([k, v]) => [k, v - (beforeBursts.answered[k] ?? 0)]));
  const botCpuMsPerActivity = {
    bursts: cpuPerActivity(beforeBursts, afterBursts, WAVES * CONCURRENT),
    sustained: cpuPerActivity(afterBursts, afterLoad, replies.sent),
  };
  const burstOk = burst.non200 === 0 && burst.missingReplies === 0 && burst.refusedReplies === 0 && burst.wrongReplies === 0;
  const results = {
    when: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version, loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg() },
    revision: revision(),
    catalogEntities: entities,
    users: USERS,
    bursts: { waves: WAVES, concurrent: CONCURRENT, bot: burst, floorAck: floorBurst.ack, floorNon200: floorBurst.non200 },
    sustained: { connections: CONCURRENT, seconds: SECONDS, bot: { ...sustained, ...replies }, floor: floorLoad },
    /** Messages the conversation core answered during the measured phases, by intent (from the bot's /metrics). */
    answeredByCore: delta,
    /** The bot process's CPU time per activity (user + system), all of it on one core: acks, answers and replies. */
    botCpuMsPerActivity,
    /**
     * CPU of this process (load generator and emulator) over the sustained phases, % of one core: near 100, the
     * generator, not the server, sets the pace.
     */
    loadGeneratorCpuPercent: { bot: generatorBusy, floor: floorGeneratorBusy },
    /** Connector calls during the sustained phase, by operation and status. */
    connectorCalls,
    /** Requests the bot made to the emulated Entra token endpoint and OpenID metadata / key set, whole run. */
    auth,
    budget: { ackP99Ms: 200, measured: burst.ack.p99, pass: burst.ack.p99 <= 200 && burstOk },
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `${NAME}.json`), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(RESULTS, `${NAME}.md`), markdown(results));
  console.log(markdown(results));
}

function markdown(results: {
  when: string;
  machine: { cpu?: string; cores: number; node: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  revision: { commit: string; changedInSrc: string[] } | null;
  catalogEntities: number;
  bursts: { bot: BurstResult; floorAck: Summary; floorNon200: number };
  sustained: {
    bot: LoadResult & Awaited<ReturnType<typeof sustainedReplies>>;
    floor: LoadResult;
  };
  auth: { tokenRequests: number; metadataRequests: number; keysRequests: number };
  botCpuMsPerActivity: { bursts: number; sustained: number };
  loadGeneratorCpuPercent: { bot: number; floor: number };
  budget: { pass: boolean; measured: number };
}): string {
  const b = results.bursts.bot;
  const cpu = results.botCpuMsPerActivity;
  const f = results.bursts.floorAck;
  const sus = results.sustained.bot;
  const fl = results.sustained.floor;
  const row = (label: string, s: Summary) => `| ${label} | ${s.n} | ${s.p50} ms | ${s.p90} ms | ${s.p99} ms | ${s.max} ms |`;
  const steadyRow = (label: string, l: LoadResult) =>
    l.steady
      ? `| ${label} | ${l.steady.requests} | ${l.steady.rps} | | | ${l.steady.latency.p50} ms | ${l.steady.latency.p90} ms | ${l.steady.latency.p99} ms | ${l.steady.latency.max} ms |`
      : `| ${label} | (some connection never answered) | | | | | | | |`;
  const replyRow = (label: string, r: Summary) => `| ${label} | ${r.n} | | | | ${r.p50} ms | ${r.p90} ms | ${r.p99} ms | ${r.max} ms |`;
  const loadRow = (label: string, l: LoadResult) =>
    `| ${label} | ${l.requests} | ${l.rps} | ${l.non2xx} | ${l.errors} | ${l.latency.p50} ms | ${l.latency.p90} ms | ${l.latency.p99} ms | ${l.latency.max} ms |`;
  const problems = [
    b.non200 && `${b.non200} acks were not HTTP 200`,
    b.missingReplies && `${b.missingReplies} replies never reached the Connector`,
    b.refusedReplies && `${b.refusedReplies} replies were refused by the Connector`,
    b.wrongReplies && `${b.wrongReplies} replies did not answer the name asked`,
  ].filter(Boolean);
  return [
    `# Teams benchmark: signed "who owns <name>" activities on ${results.catalogEntities.toLocaleString()} entities`,
    '',
    `${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.machine.node}, load average ` +
      `${results.machine.loadAverageAtStart.map((x) => x.toFixed(2)).join(' ')} at the start, ${results.machine.loadAverageAtEnd.map((x) => x.toFixed(2)).join(' ')} at the end. ${results.when}, ` +
      `${results.revision ? `commit ${results.revision.commit}${results.revision.changedInSrc.length ? ` with uncommitted changes to ${results.revision.changedInSrc.join(', ')}` : ''}` : 'revision unknown'}.`,
    `The bot (our JWT check, then the Teams SDK's, then the conversation core) runs in its own process; so does the floor.`,
    `The load generator and the Teams emulator (Connector, token endpoint, key set) share the other core. ${USERS} users,`,
    'each in a 1:1 chat with the bot; the reply to a 1:1 message is a Connector `send` to that chat.',
    '',
    `## Bursts: ${WAVES} waves of ${CONCURRENT} activities sent at once (the budget)`,
    '',
    '| | n | p50 | p90 | p99 | max |',
    '| --- | --- | --- | --- | --- | --- |',
    row('Switchboard ack (HTTP 200 of POST /api/messages)', b.ack),
    row('Switchboard reply at the Connector', b.reply),
    row('Floor: body + RS256 JWT check + 200', f),
    ...(results.bursts.floorNon200 || fl.non2xx
      ? ['', `The floor refused ${results.bursts.floorNon200 + fl.non2xx} activities: its figures do not count.`]
      : []),
    '',
    `Budget: Teams activity ack p99 ≤ 200 ms under 50 concurrent — ${results.budget.pass ? 'PASS' : 'FAIL'} (${results.budget.measured} ms` +
      `${problems.length ? `; ${problems.join('; ')}` : '; every ack 200, every reply at the Connector and about the name asked'}).`,
    '',
    `The bot spent ${cpu.bursts} ms of CPU per activity in the bursts (${cpu.sustained} ms under the sustained load), all on one core: ` +
      `the last of ${CONCURRENT} activities arriving at once waits for the others' share. Each reply reached the Connector ` +
      `${b.replyAfterAck.p50} ms (p50; p99 ${b.replyAfterAck.p99} ms) after its sender had the ack, ` +
      (b.replyAfterAck.p50 < cpu.bursts
        ? "less than one activity's CPU: the answer (catalog query, card, Connector call) ran before the HTTP 200 went out, and the ack waited for it."
        : 'room for the answer to have run after the ack.'),
    '',
    `## Sustained: ${CONCURRENT} connections back to back for ${SECONDS} s (the ceiling)`,
    '',
    '| | requests | req/s | non-2xx | errors | p50 | p90 | p99 | max |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    loadRow('Switchboard ack, whole run', sus),
    steadyRow('Switchboard ack, after the ramp', sus),
    replyRow('Switchboard reply at the Connector, whole run', sus.reply),
    replyRow('Switchboard reply at the Connector, after the ramp', sus.replySteady),
    loadRow('Floor, whole run', fl),
    steadyRow('Floor, after the ramp', fl),
    '',
    `The ramp: autocannon opens its ${CONCURRENT} connections at once; the last of them had its first answer ` +
      `${sus.rampMs === null ? 'never' : `${sus.rampMs} ms in`} from the bot, ${fl.rampMs === null ? 'never' : `${fl.rampMs} ms in`} from the floor. ` +
      'The "after the ramp" rows count only responses once every connection was busy. ' +
      `The slowest replies (${sus.slowest.map((x) => `${x.replyMs} ms`).join(', ')}) were for activities sent ` +
      `${[...new Set(sus.slowest.map((x) => x.sentAtMs))].join(', ')} ms into the phase` +
      (sus.rampMs !== null && sus.slowest.every((x) => x.sentAtMs < (sus.rampMs as number)) ? ', on connections the bot had not yet taken on.' : '.'),
    sus.drainMs > 1000
      ? `Answers fell behind the acks: the last reply reached the Connector ${(sus.drainMs / 1000).toFixed(1)} s after the load stopped, ` +
        `so ${sus.backlogAtEnd} activities sent by then were still waiting for their answer.`
      : `Answers kept pace with the acks: the last reply reached the Connector ${sus.drainMs} ms after the load stopped.`,
    `Reply times here run from when autocannon built the request to the Connector's receipt, both in the load generator, which ` +
      `used ${results.loadGeneratorCpuPercent.bot}% of its core against the bot and ${results.loadGeneratorCpuPercent.floor}% against the floor.`,
    '',
    `Activities sent: ${sus.sent}; replies at the Connector: ${sus.replies} (refused: ${sus.refusedReplies}); ` +
      `activities left without their answer: ${sus.unansweredActivities}; replies matching no activity: ${sus.unmatchedReplies}.`,
    `The bot asked the token endpoint ${results.auth.tokenRequests}×, the OpenID metadata ${results.auth.metadataRequests}× and the key set ` +
      `${results.auth.keysRequests}× in the whole run (ours and the SDK's validators each cache the keys).`,
    '',
  ].join('\n');
}

/**
 * The floor: read the body, check the Bearer JWT as "Authentication with the Bot Connector API" (Bot
 * Framework REST docs, Connector to bot) asks — RS256 with a key from the metadata's jwks_uri (fetched once,
 * cached), issuer, audience, validity with 5 minutes of skew, the serviceurl claim equal to the activity's,
 * the channel among the key's endorsements — and answer 200, else 401. Nothing more.
 */
async function serveFloor(): Promise<void> {
  const { TEAMS_APP_ID: appId, TEAMS_OPENID_METADATA_URL: metadataUrl, TEAMS_TOKEN_ISSUER: issuer } = process.env;
  const metadata = (await (await fetch(metadataUrl as string)).json()) as { jwks_uri: string };
  const jwks = (await (await fetch(metadata.jwks_uri)).json()) as { keys: { kid: string; n: string; e: string; endorsements?: string[] }[] };
  const keys = new Map<string, { key: KeyObject; endorsements?: string[] }>(
    jwks.keys.map((k) => [k.kid, { key: createPublicKey({ key: { kty: 'RSA', n: k.n, e: k.e }, format: 'jwk' }), endorsements: k.endorsements }]),
  );
  const json = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString()) as Record<string, unknown>;
  const valid = (authorization: string | undefined, raw: string): boolean => {
    try {
      const [head, claims, signature] = (/^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '').split('.') as [string, string, string];
      const header = json(head);
      const signing = keys.get(String(header.kid));
      if (header.alg !== 'RS256' || !signing || !verify('RSA-SHA256', Buffer.from(`${head}.${claims}`), signing.key, Buffer.from(signature, 'base64url'))) {
        return false;
      }
      const c = json(claims);
      const activity = JSON.parse(raw) as { serviceUrl?: unknown; channelId?: unknown };
      const now = Date.now() / 1000;
      return (
        c.iss === issuer &&
        c.aud === appId &&
        typeof c.exp === 'number' &&
        now <= c.exp + 300 &&
        (typeof c.nbf !== 'number' || now + 300 >= c.nbf) &&
        c.serviceurl === activity.serviceUrl &&
        (!signing.endorsements || signing.endorsements.includes(String(activity.channelId)))
      );
    } catch {
      return false;
    }
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => res.writeHead(valid(req.headers.authorization, Buffer.concat(chunks).toString()) ? 200 : 401).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  process.stdout.write(`port=${(server.address() as { port: number }).port}\n`);
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

if (process.argv[2] === 'floor') await serveFloor();
else await main();
