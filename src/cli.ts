/**
 * The composition root: parses the command line and the environment, builds the catalog, the HTTP
 * server and the logger, and wires them. Nothing else constructs clients or servers.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { openCatalog, type Catalog } from './catalog/index.js';
import { renderDeps, renderIngestReport, renderRunbook, renderWhoOwns } from './cli/render.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { Metrics } from './http/metrics.js';
import { startHttpServer } from './http/server.js';
import { createSlackAdapter } from './chat/slack/adapter.js';
import { runShell } from './chat/shell/shell.js';
import { createConversation } from './conversation/index.js';
import { openState } from './state/index.js';
import { openDeployments } from './deployments/index.js';
import { deploymentsRoute } from './http/deployments-route.js';
import { openAudit } from './audit/index.js';
import { renderAudit, renderVerify } from './audit/render.js';

const HELP = `Usage: switchboard <command> [options]

Commands:
  start                   ingest the catalog, serve HTTP (/healthz, /metrics, /slack/events) and
                          Slack; with no chat credentials, a terminal chat on stdin/stdout
  ingest <path|url>...    ingest descriptor files, folders, Location URLs and CODEOWNERS files
  whoowns <query>         owner, on-call, runbook, links and blast radius of an entity
  runbook <query>         the runbook and operational links of an entity
  deps <query>            what an entity depends on and what depends on it
  audit [--verify]        the self-service audit log; --verify checks its hash chain

Options:
  --db <file>             SQLite catalog file (default: $SWITCHBOARD_DB or ./data/switchboard.db)
  --json                  print the answer as JSON
  --at <ISO time>         whoowns/runbook: on-call at this instant instead of now
  --depth <n>             deps: hops to follow (default 1, at most 10)
  --strict                ingest: exit 1 when any source has problems
  --workflow <id>         audit: only the entries of one workflow
  -h, --help              this text

Environment: see .env.example. Exit codes: 0 answered, 1 not found or failed, 2 usage or configuration error.`;

type Out = { out: (s: string) => void; err: (s: string) => void };
const stdio: Out = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') };

export async function main(argv: string[], io: Out = stdio, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const [command, ...rest] = args.positionals;
  if (args.values.help || !command || command === 'help') {
    io.out(HELP);
    return command || args.values.help ? 0 : 2;
  }

  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(err.message);
      return 2;
    }
    throw err;
  }
  const dbFile = args.values.db ?? config.SWITCHBOARD_DB;

  switch (command) {
    case 'start':
      return start(config, dbFile);
    case 'ingest': {
      if (rest.length === 0) {
        io.err('ingest needs at least one path or URL, e.g. `switchboard ingest ./manifests/catalog`');
        return 2;
      }
      return withCatalog(dbFile, async (catalog) => {
        const report = await catalog.ingest(rest);
        io.out(args.values.json ? JSON.stringify(report, null, 2) : renderIngestReport(report));
        return args.values.strict && report.problems.length > 0 ? 1 : 0;
      });
    }
    case 'whoowns':
    case 'runbook':
    case 'deps': {
      const query = rest.join(' ').trim();
      if (!query) {
        io.err(`${command} needs a name or ref, e.g. \`switchboard ${command} payments\``);
        return 2;
      }
      const at = args.values.at ? new Date(args.values.at) : new Date();
      if (Number.isNaN(at.getTime())) {
        io.err(`--at: "${args.values.at}" is not a date; use ISO 8601, e.g. 2026-11-24T09:00:00Z`);
        return 2;
      }
      const depth = Number(args.values.depth ?? 1);
      if (!Number.isInteger(depth) || depth < 1) {
        io.err(`--depth: "${args.values.depth}" must be a whole number of at least 1`);
        return 2;
      }
      return withCatalog(dbFile, async (catalog) => {
        await ensureIngested(catalog, config, io);
        const answer =
          command === 'whoowns' ? catalog.whoOwns(query, at) : command === 'runbook' ? catalog.runbook(query, at) : catalog.deps(query, depth);
        if (args.values.json) io.out(JSON.stringify(answer, null, 2));
        else if (command === 'whoowns') io.out(renderWhoOwns(answer as ReturnType<Catalog['whoOwns']>, at));
        else if (command === 'runbook') io.out(renderRunbook(answer as ReturnType<Catalog['runbook']>, at));
        else io.out(renderDeps(answer as ReturnType<Catalog['deps']>));
        return answer.status === 'not_found' ? 1 : 0;
      });
    }
    case 'audit': {
      const audit = openAudit(dbFile);
      try {
        if (args.values.verify) {
          const result = audit.verify();
          io.out(args.values.json ? JSON.stringify(result, null, 2) : renderVerify(result));
          return result.ok ? 0 : 1;
        }
        const rows = audit.list({ workflowId: args.values.workflow });
        io.out(args.values.json ? JSON.stringify(rows, null, 2) : renderAudit(rows));
        return 0;
      } finally {
        audit.close();
      }
    }
    default:
      io.err(`Unknown command "${command}".\n\n${HELP}`);
      return 2;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      json: { type: 'boolean', default: false },
      at: { type: 'string' },
      depth: { type: 'string' },
      strict: { type: 'boolean', default: false },
      verify: { type: 'boolean', default: false },
      workflow: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

async function withCatalog(file: string, fn: (catalog: Catalog) => Promise<number>): Promise<number> {
  const catalog = openCatalog(file);
  try {
    return await fn(catalog);
  } finally {
    catalog.close();
  }
}

/** A query against a catalog file that was never ingested ingests the configured catalog first. */
async function ensureIngested(catalog: Catalog, config: Config, io: Out): Promise<void> {
  if (catalog.stats().lastIngestAt !== null) return;
  io.err(`The catalog is empty; ingesting ${config.SWITCHBOARD_CATALOG.join(', ')} first.`);
  const report = await catalog.ingest(config.SWITCHBOARD_CATALOG);
  if (report.problems.length) io.err(renderIngestReport(report));
}

async function start(config: Config, dbFile: string): Promise<number> {
  const slackConfigured = Boolean(config.SLACK_BOT_TOKEN);
  const shell = !slackConfigured;
  // With the terminal chat on stdout, logs go to stderr and only warnings show.
  const logger = pino(
    { level: shell && config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, base: { service: 'switchboard' } },
    shell ? pino.destination(2) : undefined,
  );
  const metrics = new Metrics();
  const catalog = openCatalog(dbFile);
  const state = openState(dbFile);
  const deployments = openDeployments(dbFile);
  const report = await catalog.ingest(config.SWITCHBOARD_CATALOG);
  logger.info(
    { sources: config.SWITCHBOARD_CATALOG, entities: report.entities, problems: report.problems.length, ms: report.durationMs },
    'catalog ingested',
  );
  for (const p of report.problems) logger.warn({ location: p.location, line: p.line, code: p.code }, p.message);
  state.prune(24 * 60 * 60 * 1000);
  metrics.set('switchboard_ingest_duration_seconds', 'Duration of the last catalog ingest', report.durationMs / 1000);
  metrics.set('switchboard_ingest_problems', 'Problems reported by the last catalog ingest', report.problems.length);
  metrics.onCollect(() => {
    const stats = catalog.stats();
    metrics.set('switchboard_catalog_entities', 'Entities in the catalog', stats.entities);
    metrics.set('switchboard_catalog_stale_entities', 'Entities kept from a source whose last ingest failed', stats.stale);
  });
  const conversation = createConversation({ catalog });
  const count = (platform: string) => (what: string) =>
    metrics.inc('switchboard_chat_requests_total', 'Chat requests answered', { platform, what });

  const slack = slackConfigured
    ? createSlackAdapter({
        botToken: config.SLACK_BOT_TOKEN as string,
        signingSecret: config.SLACK_SIGNING_SECRET,
        appToken: config.SLACK_APP_TOKEN,
        apiUrl: config.SLACK_API_URL,
        conversation,
        state,
        logger,
        count: count('slack'),
      })
    : undefined;

  const http = await startHttpServer({
    port: config.PORT,
    metrics,
    logger,
    health: () => ({ status: 'ok', catalog: catalog.stats(), slack: slack ? slack.mode : 'off' }),
    routes: {
      ...slack?.routes,
      'POST /api/deployments': deploymentsRoute({
        token: config.SWITCHBOARD_DEPLOY_TOKEN,
        deployments,
        serviceRef: (service) => {
          const entity = catalog.getEntity(service);
          return entity?.kind.toLowerCase() === 'component' ? entity.ref : null;
        },
      }),
    },
  });
  logger.info({ port: http.port }, 'HTTP server listening');
  if (slack) {
    await slack.start();
    logger.info({ mode: slack.mode }, slack.mode === 'socket' ? 'Slack connected over Socket Mode' : 'Slack requests served at POST /slack/events');
  }

  await new Promise<void>((resolveStop) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      resolveStop();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    if (shell) {
      const interactive = Boolean(process.stdin.isTTY);
      runShell({ conversation, input: process.stdin, output: process.stdout, interactive, color: interactive && Boolean(process.stdout.isTTY) })
        .then(() => stop('end of input'))
        .catch((err: unknown) => {
          logger.error({ err }, 'terminal chat failed');
          stop('terminal chat failed');
        });
    }
  });
  // The terminal chat's reader keeps stdin open, and with it the process: close it on shutdown.
  if (shell) process.stdin.destroy();
  await slack?.stop();
  await http.close();
  deployments.close();
  state.close();
  catalog.close();
  return 0;
}
