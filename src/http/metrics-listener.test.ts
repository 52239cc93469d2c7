/** The application wires SWITCHBOARD_METRICS_ADDRESS and SWITCHBOARD_METRICS_TOKEN to real listeners. */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, startApp } from '../app.js';
import { loadConfig } from '../config.js';
import { SAMPLE_CATALOG, tempTree, type TempTree } from '../testing/fixtures.js';
import { freePort } from '../testing/harness.js';

const TOKEN = 'metrics-token-0123456789';
let tree: TempTree;
let app: App;
let metricsPort: number;

beforeAll(async () => {
  tree = tempTree('switchboard-metrics-');
  metricsPort = await freePort();
  const env = {
    SWITCHBOARD_DB: tree.path('data/switchboard.db'),
    SWITCHBOARD_CATALOG: SAMPLE_CATALOG,
    PORT: '0',
    LOG_LEVEL: 'silent',
    SWITCHBOARD_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
    SWITCHBOARD_METRICS_TOKEN: TOKEN,
  };
  app = await startApp({ mode: 'bot', config: loadConfig(env), dbFile: env.SWITCHBOARD_DB, env, logger: pino({ level: 'silent' }), host: '127.0.0.1' });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  tree?.cleanup();
});

describe('SWITCHBOARD_METRICS_ADDRESS with SWITCHBOARD_METRICS_TOKEN', () => {
  it('serves /metrics on its own address behind the token, and not on PORT', async () => {
    expect((await fetch(`http://127.0.0.1:${app.port}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status).toBe(401);
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await res.text()).toMatch(/^switchboard_catalog_entities \d+$/m);
  });

  it('keeps /healthz on PORT, telling status and components only', async () => {
    const health = await (await fetch(`http://127.0.0.1:${app.port}/healthz`)).json();
    // A bot without TEMPORAL_ADDRESS cannot run self-service: degraded, and nothing says where Temporal is.
    expect(health).toEqual({ status: 'degraded', components: { catalog: true, temporal: false, state: true } });
    expect(await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.text())).toContain(
      'switchboard_component_up{component="temporal"} 0',
    );
  });
});

describe('configuration', () => {
  it('names SWITCHBOARD_METRICS_ADDRESS when it is not host:port', () => {
    expect(() => loadConfig({ SWITCHBOARD_METRICS_ADDRESS: '9464' })).toThrow(/SWITCHBOARD_METRICS_ADDRESS: must be host:port/);
  });

  it('names SWITCHBOARD_METRICS_TOKEN when it is too short to be a secret', () => {
    expect(() => loadConfig({ SWITCHBOARD_METRICS_TOKEN: 'short' })).toThrow(/SWITCHBOARD_METRICS_TOKEN: must be at least 16 characters/);
  });
});
