/**
 * The bot under test for bench/slack.ts, in a process of its own so that the load generator and the
 * Slack emulator do not share its event loop. Prints `port=<n>` when listening; stops on SIGTERM.
 * With a catalog root as fifth argument, a `refresh` line on stdin re-ingests it in this process, the
 * call a periodic refresh makes (src/catalog/refresh.ts), printing `refresh=started` and then
 * `refresh=done {report}` (or `refresh=failed <message>`), with this process's event-loop delay during it.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { openCatalog } from '../src/catalog/index.js';
import { createSlackAdapter } from '../src/chat/slack/adapter.js';
import { createConversation } from '../src/conversation/index.js';
import { Metrics } from '../src/http/metrics.js';
import { startHttpServer } from '../src/http/server.js';
import { openState } from '../src/state/index.js';

const [dbFile, stateFile, apiUrl, secret, refreshRoot] = process.argv.slice(2) as [string, string, string, string, string | undefined];
const catalog = openCatalog(dbFile);
const state = openState(stateFile);
const logger = pino({ level: 'warn' }, pino.destination(2));
const adapter = createSlackAdapter({ botToken: 'xoxb-bench', signingSecret: secret, apiUrl, conversation: createConversation({ catalog }), state, logger });
const http = await startHttpServer({ port: 0, host: '127.0.0.1', metrics: new Metrics(), logger, health: () => ({ status: 'ok' }), routes: adapter.routes });
process.stdout.write(`port=${http.port} entities=${catalog.stats().entities}\n`);
if (refreshRoot) {
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() !== 'refresh') return;
    process.stdout.write('refresh=started\n');
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const ms = (ns: number) => Math.round(ns / 1e5) / 10;
    catalog.ingest([refreshRoot]).then(
      (report) => {
        delay.disable();
        const eventLoopDelayMs = { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) };
        const { durationMs, sources, entities } = report;
        process.stdout.write(`refresh=done ${JSON.stringify({ durationMs, sources, entities, problems: report.problems.length, eventLoopDelayMs })}\n`);
      },
      (err: Error) => process.stdout.write(`refresh=failed ${err.message.replace(/\n/g, ' ')}\n`),
    );
  });
}
process.once('SIGTERM', async () => {
  await http.close();
  state.close();
  catalog.close();
  process.exit(0);
});
