/** The HTTP surface's own routes over real HTTP: what /healthz may tell, and how /metrics is guarded. */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from './metrics.js';
import { type Health, type HttpServerOptions, listenAddress, startHttpServer } from './server.js';

const TOKEN = 'metrics-token-0123456789';
const open: (() => Promise<void>)[] = [];

async function serve(opts: Partial<HttpServerOptions>): Promise<string> {
  const http = await startHttpServer({ port: 0, host: '127.0.0.1', metrics: new Metrics(), logger: pino({ level: 'silent' }), ...opts });
  open.push(http.close);
  return `http://127.0.0.1:${http.port}`;
}

afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

describe('GET /healthz', () => {
  it('tells status and per-component booleans only, whatever else the health check knows', async () => {
    const leaky = () =>
      ({
        status: 'degraded',
        components: { catalog: true, temporal: false, address: 'temporal.internal:7233' },
        temporal: { address: 'temporal.internal:7233' },
        mode: 'bot',
      }) as unknown as Health;
    const res = await fetch(`${await serve({ health: leaky })}/healthz`);
    expect(await res.json()).toEqual({ status: 'degraded', components: { catalog: true, temporal: false } });
  });

  it('answers 200 when degraded: the process serves, and a restart would not bring a component back', async () => {
    const res = await fetch(`${await serve({ health: () => ({ status: 'degraded', components: { temporal: false } }) })}/healthz`);
    expect(res.status).toBe(200);
  });
});

describe('GET /metrics', () => {
  it('is open when no token is set, as before', async () => {
    expect((await fetch(`${await serve({})}/metrics`)).status).toBe(200);
  });

  it('with SWITCHBOARD_METRICS_TOKEN, refuses a missing or wrong bearer token with 401 and serves the right one', async () => {
    const base = await serve({ metricsToken: TOKEN });
    const missing = await fetch(`${base}/metrics`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(await missing.text()).not.toContain('switchboard_');
    expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    const ok = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('switchboard_http_requests_total');
  });

  it('is not served on the main listener when it has its own, which serves nothing else', async () => {
    const metrics = new Metrics();
    const main = await serve({ metrics, serveMetrics: false, health: () => ({ status: 'ok' }) });
    const own = await serve({ metrics });
    expect((await fetch(`${main}/metrics`)).status).toBe(404);
    expect((await fetch(`${main}/healthz`)).status).toBe(200);
    expect((await fetch(`${own}/healthz`)).status).toBe(404);
    expect(await (await fetch(`${own}/metrics`)).text()).toContain('route="GET /healthz",status="200"');
  });
});

describe('listenAddress', () => {
  it('reads host:port and [v6]:port', () => {
    expect(listenAddress('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(listenAddress('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
  });
});
