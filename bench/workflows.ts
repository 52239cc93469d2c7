/**
 * `npm run bench:workflows`: self-service latency on a local Temporal dev server, through the whole
 * application (signed Slack requests in, Web API emulator out, the worker in-process as `start` runs
 * it). Rounds of BENCH_CONCURRENCY concurrent `/create-service` commands, BENCH_REQUESTS in all:
 *  - command → approval DM: from sending the signed command to the emulator receiving the DM
 *    (DESIGN.md budget: p99 ≤ 1 s);
 *  - approve click → first progress edit: from sending the signed click to the emulator receiving the
 *    first chat.update of the status message after it (budget: p99 ≤ 500 ms).
 * The floor, measured in the same run: a bare Temporal round trip of the same shape (start a workflow
 * and see its first activity; send a vote Update and get its answer), with no chat and no catalog.
 * Writes bench/results/workflows.{json,md}. BENCH_STATE=postgres runs the same with the shared state on
 * a real PostgreSQL started for the run (SWITCHBOARD_STATE_URL, as replicas run), into
 * workflows-postgres.{json,md}.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHarness, slackId } from '../src/testing/harness.js';
import { startTemporal, temporalCli } from '../src/testing/temporal.js';
import { approvalQuery, approvalRequest, voteUpdate } from '../workflows/index.js';
import { ephemeralVoteSigner } from '../src/actions/vote-signing.js';
import type { EmulatorCall } from '../src/testing/slack-emulator.js';
import { startPostgres, type RunningPostgres } from '../src/testing/postgres.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const RESULTS = join(HERE, 'results');
const STATE = process.env.BENCH_STATE ?? 'sqlite';
if (STATE !== 'sqlite' && STATE !== 'postgres') throw new Error(`BENCH_STATE must be sqlite or postgres, got ${STATE}`);
const RESULT_NAME = STATE === 'postgres' ? 'workflows-postgres' : 'workflows';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const r = (n: number) => Math.round(n * 10) / 10;
  return { n: s.length, p50: r(percentile(s, 50)), p90: r(percentile(s, 90)), p99: r(percentile(s, 99)), max: r(s.at(-1) ?? NaN) };
};

if (!temporalCli()) {
  console.error('No Temporal CLI: run `npm run ensure-temporal` (needs Go) or set TEMPORAL_CLI_PATH.');
  process.exit(1);
}

const temporal = await startTemporal();
let postgres: RunningPostgres | undefined;
const stateEnv: Record<string, string> = {};
if (STATE === 'postgres') {
  postgres = await startPostgres();
  stateEnv.SWITCHBOARD_STATE_URL = postgres.url;
  stateEnv.SWITCHBOARD_AUDIT_KEY = randomBytes(32).toString('hex');
  stateEnv.SWITCHBOARD_VOTE_KEY = randomBytes(32).toString('hex');
}
const h = await startHarness({ temporalAddress: temporal.address, taskQueue: `bench-${randomUUID()}`, env: stateEnv });
const requester = slackId('diego-alvarez');
const approver = slackId('noah-fischer');
const text = (c: EmulatorCall) => JSON.stringify(c.args.blocks ?? '') + String(c.args.text ?? '');

const toDm: number[] = [];
const toEdit: number[] = [];
const toDone: number[] = [];
// Service names are words joined by single hyphens: the run tag and index are such words.
const run = `r${randomUUID().replace(/-/g, '').slice(0, 6)}`;

async function one(i: number | 'warmup'): Promise<void> {
  const name = `bench-${run}-${i}`;
  const id = `create-service/${name}`;
  const sent = Date.now();
  const res = await h.command(requester, '/create-service', `${name} owner=team-payments system=payments`);
  if (res.status !== 200) throw new Error(`command answered ${res.status}`);
  const dm = await h.emu.waitFor('chat.postMessage', (c) => c.args.channel === approver && text(c).includes(id), 30_000);
  toDm.push(dm.at - sent);
  const value = text(dm).match(/"value":"(vote\|approve\|[^"]+)"/)?.[1] as string;
  const clicked = Date.now();
  await h.emu.waitFor('chat.postMessage', (c) => c.args.channel === 'CGENERAL' && text(c).includes(id), 30_000);
  await h.click(approver, value);
  const edit = await h.emu.waitFor('chat.update', (c) => c.args.channel === 'CGENERAL' && text(c).includes(id) && c.at >= clicked, 30_000);
  toEdit.push(edit.at - clicked);
  await h.emu.waitFor('chat.postMessage', (c) => Boolean(c.args.thread_ts) && text(c).includes(id), 60_000);
  toDone.push(Date.now() - clicked);
}

// Warm-up: the first request pays for bundling caches, JIT and the first git process.
await one('warmup');
toDm.length = toEdit.length = toDone.length = 0;
h.emu.reset();

const t0 = Date.now();
for (let i = 0; i < REQUESTS; i += CONCURRENCY) {
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, REQUESTS - i) }, (_, k) => one(i + k)));
  h.emu.reset();
}
const wall = Date.now() - t0;

// The floor: Temporal alone, same server, same process.
const floorStart: number[] = [];
const floorUpdate: number[] = [];
// Votes carry the bot's signature (signed votes): the floor signs as the bot does, so it measures the same Update.
const signer = ephemeralVoteSigner();
const policy = {
  requester: 'user:default/a',
  selfApproval: false,
  rules: [{ description: 'x', required: 1, approvers: ['user:default/b'] }],
  voteKey: signer.publicKey,
};
const { Worker } = await import('@temporalio/worker');
const { bundleWorkflows } = await import('../src/testing/temporal.js');
const floorQueue = `floor-${randomUUID()}`;
const worker = await Worker.create({ connection: temporal.nativeConnection, taskQueue: floorQueue, workflowBundle: await bundleWorkflows(), activities: {} });
await worker.runUntil(async () => {
  for (let i = 0; i < REQUESTS; i += CONCURRENCY) {
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, REQUESTS - i) }, async (_, k) => {
        const t = Date.now();
        const handle = await temporal.client.workflow.start(approvalRequest, {
          taskQueue: floorQueue,
          workflowId: `floor-${run}-${i + k}`,
          args: [policy, { expireAfterMs: 60_000 }],
        });
        floorStart.push(Date.now() - t);
        // Measure the Update against a running workflow, as a click meets one.
        await handle.query(approvalQuery);
        const u = Date.now();
        await handle.executeUpdate(voteUpdate, { args: [signer.sign(handle.workflowId, { approver: 'user:default/b', decision: 'approve' })] });
        floorUpdate.push(Date.now() - u);
        await handle.result();
      }),
    );
  }
});

const result = {
  at: new Date().toISOString(),
  machine: { cpus: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.arch()}` },
  state: STATE,
  requests: REQUESTS,
  concurrency: CONCURRENCY,
  wallSeconds: Math.round(wall / 100) / 10,
  commandToDmMs: stats(toDm),
  approveToFirstEditMs: stats(toEdit),
  approveToDoneMs: stats(toDone),
  floor: { startWorkflowMs: stats(floorStart), voteUpdateRoundTripMs: stats(floorUpdate) },
  budgets: { commandToDmP99Ms: 1000, approveToFirstEditP99Ms: 500 },
};
mkdirSync(RESULTS, { recursive: true });
writeFileSync(join(RESULTS, `${RESULT_NAME}.json`), JSON.stringify(result, null, 2) + '\n');
const row = (label: string, s: ReturnType<typeof stats>, budget = '') => `| ${label} | ${s.p50} | ${s.p90} | ${s.p99} | ${s.max} | ${budget} |`;
const md = [
  `# bench:workflows — ${result.at}`,
  '',
  `${REQUESTS} \`/create-service\` requests, ${CONCURRENCY} at a time, through the whole application on a local Temporal dev server, shared state on ${STATE === 'postgres' ? 'PostgreSQL (SWITCHBOARD_STATE_URL)' : 'the SQLite file'} (${result.machine.cpus} cores, Node ${result.machine.node}). Wall time ${result.wallSeconds} s.`,
  '',
  '| ms | p50 | p90 | p99 | max | budget |',
  '|---|---|---|---|---|---|',
  row('command → approval DM', result.commandToDmMs, 'p99 ≤ 1000'),
  row('approve click → first progress edit', result.approveToFirstEditMs, 'p99 ≤ 500'),
  row('approve click → done (render, push, register, reply)', result.approveToDoneMs),
  row('floor: start a workflow (Temporal alone)', result.floor.startWorkflowMs),
  row('floor: vote Update round trip (Temporal alone)', result.floor.voteUpdateRoundTripMs),
  '',
].join('\n');
writeFileSync(join(RESULTS, `${RESULT_NAME}.md`), md);
console.log(md);

await h.stop();
await temporal.teardown();
await postgres?.stop();
process.exit(0);
