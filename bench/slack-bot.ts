/**
 * The bot under test for bench/slack.ts, in a process of its own so that the load generator and the
 * Slack emulator do not share its event loop. Prints `port=<n>` when listening; stops on SIGTERM.
 */
import pino from 'pino';
import { openCatalog } from '../src/catalog/index.js';
import { createSlackAdapter } from '../src/chat/slack/adapter.js';
import { createConversation } from '../src/conversation/index.js';
import { Metrics } from '../src/http/metrics.js';
import { startHttpServer } from '../src/http/server.js';
import { openState } from '../src/state/index.js';

const [dbFile, stateFile, apiUrl, secret] = process.argv.slice(2) as [string, string, string, string];
const catalog = openCatalog(dbFile);
const state = openState(stateFile);
const logger = pino({ level: 'warn' }, pino.destination(2));
const adapter = createSlackAdapter({ botToken: 'xoxb-bench', signingSecret: secret, apiUrl, conversation: createConversation({ catalog }), state, logger });
const http = await startHttpServer({ port: 0, host: '127.0.0.1', metrics: new Metrics(), logger, health: () => ({ status: 'ok' }), routes: adapter.routes });
process.stdout.write(`port=${http.port} entities=${catalog.stats().entities}\n`);
process.once('SIGTERM', async () => {
  await http.close();
  state.close();
  catalog.close();
  process.exit(0);
});
