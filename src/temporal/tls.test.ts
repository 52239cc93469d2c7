/**
 * Temporal is a trust boundary: the TEMPORAL_TLS_* / TEMPORAL_API_KEY settings are checked at start-up
 * (each problem names its variable), read once into the options both connections take, and a client
 * set up for TLS never falls back to plaintext when the server does not speak TLS.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';
import { tempTree } from '../testing/fixtures.js';
import { describeWithTemporal, startTemporal } from '../testing/temporal.js';
import { createTemporalAccess, runWorker } from './index.js';
import { describeTemporalAuth, TemporalAuthError, temporalConnectionSettings } from './tls.js';

const tree = tempTree('switchboard-tls-');
afterAll(() => tree.cleanup());

/** A self-signed certificate and its key, as a Temporal operator would hand out (openssl, PEM). */
function certificate(): { cert: string; key: string } {
  const cert = tree.path('client.pem');
  const key = tree.path('client.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ed25519', '-nodes', '-days', '1', '-subj', '/CN=switchboard', '-keyout', key, '-out', cert], {
    stdio: 'ignore',
  });
  return { cert, key };
}

const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('TEMPORAL_TLS_* and TEMPORAL_API_KEY in the config', () => {
  it('refuses a client certificate without its key, naming the missing variable', () => {
    const { cert } = certificate();
    expect(problems({ TEMPORAL_ADDRESS: 'temporal.example:7233', TEMPORAL_TLS_CERT: cert })).toEqual([
      expect.stringMatching(/^TEMPORAL_TLS_KEY: is required with TEMPORAL_TLS_CERT/),
    ]);
  });

  it('refuses a key without its certificate', () => {
    const { key } = certificate();
    expect(problems({ TEMPORAL_ADDRESS: 'temporal.example:7233', TEMPORAL_TLS_KEY: key })).toEqual([expect.stringMatching(/^TEMPORAL_TLS_CERT: is required/)]);
  });

  it('refuses a certificate file that cannot be read, naming the variable and the path', () => {
    const { key } = certificate();
    const missing = tree.path('nowhere.pem');
    expect(problems({ TEMPORAL_ADDRESS: 'temporal.example:7233', TEMPORAL_TLS_CERT: missing, TEMPORAL_TLS_KEY: key })).toEqual([
      `TEMPORAL_TLS_CERT: cannot read ${missing} (ENOENT)`,
    ]);
    expect(problems({ TEMPORAL_ADDRESS: 'temporal.example:7233', TEMPORAL_TLS_CA: missing })).toEqual([`TEMPORAL_TLS_CA: cannot read ${missing} (ENOENT)`]);
  });

  it('refuses TLS settings without TEMPORAL_ADDRESS: the local dev server is plaintext', () => {
    expect(problems({ TEMPORAL_API_KEY: 'key-123' })).toEqual([
      expect.stringMatching(/^TEMPORAL_ADDRESS: is required with TEMPORAL_TLS_\* \/ TEMPORAL_API_KEY/),
    ]);
  });
});

describe('the connection settings', () => {
  it('are plaintext when nothing is set', () => {
    expect(temporalConnectionSettings(loadConfig({ TEMPORAL_ADDRESS: 'localhost:7233' }))).toEqual({});
  });

  it('carry the certificate pair, the CA and the server name, read from the files', () => {
    const { cert, key } = certificate();
    const ca = tree.path('ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n');
    const settings = temporalConnectionSettings(
      loadConfig({
        TEMPORAL_ADDRESS: 'temporal.example:7233',
        TEMPORAL_TLS_CERT: cert,
        TEMPORAL_TLS_KEY: key,
        TEMPORAL_TLS_CA: ca,
        TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      }),
    );
    expect(Buffer.from(settings.tls?.clientCertPair?.crt ?? []).toString()).toMatch(/BEGIN CERTIFICATE/);
    expect(Buffer.from(settings.tls?.clientCertPair?.key ?? []).toString()).toMatch(/BEGIN PRIVATE KEY/);
    expect(Buffer.from(settings.tls?.serverRootCACertificate ?? []).toString()).toContain('\nca\n');
    expect(settings.tls?.serverNameOverride).toBe('temporal.internal');
    expect(settings.apiKey).toBeUndefined();
    expect(describeTemporalAuth(settings)).toBe('mTLS + private CA');
  });

  it('turn TLS on with an API key, as Temporal Cloud requires', () => {
    const settings = temporalConnectionSettings(loadConfig({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'cloud-key' }));
    expect(settings).toEqual({ tls: {}, apiKey: 'cloud-key' });
  });

  it('fail with the variable named when a file vanished after the config was checked', () => {
    const { cert, key } = certificate();
    const config = loadConfig({ TEMPORAL_ADDRESS: 'temporal.example:7233', TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key });
    rmSync(key);
    expect(() => temporalConnectionSettings(config)).toThrow(TemporalAuthError);
    expect(() => temporalConnectionSettings(config)).toThrow(/^TEMPORAL_TLS_KEY: cannot read/);
  });
});

describeWithTemporal('a TLS client against a plaintext Temporal server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startTemporal();
  }, 120_000);
  afterAll(async () => {
    await env?.teardown();
  });

  const attempt = async (settings: ReturnType<typeof temporalConnectionSettings>) => {
    const access = createTemporalAccess({ address: env.address, namespace: 'default', logger: pino({ level: 'silent' }), auth: settings });
    try {
      await access.client();
      return { connected: true, reason: '' };
    } catch (err) {
      return { connected: access.connected(), reason: (err as Error).message };
    } finally {
      await access.close();
    }
  };

  it('connects in plaintext when no TLS is configured (the control)', async () => {
    expect((await attempt({})).connected).toBe(true);
  });

  it('refuses to connect with mTLS configured, saying TLS was in use, instead of falling back to plaintext', async () => {
    const { cert, key } = certificate();
    const result = await attempt(temporalConnectionSettings(loadConfig({ TEMPORAL_ADDRESS: env.address, TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key })));
    expect(result.connected).toBe(false);
    expect(result.reason).toMatch(new RegExp(`^Temporal at ${env.address.replace(/\./g, '\\.')} \\(namespace default, mTLS\\) cannot be reached: `));
  }, 30_000);

  it('refuses to connect with an API key configured (TLS implied)', async () => {
    const result = await attempt(temporalConnectionSettings(loadConfig({ TEMPORAL_ADDRESS: env.address, TEMPORAL_API_KEY: 'cloud-key' })));
    expect(result.connected).toBe(false);
    expect(result.reason).toMatch(/\(namespace default, TLS \+ API key\) cannot be reached: .* \(with TLS on: check that the server speaks TLS/);
  }, 30_000);

  it('keeps the worker down too: its connection takes the same settings and does not fall back', async () => {
    const stop = new AbortController();
    const states: string[] = [];
    let sawDown: () => void = () => {};
    const down = new Promise<void>((r) => (sawDown = r));
    const worker = runWorker({
      address: env.address,
      namespace: 'default',
      taskQueue: 'tls-probe',
      activities: {},
      logger: pino({ level: 'silent' }),
      signal: stop.signal,
      auth: { tls: {}, apiKey: 'cloud-key' },
      onState: (s) => {
        states.push(s);
        if (s === 'down') sawDown();
      },
    });
    await down;
    stop.abort();
    await worker;
    expect(states).not.toContain('running');
  }, 60_000);
});
