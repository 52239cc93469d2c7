/**
 * The catalog's own Schedules as a provider: what the catalog answered before there were providers
 * (src/catalog/queries/facts.ts onCallFor, the schedule named on the entity or its owner), its entries'
 * `source` being the Schedule's ref (`schedule:default/payments`). In process, so never unknown.
 */
import type { OnCall } from '../catalog/queries/types.js';
import type { OnCallProvider } from './contract.js';

export function scheduleProvider(onCallFor: (ref: string, at: Date) => OnCall[]): OnCallProvider {
  let lastOkAt: string | null = null;
  return {
    name: 'schedule',
    title: 'Catalog schedules',
    applies: () => true,
    async lookup(subject, at) {
      const onCall = onCallFor(subject.ref, at);
      lastOkAt = new Date().toISOString();
      return { onCall, unknown: [] };
    },
    status: () => ({ provider: 'schedule', title: 'Catalog schedules', configured: true, ok: true, lastError: null, lastOkAt }),
  };
}
