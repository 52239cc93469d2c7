/** The HTTP surface: health and metrics now; chat platforms mount their routes here as they arrive. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';

export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServerOptions {
  port: number;
  host?: string;
  metrics: Metrics;
  health: () => Record<string, unknown> & { status: 'ok' | 'degraded' };
  routes?: Record<string, Route>;
  logger: Logger;
}

export async function startHttpServer(options: HttpServerOptions): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const { metrics, logger } = options;
  const routes: Record<string, Route> = {
    'GET /healthz': (_req, res) => {
      const health = options.health();
      send(res, health.status === 'ok' ? 200 : 503, 'application/json', JSON.stringify(health));
    },
    'GET /metrics': (_req, res) => send(res, 200, 'text/plain; version=0.0.4', metrics.render()),
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
