/**
 * The HTTP surface: health and metrics, and the routes chat platforms and APIs mount. /healthz is
 * unauthenticated, so it tells status only; /metrics may be kept to a listener of its own or a token.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { bearerMatches } from './bearer.js';
import type { Metrics } from './metrics.js';

export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface Health {
  /** `degraded` when a component is down; the process still serves (lookups keep working). */
  status: 'ok' | 'degraded';
  /** Up (true) or down, by component; nothing else, for anyone may ask. */
  components?: Record<string, boolean>;
}

export interface HttpServerOptions {
  port: number;
  host?: string;
  metrics: Metrics;
  /** GET /healthz; without it there is none (the metrics-only listener). */
  health?: () => Health;
  /** Whether GET /metrics is served here (default true): false when it has a listener of its own. */
  serveMetrics?: boolean;
  /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
  metricsToken?: string;
  routes?: Record<string, Route>;
  logger: Logger;
}

/**
 * The answer of /healthz, rebuilt from the status and boolean components alone, so nothing else a
 * health function returns (addresses, counts, modes) can reach an unauthenticated caller.
 */
export function healthBody(health: Health): Health {
  const components = Object.fromEntries(Object.entries(health.components ?? {}).filter(([, up]) => typeof up === 'boolean'));
  return { status: health.status === 'ok' ? 'ok' : 'degraded', ...(Object.keys(components).length && { components }) };
}

/** `host:port` or `[v6]:port` as listen() takes it. */
export function listenAddress(value: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(value);
  if (!m) throw new Error(`${value} is not host:port`);
  return { host: m[1] as string, port: Number(m[2]) };
}

export async function startHttpServer(options: HttpServerOptions): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const { metrics, logger, metricsToken } = options;
  const routes: Record<string, Route> = {
    ...(options.health && {
      'GET /healthz': (_req, res) => {
        // 200 when degraded too: the bot still answers lookups, and a restart would not bring Temporal back.
        send(res, 200, 'application/json', JSON.stringify(healthBody((options.health as () => Health)())));
      },
    }),
    ...(options.serveMetrics !== false && {
      'GET /metrics': (req, res) => {
        if (metricsToken && !bearerMatches(req, metricsToken)) {
          res.setHeader('www-authenticate', 'Bearer');
          return send(
            res,
            401,
            'application/json',
            JSON.stringify({ error: 'unauthorized', message: 'Send Authorization: Bearer <SWITCHBOARD_METRICS_TOKEN>.' }),
          );
        }
        send(res, 200, 'text/plain; version=0.0.4', metrics.render());
      },
    }),
    ...options.routes,
  };
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const key = `${req.method} ${path}`;
    // `POST /api/callbacks/*` serves every path below the prefix.
    const prefix = routes[key] ? undefined : Object.keys(routes).find((k) => k.endsWith('/*') && key.startsWith(k.slice(0, -1)));
    const route = routes[key] ?? (prefix ? routes[prefix] : undefined);
    res.on('finish', () =>
      metrics.inc('switchboard_http_requests_total', 'HTTP requests served', {
        route: route ? (prefix ?? key) : 'unmatched',
        status: String(res.statusCode),
      }),
    );
    if (!route) {
      send(res, 404, 'application/json', JSON.stringify({ error: 'not_found', message: `No route for ${key}` }));
      return;
    }
    try {
      await route(req, res);
    } catch (err) {
      logger.error({ err, route: key }, 'request failed');
      if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ error: 'internal_error' }));
    }
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolvePromise());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    server,
    port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}
