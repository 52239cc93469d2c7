import { describe, expect, it } from 'vitest';
import { decodeAction, encodeAction, parseCommand, parseMention } from './intents.js';

describe('parseCommand', () => {
  it('reads /whoowns and /runbook with their query', () => {
    expect(parseCommand('/whoowns', ' payments api ')).toEqual({ kind: 'whoowns', query: 'payments api' });
    expect(parseCommand('/runbook', 'checkout')).toEqual({ kind: 'runbook', query: 'checkout' });
  });

  it('reads /switchboard sub-commands, with a depth for deps', () => {
    expect(parseCommand('/switchboard', 'deps auth 2')).toEqual({ kind: 'deps', query: 'auth', depth: 2 });
    expect(parseCommand('/switchboard', 'deps auth')).toEqual({ kind: 'deps', query: 'auth', depth: 1 });
    expect(parseCommand('/switchboard', 'whoowns payments')).toEqual({ kind: 'whoowns', query: 'payments' });
    expect(parseCommand('/switchboard', 'help')).toEqual({ kind: 'help' });
  });

  it('answers an empty query with help saying what to type', () => {
    expect(parseCommand('/whoowns', '  ')).toEqual({ kind: 'help', reason: expect.stringContaining('/whoowns payments') });
  });

  it('answers an unknown sub-command with help naming it', () => {
    expect(parseCommand('/switchboard', 'frobnicate x')).toEqual({ kind: 'help', reason: 'I don\'t know "frobnicate x".' });
  });
});

describe('parseMention', () => {
  it('understands who owns, with the mention and punctuation stripped', () => {
    expect(parseMention('<@U123ABC> who owns payments?')).toEqual({ kind: 'whoowns', query: 'payments' });
  });

  it('understands on-call questions as ownership cards', () => {
    expect(parseMention('<@U1> who is on call for checkout-web')).toEqual({ kind: 'whoowns', query: 'checkout-web' });
  });

  it('understands runbook questions in several phrasings', () => {
    expect(parseMention('<@U1> runbook for checkout')).toEqual({ kind: 'runbook', query: 'checkout' });
    expect(parseMention('<@U1> where is the runbook for the ledger?')).toEqual({ kind: 'runbook', query: 'ledger' });
    expect(parseMention('<@U1> ledger runbook')).toEqual({ kind: 'runbook', query: 'ledger' });
  });

  it('understands what depends on', () => {
    expect(parseMention('<@U1> what depends on auth?')).toEqual({ kind: 'deps', query: 'auth', depth: 1 });
  });

  it('strips Teams <at> mentions too', () => {
    expect(parseMention('<at>Switchboard</at> who owns payments')).toEqual({ kind: 'whoowns', query: 'payments' });
  });

  it('answers anything else with help, never silence', () => {
    expect(parseMention('<@U1> tell me a joke')).toMatchObject({ kind: 'help', reason: expect.stringContaining('tell me a joke') });
    expect(parseMention('<@U1>')).toEqual({ kind: 'help', reason: undefined });
  });
});

describe('button actions', () => {
  it('round-trip through encode and decode', () => {
    for (const intent of [
      { kind: 'whoowns', query: 'component:default/payments-api' },
      { kind: 'share', query: 'component:default/x' },
      { kind: 'deps', query: 'component:default/auth', depth: 3 },
    ] as const) {
      expect(decodeAction(encodeAction(intent))).toEqual(intent);
    }
  });

  it('decodes a tampered value to help', () => {
    expect(decodeAction('drop-tables|x')).toEqual({ kind: 'help' });
    expect(decodeAction('')).toEqual({ kind: 'help' });
  });
});
