/** Wrong deploy tokens are rate-limited per client address, over real HTTP on loopback. */
import { request } from 'node:http';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { deploymentsRoute } from './deployments-route.js';
import { Metrics } from './metrics.js';
import { failureLimiter } from './rate-limit.js';
import { startHttpServer } from './server.js';

const TOKEN = 'deploy-token-0123456789';
const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

/** A deployments endpoint whose limiter reads `clock.now`; deploys are accepted and not stored. */
async function serve() {
  const clock = { now: 1_000_000 };
  const metrics = new Metrics();
  const route = deploymentsRoute({
    token: TOKEN,
    deployments: { record: (serviceRef, d) => ({ id: 1, serviceRef, ...d }) as never },
    serviceRef: (s) => `component:default/${s}`,
    limiter: failureLimiter({ max: 10, windowMs: 60_000, now: () => clock.now }),
    metrics,
  });
  const http = await startHttpServer({ port: 0, host: '127.0.0.1', metrics, logger: pino({ level: 'silent' }), routes: { 'POST /api/deployments': route } });
  open.push(http.close);
  return { port: http.port, clock };
}

/** POSTs a deploy with `token`, from the loopback address `from` (all of 127/8 is loopback on Linux). */
function deploy(port: number, token: string, from = '127.0.0.1'): Promise<{ status: number; retryAfter?: string }> {
  const body = JSON.stringify({ service: 'ledger', version: '1.0.0' });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/deployments',
        method: 'POST',
        localAddress: from,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(res.headers['retry-after'] && { retryAfter: String(res.headers['retry-after']) }) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('POST /api/deployments with wrong tokens', () => {
  it('answers 429 with Retry-After after 10 wrong tokens a minute, even to the right token', async () => {
    const { port, clock } = await serve();
    for (let i = 0; i < 10; i++) expect((await deploy(port, `wrong-token-${i}-0123456789`)).status).toBe(401);
    clock.now += 15_000;
    expect(await deploy(port, 'wrong-token-x-0123456789')).toEqual({ status: 429, retryAfter: '45' });
    expect((await deploy(port, TOKEN)).status).toBe(429);
  });

  it('lets the client try again once its oldest failure is a minute old', async () => {
    const { port, clock } = await serve();
    for (let i = 0; i < 10; i++) await deploy(port, 'wrong-token-0123456789');
    clock.now += 60_001;
    expect((await deploy(port, TOKEN)).status).toBe(201);
  });

  it('limits the client that failed, not another address', async () => {
    const { port } = await serve();
    for (let i = 0; i < 10; i++) await deploy(port, 'wrong-token-0123456789', '127.0.0.2');
    expect((await deploy(port, 'wrong-token-0123456789', '127.0.0.2')).status).toBe(429);
    expect((await deploy(port, TOKEN, '127.0.0.3')).status).toBe(201);
  });

  it('counts wrong tokens and refused clients in /metrics', async () => {
    const { port } = await serve();
    for (let i = 0; i < 11; i++) await deploy(port, 'wrong-token-0123456789');
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toContain('switchboard_deploy_auth_refused_total{reason="bad_token"} 10');
    expect(text).toContain('switchboard_deploy_auth_refused_total{reason="rate_limited"} 1');
  });
});
