import { describe, expect, it } from 'vitest';
import type { OnCall } from '../catalog/index.js';
import type { OnCallProvider, OnCallSubject } from './contract.js';
import { combineProviders } from './providers.js';
import { scheduleProvider } from './schedule.js';

const subject: OnCallSubject = { ref: 'component:default/payments-api', annotations: { 'example.com/team': 'x' }, ownerRef: null };
const entry = (user: string, source: string): OnCall => ({
  user,
  displayName: user,
  email: null,
  chatIds: {},
  rotation: 'primary',
  from: '2026-11-24T00:00:00.000Z',
  until: null,
  override: false,
  source,
});
const provider = (name: string, lookup: OnCallProvider['lookup'], applies = true): OnCallProvider => ({
  name,
  title: name.toUpperCase(),
  applies: () => applies,
  lookup,
  status: () => ({ provider: name, title: name.toUpperCase(), configured: true, ok: true, lastError: null, lastOkAt: null }),
});

describe('the providers asked together', () => {
  it('puts the catalog’s Schedules first and a broken provider in unknown, keeping the others’ answers', async () => {
    const providers = combineProviders([
      scheduleProvider(() => [entry('user:default/alice', 'schedule:default/payments')]),
      provider('broken', () => Promise.reject(new TypeError('cannot read properties of undefined'))),
      provider('other', async () => ({ onCall: [entry('email:bob@example.com', 'other:x')], unknown: [] })),
    ]);
    expect(await providers.lookup(subject, new Date())).toEqual({
      onCall: [entry('user:default/alice', 'schedule:default/payments'), entry('email:bob@example.com', 'other:x')],
      unknown: [{ provider: 'broken', reason: 'BROKEN failed: cannot read properties of undefined' }],
    });
  });

  it('asks only the providers that apply to the entity', async () => {
    let asked = 0;
    const providers = combineProviders([provider('skipped', async () => ((asked += 1), { onCall: [], unknown: [] }), false)]);
    expect(await providers.lookup(subject, new Date())).toEqual({ onCall: [], unknown: [] });
    expect(asked).toBe(0);
  });

  it('lists one status per provider, for /healthz', () => {
    const providers = combineProviders([scheduleProvider(() => []), provider('other', async () => ({ onCall: [], unknown: [] }))]);
    expect(providers.statuses().map((s) => [s.provider, s.ok])).toEqual([
      ['schedule', true],
      ['other', true],
    ]);
  });
});
