/**
 * The composition root: parses the command line and the environment, builds the catalog, the HTTP
 * server and the logger, and wires them. Nothing else constructs clients or servers.
 */
import { parseArgs } from 'node:util';
import type { Catalog } from './catalog/index.js';
import type { Config } from './config.js';
import type { Settings } from './settings/index.js';
import { catalogFileFor } from './data-files.js';
import type { Mode } from './app.js';

// Everything else is imported by the command that uses it, when it runs: Bolt, the Teams SDK, Temporal
// and the PostgreSQL client take seconds to load, and `--help` or `whoowns` need none of them (the
// "loads no chat SDK" tests in cli-install.test.ts check it; bench/cli.ts times it).

const HELP = `Usage: switchboard <command> [options]

Commands:
  start                   everything in one process: ingest the catalog, serve HTTP (/healthz,
                          /metrics, /slack/events), Slack, and self-service (a local Temporal dev
                          server when TEMPORAL_ADDRESS is unset, and the worker); with no chat
                          credentials, a terminal chat on stdin/stdout
  bot                     the chat half: HTTP, Slack, starting requests (needs TEMPORAL_ADDRESS)
  worker                  the Temporal worker that runs self-service workflows (needs TEMPORAL_ADDRESS)
  ingest [<path|url>...]  ingest descriptor files, folders, Location URLs and CODEOWNERS files;
                          with none, every configured source (config file, SWITCHBOARD_CATALOG,
                          SWITCHBOARD_CATALOG_GIT, BACKSTAGE_URL), as start does
  whoowns <query>         owner, on-call, runbook, links and blast radius of an entity
  runbook <query>         the runbook and operational links of an entity
  deps <query>            what an entity depends on and what depends on it
  health [team]           catalog coverage (owner, repository, on-call, runbook, tier, deps), what is
                          unverified, failing or asked for and missing; --days <n> (default 90)
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

  const { ConfigError, loadConfig } = await import('./config.js');
  const { loadSettings } = await import('./settings/index.js');
  let config: Config;
  let settings: Settings;
  try {
    config = loadConfig(env);
    // The config file (switchboard.yaml): catalog rules, locations, fetch allow-list, limits.
    settings = loadSettings(config.SWITCHBOARD_CONFIG, config.SWITCHBOARD_CONFIG !== undefined);
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
    case 'bot':
    case 'worker':
      return serve(command, config, dbFile, env, io, settings);
    case 'ingest': {
      // No path: every configured source, as start reads them (catalog/sources/index.ts).
      const { configuredSources, sourceCacheDir, sourceLabel } = await import('./catalog/sources/index.js');
      const roots = rest.length > 0 ? rest : configuredSources(config, settings, dbFile);
      if (roots.length === 0) {
        io.err(
          'Nothing to ingest: give a path or URL (e.g. `switchboard ingest ./manifests/catalog`), or configure sources (catalog.locations in the config file, SWITCHBOARD_CATALOG, SWITCHBOARD_CATALOG_GIT, BACKSTAGE_URL)',
        );
        return 2;
      }
      if (rest.length === 0) io.err(`Ingesting the configured sources: ${roots.map(sourceLabel).join(', ')}`);
      const { renderIngestReport } = await import('./cli/render.js');
      return withCatalog(dbFile, settings, async (catalog) => {
        const report = await catalog.ingest(roots, { cacheDir: sourceCacheDir(dbFile) });
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
      const { renderDeps, renderRunbook, renderWhoOwns } = await import('./cli/render.js');
      return withCatalog(dbFile, settings, async (catalog) => {
        await ensureIngested(catalog, config, settings, io, dbFile);
        let answer = command === 'whoowns' ? catalog.whoOwns(query, at) : command === 'runbook' ? catalog.runbook(query, at) : catalog.deps(query, depth);
        // The on-call as the chat shows it: PagerDuty and Opsgenie asked too, when the environment configures them.
        if ('onCall' in answer && answer.entity && (config.PAGERDUTY_API_TOKEN || config.OPSGENIE_API_KEY)) {
          const { createOnCallProviders } = await import('./oncall/table.js');
          const subject = catalog.onCallSubject(answer.entity.ref);
          const providers = createOnCallProviders(config, {
            personByEmail: (email) => catalog.person(email),
            scheduleOnCall: (ref, when) => catalog.scheduleOnCall(ref, when),
          });
          const found = subject ? await providers.lookup(subject, at) : null;
          if (found) answer = { ...answer, onCall: found.onCall, ...(found.unknown.length && { onCallUnknown: found.unknown }) };
        }
        // Whether its owner confirmed it lately ("Still yours?", src/attestation): the chat's answer shows the same.
        if ('onCall' in answer && answer.entity) {
          const { openTruthReads } = await import('./state/cli-truth.js');
          const { withVerification } = await import('./attestation/verification.js');
          const opened = await openTruthReads(config.SWITCHBOARD_STATE_URL, dbFile);
          try {
            answer = await withVerification(opened.truth, answer, (ref) => {
              const e = catalog.getEntity(ref);
              return e ? (e.title ?? e.name) : null;
            });
          } finally {
            await opened.close();
          }
        }
        if (args.values.json) io.out(JSON.stringify(answer, null, 2));
        else if (command === 'whoowns') io.out(renderWhoOwns(answer as ReturnType<Catalog['whoOwns']>, at));
        else if (command === 'runbook') io.out(renderRunbook(answer as ReturnType<Catalog['runbook']>, at));
        else io.out(renderDeps(answer as ReturnType<Catalog['deps']>));
        return answer.status === 'not_found' ? 1 : 0;
      });
    }
    case 'health': {
      const days = Number(args.values.days ?? 90);
      if (!Number.isInteger(days) || days < 1) {
        io.err(`--days: "${args.values.days}" must be a whole number of at least 1`);
        return 2;
      }
      const team = rest.join(' ').trim() || null;
      const { healthReport, renderHealth } = await import('./health/report.js');
      const { openTruthReads } = await import('./state/cli-truth.js');
      return withCatalog(dbFile, settings, async (catalog) => {
        await ensureIngested(catalog, config, settings, io, dbFile);
        const teamRef = team ? (catalog.getEntity(team.includes(':') ? team : `group:${team}`)?.ref ?? null) : null;
        if (team && !teamRef) {
          io.err(`health: no Group named "${team}" in the catalog`);
          return 1;
        }
        const opened = await openTruthReads(config.SWITCHBOARD_STATE_URL, dbFile);
        try {
          const report = await healthReport({ catalog, truth: opened.truth, team: teamRef, days });
          io.out(args.values.json ? JSON.stringify(report, null, 2) : renderHealth(report));
          return 0;
        } finally {
          await opened.close();
        }
      });
    }
    case 'audit': {
      const { AuditKeyError, resolveAuditKey } = await import('./audit/index.js');
      const { openStateStore } = await import('./state/store.js');
      const { renderAudit, renderVerify } = await import('./audit/render.js');
      // Checking never makes a key: without one, verify says what it could not check.
      let key;
      try {
        key = resolveAuditKey({ configured: config.SWITCHBOARD_AUDIT_KEY, dbFile, create: false });
      } catch (err) {
        if (!(err instanceof AuditKeyError)) throw err;
        io.err(err.message);
        return 2;
      }
      // The shared state when SWITCHBOARD_STATE_URL names one, else the SQLite file.
      const store = await openStateStore({ url: config.SWITCHBOARD_STATE_URL, file: dbFile, auditKey: key, sealAudit: false });
      const { audit } = store;
      try {
        if (args.values.verify) {
          const result = await audit.verify();
          io.out(args.values.json ? JSON.stringify(result, null, 2) : renderVerify(result));
          return result.ok ? 0 : 1;
        }
        const rows = await audit.list({ workflowId: args.values.workflow });
        io.out(args.values.json ? JSON.stringify(rows, null, 2) : renderAudit(rows));
        return 0;
      } finally {
        await store.close();
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
      days: { type: 'string' },
      strict: { type: 'boolean', default: false },
      verify: { type: 'boolean', default: false },
      workflow: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

/** `dbFile` is the state file (SWITCHBOARD_DB, --db); the catalog is the file beside it (data-files.ts). */
async function withCatalog(dbFile: string, settings: Settings, fn: (catalog: Catalog) => Promise<number>): Promise<number> {
  const { openCatalog } = await import('./catalog/index.js');
  const { ingestDefaults } = await import('./settings/index.js');
  const catalog = openCatalog(catalogFileFor(dbFile), ingestDefaults(settings));
  try {
    return await fn(catalog);
  } finally {
    catalog.close();
  }
}

/** A query against a catalog file that was never ingested ingests the configured catalog first. */
async function ensureIngested(catalog: Catalog, config: Config, settings: Settings, io: Out, dbFile: string): Promise<void> {
  if (catalog.stats().lastIngestAt !== null) return;
  const { configuredSources, sourceCacheDir, sourceLabel } = await import('./catalog/sources/index.js');
  const roots = configuredSources(config, settings, dbFile);
  io.err(`The catalog is empty; ingesting ${roots.map(sourceLabel).join(', ')} first.`);
  const report = await catalog.ingest(roots, { cacheDir: sourceCacheDir(dbFile) });
  const { renderIngestReport } = await import('./cli/render.js');
  if (report.problems.length) io.err(renderIngestReport(report));
}

/** `start`: everything in one process; `bot`: chat and HTTP; `worker`: the Temporal worker only. */
async function serve(mode: Mode, config: Config, dbFile: string, env: NodeJS.ProcessEnv, io: Out, settings: Settings): Promise<number> {
  const { anySurfaceConfigured } = await import('./chat/surfaces.js');
  const shell = mode === 'start' && !anySurfaceConfigured(config);
  if (mode === 'worker' && !config.TEMPORAL_ADDRESS) {
    io.err('switchboard worker needs TEMPORAL_ADDRESS (host:port of the Temporal frontend); `switchboard start` runs a local one instead.');
    return 2;
  }
  const [{ default: pino }, { createLogger }, { startApp }, { runShell }] = await Promise.all([
    import('pino'),
    import('./audit/logger.js'),
    import('./app.js'),
    import('./chat/shell/shell.js'),
  ]);
  // With the terminal chat on stdout, logs go to stderr and only warnings show.
  // Every line redacted (src/audit/logger.ts): no secret in logs, whoever logs it.
  const logger = createLogger(
    { level: shell && config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, base: { service: 'switchboard', mode } },
    shell ? pino.destination(2) : undefined,
  );
  const interactive = Boolean(process.stdin.isTTY);
  const color = shell && interactive && Boolean(process.stdout.isTTY);
  let app;
  try {
    app = await startApp({ mode, config, settings, dbFile, env, logger, ...(shell && { shellOutput: { stream: process.stdout, color } }) });
  } catch (err) {
    // The shared state unreachable at start: one line and exit 1, for the supervisor to start it again.
    if ((err as Error).name !== 'StateStoreError') throw err;
    io.err((err as Error).message);
    return 1;
  }

  await new Promise<void>((resolveStop) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      resolveStop();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    if (shell) {
      runShell({ conversation: app.conversation, input: process.stdin, output: process.stdout, interactive, color, person: app.person })
        .then(() => stop('end of input'))
        .catch((err: unknown) => {
          logger.error({ err }, 'terminal chat failed');
          stop('terminal chat failed');
        });
    }
  });
  // The terminal chat's reader keeps stdin open, and with it the process: close it on shutdown.
  if (shell) process.stdin.destroy();
  await app.stop();
  return 0;
}
