import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HookError, pollHook, postHook, SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER, verifySignature } from './webhook.js';

const SECRET = 'hook-secret-3f9a1c';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  verified: ReturnType<typeof verifySignature>;
}

type Handler = (req: Received, res: ServerResponse) => void;

const servers: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A real receiver on loopback that checks every request's signature with verifySignature. */
async function receiver(handler: Handler, secret = SECRET): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, verified: verifySignature(secret, req.headers, body) };
      received.push(r);
      if (!r.verified.ok) {
        res.writeHead(401, { 'content-type': 'text/plain' }).end(`bad signature: ${r.verified.reason}`);
        return;
      }
      handler(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/provision`, received };
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));

async function hookError(promise: Promise<unknown>): Promise<HookError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HookError);
  return err as HookError;
}

describe('signatures', () => {
  const body = '{"service":"payments-api"}';
  const now = new Date('2025-03-01T12:00:00Z');

  it('accepts a body signed with the same secret', () => {
    expect(verifySignature(SECRET, signBody(SECRET, body, now), body, now)).toEqual({ ok: true });
  });

  it('refuses a signature made with another secret', () => {
    const result = verifySignature(SECRET, signBody('another-secret', body, now), body, now);
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/signature does not match/) });
  });

  it('refuses a body changed after signing', () => {
    const result = verifySignature(SECRET, signBody(SECRET, body, now), '{"service":"ledger"}', now);
    expect(result.ok).toBe(false);
  });

  it('refuses a stale timestamp, even with a valid signature', () => {
    const sixMinutesAgo = new Date(now.getTime() - 360_000);
    const result = verifySignature(SECRET, signBody(SECRET, body, sixMinutesAgo), body, now);
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/360 s away from now/) });
  });

  it('refuses a missing header, naming it', () => {
    const headers = signBody(SECRET, body, now);
    delete headers[SIGNATURE_HEADER];
    expect(verifySignature(SECRET, headers, body, now)).toEqual({ ok: false, reason: `the ${SIGNATURE_HEADER} header is missing` });
  });

  it('refuses a signature that is not v1 hex', () => {
    const headers = { ...signBody(SECRET, body, now), [SIGNATURE_HEADER]: 'v0=abc' };
    expect(verifySignature(SECRET, headers, body, now)).toEqual({ ok: false, reason: expect.stringMatching(/must be v1=/) });
  });

  it('signs v1:<timestamp>:<body> with the timestamp in seconds', () => {
    const headers = signBody(SECRET, body, now);
    expect(headers[TIMESTAMP_HEADER]).toBe('1740830400');
    expect(headers[SIGNATURE_HEADER]).toMatch(/^v1=[0-9a-f]{64}$/);
  });
});

describe('postHook', () => {
  it('posts signed JSON with the idempotency key and returns a final outcome', async () => {
    const hook = await receiver((_req, res) => json(res, 200, { status: 'succeeded', message: 'done', output: { host: 'db-1' }, extra: 1 }));
    const result = await postHook({ url: hook.url, secret: SECRET, body: { service: 'payments-api' }, idempotencyKey: 'req-1/provision' });
    expect(result).toEqual({ status: 200, outcome: { status: 'succeeded', message: 'done', output: { host: 'db-1' } } });
    const [req] = hook.received;
    expect(req?.verified).toEqual({ ok: true });
    expect(req?.method).toBe('POST');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['idempotency-key']).toBe('req-1/provision');
    expect(JSON.parse(req?.body ?? '')).toEqual({ service: 'payments-api' });
  });

  it('returns a failed outcome as an outcome, not an error', async () => {
    const hook = await receiver((_req, res) => json(res, 200, { status: 'failed', message: 'quota exceeded' }));
    const result = await postHook({ url: hook.url, secret: SECRET, body: {}, idempotencyKey: 'k' });
    expect(result.outcome).toEqual({ status: 'failed', message: 'quota exceeded' });
  });

  it.each([
    ['running', (res: ServerResponse) => json(res, 202, { status: 'running' })],
    ['an empty body', (res: ServerResponse) => res.writeHead(202).end()],
    ['text that is not JSON', (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/plain' }).end('queued')],
  ])('treats a 2xx with %s as accepted', async (_what, answer) => {
    const hook = await receiver((_req, res) => answer(res));
    const result = await postHook({ url: hook.url, secret: SECRET, body: {}, idempotencyKey: 'k' });
    expect(result.outcome).toBe('accepted');
  });

  it('fails without retry on a 4xx, naming the URL, the status and the body', async () => {
    const hook = await receiver((_req, res) => json(res, 422, { error: 'size must be small, medium or large' }));
    const err = await hookError(postHook({ url: hook.url, secret: SECRET, body: {}, idempotencyKey: 'k' }));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(hook.url);
    expect(err.message).toContain('422');
    expect(err.message).toContain('size must be small, medium or large');
  });

  it('fails without retry when the receiver refuses the signature', async () => {
    const hook = await receiver(() => undefined, 'the-receivers-other-secret');
    const err = await hookError(postHook({ url: hook.url, secret: SECRET, body: {}, idempotencyKey: 'k' }));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/401: bad signature/);
  });

  it('keeps the body in the message to its first 200 characters', async () => {
    const hook = await receiver((_req, res) => res.writeHead(400).end('x'.repeat(5_000)));
    const err = await hookError(postHook({ url: hook.url, secret: SECRET, body: {}, idempotencyKey: 'k' }));
    expect(err.message).toContain('x'.repeat(200));
    expect(err.message).not.toContain('x'.repeat(201));
  });

  it('never puts the secret in a message, even when the receiver echoes it', async () => {
    const hook = await receiver((_req, res) => res.writeHead(403).end(`secret ${SECRET} is revoked`));
    const err = await hookError(postHook({ url: hook.url, secret: SECRET, body: {}, idempotencyKey: 'k' }));
    expect(err.message).not.toContain(SECRET);
    expect(err.message).toContain('[redacted]');
  });

  it.each([500, 503, 408, 429])('fails with retry on %i', async (status) => {
    const hook = await receiver((_req, res) => res.writeHead(status).end('try later'));
    const err = await hookError(postHook({ url: hook.url, secret: SECRET, body: {}, idempotencyKey: 'k' }));
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(String(status));
  });

  it('fails with retry when nothing listens', async () => {
    const hook = await receiver(() => undefined);
    await Promise.all(servers.splice(0).map((s) => s.close()));
    const err = await hookError(postHook({ url: hook.url, secret: SECRET, body: {}, idempotencyKey: 'k' }));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it('fails with retry when the endpoint does not answer in time', async () => {
    const hook = await receiver(() => undefined); // never responds
    const started = Date.now();
    const err = await hookError(postHook({ url: hook.url, secret: SECRET, body: {}, idempotencyKey: 'k', timeoutMs: 200 }));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/no response within 200 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses to send without a secret', async () => {
    const err = await hookError(postHook({ url: 'http://127.0.0.1:9/', secret: '', body: {}, idempotencyKey: 'k' }));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/secretEnv/);
  });
});

describe('pollHook', () => {
  it('polls past a 500 and running until the endpoint reports an ending', async () => {
    const answers = [
      (res: ServerResponse) => res.writeHead(500).end('oops'),
      (res: ServerResponse) => json(res, 200, { status: 'running' }),
      (res: ServerResponse) => json(res, 200, { status: 'succeeded', output: { bucket: 'payments-api-prod' } }),
    ];
    const hook = await receiver((_req, res) => (answers.shift() ?? answers[0])?.(res));
    const beats: unknown[] = [];
    const outcome = await pollHook({
      url: `${hook.url}?region=eu`,
      secret: SECRET,
      idempotencyKey: 'req-1/deprovision',
      everyMs: 20,
      timeoutMs: 5_000,
      heartbeat: (d) => beats.push(d),
    });
    expect(outcome).toEqual({ status: 'succeeded', output: { bucket: 'payments-api-prod' } });
    expect(hook.received).toHaveLength(3);
    expect(hook.received.every((r) => r.method === 'GET' && r.verified.ok)).toBe(true);
    expect(hook.received[0]?.url).toBe('/hooks/provision?region=eu&id=req-1%2Fdeprovision');
    expect(beats).toEqual([
      { polls: 1, lastStatus: 'HTTP 500' },
      { polls: 2, lastStatus: 'running' },
    ]);
  });

  it('fails without retry when the endpoint never finishes, naming the last answer', async () => {
    const hook = await receiver((_req, res) => json(res, 200, { status: 'running' }));
    const started = Date.now();
    const err = await hookError(pollHook({ url: hook.url, secret: SECRET, idempotencyKey: 'k', everyMs: 50, timeoutMs: 300 }));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/did not finish within 300 ms \(\d+ polls; last: running\)/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    // Far below the 60 s a stuck loop would take; generous for a loaded CI machine.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('fails at once on a 4xx such as an unknown id', async () => {
    const hook = await receiver((_req, res) => json(res, 404, { error: 'no such request' }));
    const err = await hookError(pollHook({ url: hook.url, secret: SECRET, idempotencyKey: 'k', everyMs: 20, timeoutMs: 5_000 }));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/404: \{"error":"no such request"\}/);
    expect(hook.received).toHaveLength(1);
  });

  it('stops when aborted, rejecting with the abort reason', async () => {
    const hook = await receiver((_req, res) => json(res, 200, { status: 'running' }));
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    setTimeout(() => controller.abort(reason), 100);
    const started = Date.now();
    await expect(pollHook({ url: hook.url, secret: SECRET, idempotencyKey: 'k', everyMs: 10_000, timeoutMs: 60_000, signal: controller.signal })).rejects.toBe(
      reason,
    );
    // Well before the next poll (10 s) would have come.
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
