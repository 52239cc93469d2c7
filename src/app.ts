/**
 * The running application, wired: catalog, state, audit and deploy history on one SQLite file, the
 * HTTP server, Slack, the self-service launcher and (in `start` and `worker`) the Temporal worker.
 * cli.ts calls this for `start`, `bot` and `worker`; the end-to-end tests and `bench:workflows` call
 * it too, so what they measure is what runs in production (docs/decisions.md).
 */
import { mkdirSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Logger } from 'pino';
import { loadActions } from './actions/definition.js';
import { createLauncher, type Launcher } from './actions/launcher.js';
import { createSelfServiceActivities } from './activities/index.js';
import { syncRegistry } from './activities/registry.js';
import { apiRoutes } from './app-routes.js';
import { wireOnCall } from './app-oncall.js';
import { createOnCallProviders } from './oncall/table.js';
import { onCallForRef } from './oncall/for-ref.js';
import { startWorker, temporalAccess, temporalFor } from './app-temporal.js';
import { resolveAuditKey, type AuditLog } from './audit/index.js';
import { registerSecrets, secretsInEnvironment } from './audit/redact.js';
import { openCatalog, type Catalog, type IngestReport } from './catalog/index.js';
import { startRefresh } from './catalog/refresh.js';
import { configuredSources, sourceCacheDir, sourceLabel } from './catalog/sources/index.js';
import { shortRef } from './catalog/ref.js';
import { createShellNotifier } from './chat/shell/notifier.js';
import type { ChatSurface } from './chat/surface.js';
import { createSurfaces } from './chat/surfaces.js';
import type { Config } from './config.js';
import { ingestDefaults, NO_SETTINGS, type Settings } from './settings/index.js';
import { type Conversation, createConversation } from './conversation/index.js';
import type { DeploymentLog } from './deployments/index.js';
import { catalogFileFor } from './data-files.js';
import { Metrics } from './http/metrics.js';
import { componentHealth } from './http/health.js';
import { listenAddress, startHttpServer } from './http/server.js';
import type { BotState } from './state/index.js';
import { openStateStore } from './state/store.js';
import { wireAttestation } from './app-attestation.js';
import { wireDigest } from './app-digest.js';
import { questionRecorder } from './health/questions.js';
import { healthForChat } from './health/for-chat.js';
import { temporalConnectionSettings, workflowLink } from './temporal/index.js';
import { loadVoteSigner } from './actions/vote-signing.js';
import type { Actor } from './actions/launcher.js';

export type Mode = 'start' | 'bot' | 'worker';

export interface AppOptions {
  mode: Mode;
  config: Config;
  /** The config file's settings (catalog rules, locations, fetch allow-list, limits); default none. */
  settings?: Settings;
  dbFile: string;
  /** Where secrets named by actions (`secretEnv`) are read. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** The terminal chat's output: self-service messages for `shell:` threads are written here. */
  shellOutput?: { stream: NodeJS.WritableStream; color: boolean };
  /** HTTP host; all interfaces by default. */
  host?: string;
}

export interface App {
  port: number;
  catalog: Catalog;
  state: BotState;
  audit: AuditLog;
  deployments: DeploymentLog;
  conversation: Conversation;
  launcher: Launcher;
  /** The chat surfaces this process runs (Slack, Teams), by platform. */
  surfaces: Partial<Record<string, ChatSurface>>;
  temporal: { address?: string; uiUrl?: string; reason?: string };
  /** A catalog user as an actor (`/as` in the terminal). */
  person(id: string): Actor | null;
  /** Resolves once the worker runs (immediately when this process runs none). */
  workerReady: Promise<void>;
  stop(): Promise<void>;
}

export async function startApp(opts: AppOptions): Promise<App> {
  const { mode, config, dbFile, logger } = opts;
  const metrics = new Metrics();
  mkdirSync(dirname(resolve(dbFile)), { recursive: true });
  const settings = opts.settings ?? NO_SETTINGS;
  const catalog = openCatalog(catalogFileFor(dbFile), { ...ingestDefaults(settings), cacheDir: sourceCacheDir(dbFile) });
  // Every configured secret is redacted by value from here on: audit rows, activity results, logs.
  registerSecrets(secretsInEnvironment(opts.env));
  // Shared state on PostgreSQL when SWITCHBOARD_STATE_URL is set, else the SQLite file. The audit chain is
  // keyed from the first start: SWITCHBOARD_AUDIT_KEY, or (SQLite only) audit.key made beside the database.
  const store = await openStateStore({
    url: config.SWITCHBOARD_STATE_URL,
    file: dbFile,
    auditKey: resolveAuditKey({ configured: config.SWITCHBOARD_AUDIT_KEY, dbFile, create: !config.SWITCHBOARD_STATE_URL }),
    onError: (err) => logger.warn({ err }, 'shared state: PostgreSQL connection error'),
  }).catch((err: unknown) => {
    catalog.close();
    throw err;
  });
  const { state, deployments, audit } = store;
  logger.info({ store: store.kind, where: store.where }, 'state store open');
  const dataDir = dirname(resolve(dbFile));
  const registryDir = join(dataDir, 'registry');
  mkdirSync(registryDir, { recursive: true });

  // Descriptors registered by self-service (held in the shared state, copied into this replica's
  // registry folder) are ingested with the configured catalog, so a restart and every replica keep them.
  // Read again before every run: the registry folder, say, exists only once made. A Backstage root
  // carries its token: roots are logged through sourceLabel.
  const roots = () => configuredSources(config, settings, dbFile);
  await syncRegistry(state, registryDir);
  const first = roots();
  const report = await catalog.ingest(first);
  logger.info({ sources: first.map(sourceLabel), entities: report.entities, problems: report.problems.length, ms: report.durationMs }, 'catalog ingested');
  for (const p of report.problems) logger.warn({ location: p.location, line: p.line, code: p.code }, p.message);
  await state.prune(24 * 60 * 60 * 1000);
  const ingested = (r: IngestReport) => {
    metrics.set('switchboard_ingest_duration_seconds', 'Duration of the last catalog ingest', r.durationMs / 1000);
    metrics.set('switchboard_ingest_problems', 'Problems reported by the last catalog ingest', r.problems.length);
  };
  ingested(report);
  // Every SWITCHBOARD_REFRESH the sources are read again (in a worker thread: answers never wait), with
  // what any replica registered since.
  const refresh = startRefresh({
    catalog,
    roots: async () => {
      await syncRegistry(state, registryDir);
      return roots();
    },
    everyMs: config.SWITCHBOARD_REFRESH,
    logger,
    onReport: ingested,
  });
  metrics.onCollect(() => {
    const stats = catalog.stats();
    metrics.set('switchboard_catalog_entities', 'Entities in the catalog', stats.entities);
    metrics.set('switchboard_catalog_stale_entities', 'Entities kept from a source whose last ingest failed', stats.stale);
  });

  const loaded = loadActions(resolve(config.SWITCHBOARD_ACTIONS));
  for (const p of loaded.problems) logger.error({ file: p.file, line: p.line, field: p.path }, `action file: ${p.message}`);
  logger.info({ actions: loaded.actions.map((a) => a.spec.command) }, 'self-service actions loaded');

  const temporal = await temporalFor(config, { startLocal: mode === 'start', dbFile, env: opts.env, logger });
  // Read once: the certificate files (mTLS) and the vote key (signed votes, docs/security.md).
  const temporalAuth = temporalConnectionSettings(config);
  const voteSigner = loadVoteSigner({ envKey: config.SWITCHBOARD_VOTE_KEY, dbFile });
  const access = temporalAccess(temporal, config, logger, temporalAuth);
  const workflowUrl = workflowLink(temporal.uiUrl, config.TEMPORAL_NAMESPACE);
  const launcher = createLauncher({
    temporal: access,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    actions: loaded.actions,
    catalog,
    deployments,
    audit,
    incidents: (ref) => state.incidentsFor(ref, 24 * 60 * 60 * 1000),
    voteSigner,
    count: (what, action, outcome) =>
      metrics.inc(`switchboard_selfservice_${what}s_total`, what === 'request' ? 'Self-service requests by outcome' : 'Approval votes by outcome', {
        action,
        outcome,
      }),
  });
  // One set of on-call providers for every answer: the catalog's Schedules, PagerDuty and Opsgenie when configured.
  const onCall = createOnCallProviders(config, {
    personByEmail: (email) => catalog.person(email),
    scheduleOnCall: (ref, at) => catalog.scheduleOnCall(ref, at),
  });
  const teamOnCall = onCallForRef((ref) => catalog.onCallSubject(ref.includes(':') ? ref : `group:${ref}`), onCall);
  const oncall = wireOnCall({ config, settings, catalog, state, audit, logger, onCallFor: teamOnCall });
  // "Still yours?": answers read on every card, recorded (and audited) from the ask's buttons.
  // A "Not ours" branch goes only to a repository the operator listed as a source: a local root that is
  // a repository's top level, or a git source's checkout.
  const writable = (top: string) => {
    const at = realOrSelf(top);
    if (isInside(at, realOrSelf(sourceCacheDir(dbFile)))) return true;
    return roots().some((r) => !r.source && realOrSelf(resolve(r.target)) === at);
  };
  const attestation = wireAttestation({
    catalog,
    truth: store.truth,
    audit,
    settings,
    logger,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    writable,
    config,
    client: () => access.client(),
  });
  // The weekly digest to each team's channel, when the config file's `digest` asks for it.
  const digest = wireDigest({ catalog, truth: store.truth, providers: onCall, settings, logger, taskQueue: config.TEMPORAL_TASK_QUEUE });
  const conversation = createConversation({
    catalog,
    selfService: launcher,
    workflowUrl,
    pager: oncall.pager,
    onCall,
    attestations: store.truth,
    attestationAnswers: attestation.answers,
    recordQuestion: questionRecorder(store.truth, logger),
    health: healthForChat({ catalog, truth: store.truth, providers: onCall }),
  });
  const count = (platform: string) => (what: string) => metrics.inc('switchboard_chat_requests_total', 'Chat requests answered', { platform, what });
  const person = (id: string): Actor | null => {
    const p = catalog.person(id);
    return p ? { id: `shell:${shortRef(p.ref)}`, ref: p.ref, displayName: p.displayName, email: p.email, chatIds: p.chatIds } : null;
  };

  const surfaces = await createSurfaces(config, (platform) => ({ config, conversation, state, catalog, logger, count: count(platform) }));
  const notifiers = {
    ...Object.fromEntries(surfaces.map((s) => [s.platform, s.notifier])),
    ...(opts.shellOutput && { shell: createShellNotifier({ output: opts.shellOutput.stream, color: opts.shellOutput.color }) }),
  };
  attestation.reach(notifiers);

  const secret = (name: string) => opts.env[name];
  const worker = startWorker({
    address: mode !== 'bot' ? temporal.address : undefined,
    config,
    logger,
    auth: temporalAuth,
    activities: () => ({
      ...oncall.activities(),
      ...attestation.activities(notifiers),
      ...digest.activities(notifiers),
      ...createSelfServiceActivities({
        catalog,
        actions: loaded.actions,
        audit,
        journal: state,
        notifiers,
        templatesDir: resolve(config.SWITCHBOARD_TEMPLATES),
        gitRemote: config.SWITCHBOARD_GIT_REMOTE,
        registryDir,
        workDir: join(dataDir, 'work'),
        publicUrl: config.SWITCHBOARD_PUBLIC_URL ?? `http://localhost:${config.PORT}`,
        secret,
        workflowUrl,
      }),
    }),
  });
  // The @oncall user groups' schedules, once the worker that runs them is up (never blocks start).
  if (mode !== 'bot' && temporal.address)
    void worker.ready.then(
      () => oncall.keepSchedules(() => access.client()),
      () => undefined,
    );
  if (mode !== 'bot' && temporal.address)
    void worker.ready.then(
      () => attestation.keepSchedules(() => access.client()),
      () => undefined,
    );
  if (mode !== 'bot' && temporal.address)
    void worker.ready.then(
      () => digest.keepSchedule(() => access.client()),
      () => undefined,
    );

  const started = new Set<string>();
  const http = await startHttpServer({
    port: config.PORT,
    ...(opts.host && { host: opts.host }),
    metrics,
    logger,
    health: componentHealth(metrics, {
      catalog: () => catalog.stats().entities >= 0,
      ...(mode !== 'worker' && Object.fromEntries(surfaces.map((s) => [s.platform, () => started.has(s.platform)]))),
      temporal: () => access.connected(),
      state: () => store.healthy(),
      ...(mode !== 'bot' && { worker: () => worker.running() }),
      // A provider that failed its last call degrades /healthz (still 200): answers say "unknown" meanwhile.
      ...(mode !== 'worker' &&
        Object.fromEntries(
          onCall
            .statuses()
            .filter((p) => p.provider !== 'schedule')
            .map((p) => [`oncall_${p.provider}`, () => onCall.statuses().find((s) => s.provider === p.provider)?.ok === true]),
        )),
    }),
    serveMetrics: !config.SWITCHBOARD_METRICS_ADDRESS,
    ...(config.SWITCHBOARD_METRICS_TOKEN && { metricsToken: config.SWITCHBOARD_METRICS_TOKEN }),
    routes:
      mode === 'worker'
        ? {}
        : {
            ...Object.assign({}, ...surfaces.map((s) => s.routes)),
            ...apiRoutes({ config, catalog, deployments, metrics, state, actions: loaded.actions, secret, temporal: access }),
          },
  });
  logger.info({ port: http.port }, 'HTTP server listening');
  const metricsHttp = config.SWITCHBOARD_METRICS_ADDRESS
    ? await startHttpServer({
        ...listenAddress(config.SWITCHBOARD_METRICS_ADDRESS),
        metrics,
        logger,
        ...(config.SWITCHBOARD_METRICS_TOKEN && { metricsToken: config.SWITCHBOARD_METRICS_TOKEN }),
      })
    : undefined;
  if (metricsHttp) logger.info({ address: config.SWITCHBOARD_METRICS_ADDRESS, port: metricsHttp.port }, 'GET /metrics served on its own listener');
  if (mode !== 'worker') {
    for (const surface of surfaces) {
      await surface.start();
      started.add(surface.platform);
      logger.info({ platform: surface.platform }, surface.describe());
    }
  }

  return {
    port: http.port,
    catalog,
    state,
    audit,
    deployments,
    conversation,
    launcher,
    surfaces: Object.fromEntries(surfaces.map((s) => [s.platform, s])),
    temporal: { address: temporal.address, uiUrl: temporal.uiUrl, reason: temporal.reason },
    person,
    workerReady: worker.ready,
    async stop() {
      await refresh.stop();
      await worker.stop();
      for (const surface of surfaces) await surface.stop();
      await http.close();
      await metricsHttp?.close();
      await access.close();
      await temporal.stop();
      await store.close();
      catalog.close();
    },
  };
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

const isInside = (path: string, dir: string) => {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !rel.includes(`..${sep}`);
};
