/**
 * What a terminal command (`whoowns`, `health`) reads of the catalog's truth: the shared state when
 * SWITCHBOARD_STATE_URL names one, else the SQLite state file. A state file that does not exist yet holds
 * nothing, so it is not created.
 */
import { existsSync } from 'node:fs';
import type { CatalogTruth } from './truth.js';

export type TruthReads = Pick<CatalogTruth, 'attestations' | 'questionCounts'>;

const NONE: TruthReads = { attestations: async () => new Map(), questionCounts: async () => [] };

export async function openTruthReads(stateUrl: string | undefined, dbFile: string): Promise<{ truth: TruthReads; close(): Promise<void> }> {
  if (stateUrl) {
    const { openStateStore } = await import('./store.js');
    const store = await openStateStore({ url: stateUrl, file: dbFile, sealAudit: false });
    return { truth: store.truth, close: () => store.close() };
  }
  if (dbFile !== ':memory:' && !existsSync(dbFile)) return { truth: NONE, close: async () => {} };
  const { openTruth } = await import('./truth.js');
  const truth = openTruth(dbFile);
  return { truth, close: async () => truth.close() };
}
