/**
 * The attestations and questions `switchboard health` reads: the shared state when SWITCHBOARD_STATE_URL
 * names one, else the SQLite state file. A state file that does not exist yet holds nothing; it is not created.
 */
import { existsSync } from 'node:fs';
import type { CatalogTruth } from '../state/truth.js';

type Reads = Pick<CatalogTruth, 'attestations' | 'questionCounts'>;
const NONE: Reads = { attestations: async () => new Map(), questionCounts: async () => [] };

export async function openQuestionTruth(stateUrl: string | undefined, dbFile: string): Promise<{ truth: Reads; close(): Promise<void> }> {
  if (stateUrl) {
    const { openStateStore } = await import('../state/store.js');
    const store = await openStateStore({ url: stateUrl, file: dbFile, sealAudit: false });
    return { truth: store.truth, close: () => store.close() };
  }
  if (dbFile !== ':memory:' && !existsSync(dbFile)) return { truth: NONE, close: async () => {} };
  const { openTruth } = await import('../state/truth.js');
  const truth = openTruth(dbFile);
  return { truth, close: async () => truth.close() };
}
