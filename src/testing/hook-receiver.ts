/**
 * Test support: an infrastructure service on loopback for webhook steps. It checks Switchboard's
 * signature on every request, answers the way the test sets (callback, sync, fail or hold), serves
 * status polls and sends signed callbacks.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../activities/webhook.js';
import { signCallback } from '../http/callback-signature.js';

export const HOOK_SECRET = 'hook-secret-for-tests-0123456789';

export interface HookCall {
  path: string;
  body: Record<string, unknown> & { id: string; callbackUrl?: string; inputs: Record<string, unknown> };
  signatureOk: boolean;
}

export interface HookReceiver {
  url: string;
  calls: HookCall[];
  /** How the receiver answers: `callback` (202, then a signed callback after `delayMs`), `sync`, `fail`, or `hold` (answer nothing until released). */
  mode: { kind: 'callback' | 'sync' | 'fail' | 'hold'; delayMs?: number };
  /** Status polls received, by request id. */
  polls: Map<string, number>;
  /** Sends the callbacks of held calls. */
  release(): Promise<void>;
  close(): Promise<void>;
}

async function read(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** An infrastructure service on loopback: checks Switchboard's signature, answers, and calls back signed. */
export async function startHookReceiver(secret = HOOK_SECRET): Promise<HookReceiver> {
  const calls: HookCall[] = [];
  const held: HookCall[] = [];
  const polls = new Map<string, number>();
  const callback = async (call: HookCall, status: 'succeeded' | 'failed' = 'succeeded') => {
    if (!call.body.callbackUrl) return;
    const body = JSON.stringify({
      status,
      message: status === 'succeeded' ? `done by ${call.path}` : 'the receiver failed',
      output: { url: `https://console.example/${encodeURIComponent(call.body.id)}`, title: 'Console' },
    });
    // As a receiver should: a 503 (no worker took it yet) is sent again after Retry-After, signed afresh.
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(call.body.callbackUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signCallback(secret, call.body.callbackUrl, body) },
        body,
      });
      if (res.status !== 503 || attempt === 20) return;
      await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
    }
  };
  const receiver: HookReceiver = {
    url: '',
    calls,
    polls,
    mode: { kind: 'callback', delayMs: 50 },
    async release() {
      for (const call of held.splice(0)) await callback(call);
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server: Server = createServer(async (req, res) => {
    const raw = await read(req);
    if (req.method === 'GET') {
      // A status poll: running for the first poll of an id, then done.
      const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? '';
      polls.set(id, (polls.get(id) ?? 0) + 1);
      if (!verifySignature(secret, req.headers, raw).ok) return res.writeHead(401).end('bad signature');
      const status = (polls.get(id) ?? 0) > 1 ? 'succeeded' : 'running';
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status, message: `polled ${polls.get(id)} times` }));
    }
    const call: HookCall = { path: req.url ?? '/', body: JSON.parse(raw || '{}'), signatureOk: verifySignature(secret, req.headers, raw).ok };
    calls.push(call);
    if (!call.signatureOk) return res.writeHead(401).end('bad signature');
    const mode = receiver.mode;
    if (mode.kind === 'fail')
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'failed', message: 'quota exceeded' }));
    if (mode.kind === 'sync')
      return res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'succeeded', output: { url: 'https://console.example/sync', title: 'Console' } }));
    res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'running' }));
    if (mode.kind === 'hold') held.push(call);
    else setTimeout(() => void callback(call).catch(() => undefined), mode.delayMs ?? 0);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
