/**
 * The bot under test for bench/teams.ts, in a process of its own so that the load generator and the Teams
 * emulator do not share its event loop: the real Teams adapter (our token check, then the Teams SDK) on
 * Switchboard's HTTP server, answering from the catalog. Takes the catalog file as its argument and the
 * TEAMS_* variables from its environment, as `switchboard bot` does. Prints `port=<n>` when listening;
 * GET /metrics counts what the conversation core answered and the process's CPU time; stops on SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { openCatalog } from '../src/catalog/index.js';
import { createTeamsAdapter } from '../src/chat/teams/adapter.js';
import { loadConfig } from '../src/config.js';
import { createConversation } from '../src/conversation/index.js';
import { Metrics } from '../src/http/metrics.js';
import { startHttpServer } from '../src/http/server.js';
import { openState } from '../src/state/index.js';

/** Only these reach loadConfig: whatever else the shell exports (Slack tokens, Temporal) stays out of the run. */
const TEAMS_VARS = ['TEAMS_APP_ID', 'TEAMS_APP_PASSWORD', 'TEAMS_TENANT_ID', 'TEAMS_OPENID_METADATA_URL', 'TEAMS_TOKEN_ISSUER', 'TEAMS_LOGIN_ENDPOINT'];

const [dbFile] = process.argv.slice(2) as [string];
const catalog = openCatalog(dbFile);
// A fresh state per run: conversations and accounts the bot remembers must not leak from one run into the next.
const stateDir = mkdtempSync(join(tmpdir(), 'switchboard-teams-bench-'));
const state = openState(join(stateDir, 'state.db'));
const logger = pino({ level: 'warn' }, pino.destination(2));
const config = loadConfig(Object.fromEntries(TEAMS_VARS.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]]))));
const metrics = new Metrics();
// The bench divides this by the activities of a phase: the bot's CPU per activity, the figure that bounds a burst's last ack.
metrics.onCollect(() => {
  const { user, system } = process.cpuUsage();
  metrics.set('bench_bot_cpu_seconds', 'CPU time of the bot process (user + system)', (user + system) / 1e6);
});
const surface = createTeamsAdapter({
  config,
  conversation: createConversation({ catalog }),
  state,
  catalog,
  logger,
  count: (what) => metrics.inc('switchboard_chat_requests_total', 'Chat requests answered', { platform: 'teams', what }),
});
await surface.start();
const http = await startHttpServer({ port: 0, host: '127.0.0.1', metrics, logger, health: () => ({ status: 'ok' }), routes: surface.routes });
process.stdout.write(`port=${http.port} entities=${catalog.stats().entities}\n`);
process.once('SIGTERM', async () => {
  await http.close();
  await surface.stop();
  state.close();
  catalog.close();
  rmSync(stateDir, { recursive: true, force: true });
  process.exit(0);
});
