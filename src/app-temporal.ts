/**
 * Temporal as the running application (app.ts) sees it: where the server is (configured, a local dev
 * server started here, or why there is none), the client access the launcher and callbacks share,
 * and the worker's life.
 */
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { SelfServiceUnavailable } from './actions/launcher.js';
import type { Config } from './config.js';
import { createTemporalAccess, findTemporalCli, runWorker, startDevServer, type TemporalConnectionSettings } from './temporal/index.js';

export interface TemporalServer {
  address?: string;
  uiUrl?: string;
  /** Why there is no address. */
  reason?: string;
  stop(): Promise<void>;
}

/** The configured address, or (`startLocal`, the `start` command) a local dev server beside the database, or why there is none. */
export async function temporalFor(
  config: Config,
  opts: { startLocal: boolean; dbFile: string; env: NodeJS.ProcessEnv; logger: Logger },
): Promise<TemporalServer> {
  const { logger } = opts;
  const none = async () => {};
  if (config.TEMPORAL_ADDRESS) return { address: config.TEMPORAL_ADDRESS, uiUrl: config.TEMPORAL_UI_URL, stop: none };
  if (!opts.startLocal) return { reason: 'TEMPORAL_ADDRESS is not set', stop: none };
  const cli = findTemporalCli(config.TEMPORAL_CLI_PATH, opts.env);
  if (!cli) {
    const reason = 'no Temporal CLI was found to start a local server (run `npm run ensure-temporal`, set TEMPORAL_CLI_PATH, or set TEMPORAL_ADDRESS)';
    logger.warn(reason);
    return { reason, stop: none };
  }
  try {
    const server = await startDevServer({ cli, dbFile: join(dirname(resolve(opts.dbFile)), 'temporal.db'), namespace: config.TEMPORAL_NAMESPACE, logger });
    return { address: server.address, uiUrl: config.TEMPORAL_UI_URL ?? server.uiUrl, stop: () => server.stop() };
  } catch (err) {
    const reason = `the local Temporal server did not start: ${(err as Error).message}`;
    logger.warn(reason);
    return { reason, stop: none };
  }
}

/** The client side: a connection to the server, or, without one, access that answers why self-service is unavailable. */
export function temporalAccess(temporal: TemporalServer, config: Config, logger: Logger, auth: TemporalConnectionSettings) {
  return temporal.address
    ? createTemporalAccess({ address: temporal.address, namespace: config.TEMPORAL_NAMESPACE, logger, auth })
    : {
        client: async (): Promise<never> => {
          throw new SelfServiceUnavailable(temporal.reason ?? 'Temporal is not configured');
        },
        close: async () => {},
        connected: () => false,
      };
}

export interface WorkerHandle {
  /** Resolves once the worker runs (immediately when this process runs none); rejects when it fails. */
  ready: Promise<void>;
  running(): boolean;
  /** Drains the worker and waits for it to end. */
  stop(): Promise<void>;
}

/** Runs the worker when `address` is given; `activities()` is called only then. */
export function startWorker(opts: {
  address: string | undefined;
  config: Config;
  logger: Logger;
  auth: TemporalConnectionSettings;
  activities: () => object;
}): WorkerHandle {
  const { config, logger } = opts;
  const workerState = { running: false };
  const stopWorker = new AbortController();
  let worker: Promise<void> = Promise.resolve();
  let markReady: () => void = () => {};
  let markFailed: (err: unknown) => void = () => {};
  const ready = new Promise<void>((resolveReady, rejectReady) => {
    markReady = resolveReady;
    markFailed = rejectReady;
  });
  ready.catch(() => undefined);
  if (opts.address) {
    worker = runWorker({
      address: opts.address,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      activities: opts.activities(),
      logger,
      signal: stopWorker.signal,
      auth: opts.auth,
      onState: (s) => {
        workerState.running = s === 'running';
        if (workerState.running) markReady();
      },
    }).catch((err: unknown) => {
      logger.error({ err }, 'the worker failed');
      markFailed(err);
    });
  } else markReady();
  return {
    ready,
    running: () => workerState.running,
    async stop() {
      stopWorker.abort();
      await worker;
    },
  };
}
