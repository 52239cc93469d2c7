/** The v2 callback signature, byte for byte as docs/actions-format.md ("Callbacks") tells receivers. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { callbackTarget, parseCallbackPath, signCallback, verifyCallback } from './callback-signature.js';

const SECRET = 'hook-secret-0123456789';
const URL_ = 'https://switchboard.example.com/api/callbacks/provision%2Fpayments-api%2Fpostgres%2Fproduction/provision';
const BODY = '{"status":"succeeded"}';
const AT = new Date('2026-11-24T09:00:00Z');

describe('signCallback', () => {
  it('signs "v2\\n<timestamp>\\nPOST\\n<path>\\n<request id>\\n<step>\\n<raw body>" with HMAC-SHA256', () => {
    const base = [
      'v2',
      '1795510800',
      'POST',
      '/api/callbacks/provision%2Fpayments-api%2Fpostgres%2Fproduction/provision',
      'provision/payments-api/postgres/production',
      'provision',
      BODY,
    ].join('\n');
    expect(signCallback(SECRET, URL_, BODY, AT)).toEqual({
      'x-switchboard-timestamp': '1795510800',
      'x-switchboard-signature': `v2=${createHmac('sha256', SECRET).update(base).digest('hex')}`,
    });
  });

  it('keeps the path of SWITCHBOARD_PUBLIC_URL in the signed path', () => {
    const headers = signCallback(SECRET, 'https://tools.example.com/switchboard/api/callbacks/rollback%2Fledger/deploy', BODY, AT);
    const target = callbackTarget('/switchboard', 'rollback/ledger', 'deploy');
    expect(target.path).toBe('/switchboard/api/callbacks/rollback%2Fledger/deploy');
    expect(verifyCallback(SECRET, headers, target, BODY, AT).ok).toBe(true);
    expect(verifyCallback(SECRET, headers, callbackTarget('', 'rollback/ledger', 'deploy'), BODY, AT).ok).toBe(false);
  });
});

describe('verifyCallback', () => {
  const target = callbackTarget('', 'provision/payments-api/postgres/production', 'provision');
  const headers = signCallback(SECRET, URL_, BODY, AT);

  it('names the exact request it accepted, so it can be refused a second time', () => {
    expect(verifyCallback(SECRET, headers, target, BODY, AT)).toEqual({ ok: true, signature: headers['x-switchboard-signature']?.slice(3) });
  });

  it('refuses the same signature for another step of the same request', () => {
    expect(verifyCallback(SECRET, headers, { ...target, step: 'record' }, BODY, AT).ok).toBe(false);
  });

  it('refuses a callback signed for one run when it is sent for another run of the same request', () => {
    const url = `${URL_}?run=run-one`;
    const signed = signCallback(SECRET, url, BODY, AT);
    const base = target.path.split('?')[0] ?? '';
    expect(base).toBe(target.path);
    expect(verifyCallback(SECRET, signed, callbackTarget('', target.workflowId, target.step, 'run-one'), BODY, AT).ok).toBe(true);
    expect(verifyCallback(SECRET, signed, callbackTarget('', target.workflowId, target.step, 'run-two'), BODY, AT).ok).toBe(false);
    expect(verifyCallback(SECRET, signed, target, BODY, AT).ok).toBe(false);
  });

  it('refuses another method', () => {
    expect(verifyCallback(SECRET, headers, { ...target, method: 'PUT' }, BODY, AT).ok).toBe(false);
  });

  it('refuses a timestamp over 5 minutes old or ahead, and takes one within', () => {
    expect(verifyCallback(SECRET, headers, target, BODY, new Date(AT.getTime() + 301_000))).toMatchObject({ ok: false, reason: expect.stringMatching(/old/) });
    expect(verifyCallback(SECRET, headers, target, BODY, new Date(AT.getTime() - 301_000))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/future/),
    });
    expect(verifyCallback(SECRET, headers, target, BODY, new Date(AT.getTime() + 299_000)).ok).toBe(true);
  });
});

describe('parseCallbackPath', () => {
  it('reads the request id encoded or with its slashes written out, and refuses a path without a step', () => {
    expect(parseCallbackPath('/api/callbacks/rollback%2Fledger/deploy')).toEqual({ base: '', workflowId: 'rollback/ledger', step: 'deploy' });
    expect(parseCallbackPath('/api/callbacks/rollback/ledger/deploy')).toEqual({ base: '', workflowId: 'rollback/ledger', step: 'deploy' });
    expect(parseCallbackPath('/api/callbacks/rollback')).toBeNull();
    expect(parseCallbackPath('/api/callbacks/%E0%A4%A/deploy')).toBeNull();
  });
});
