/**
 * The attestations a terminal command reads: the shared state when SWITCHBOARD_STATE_URL names one,
 * else the SQLite state file. A state file that does not exist yet holds no answers, so it is not created.
 */
import { existsSync } from 'node:fs';
import type { AttestationReader } from './verification.js';

export interface OpenedReader {
  reader: AttestationReader;
  close(): Promise<void>;
}

const NONE: AttestationReader = { attestations: async () => new Map() };

export async function openAttestationReader(stateUrl: string | undefined, dbFile: string): Promise<OpenedReader> {
  if (stateUrl) {
    const { openStateStore } = await import('../state/store.js');
    const store = await openStateStore({ url: stateUrl, file: dbFile, sealAudit: false });
    return { reader: store.truth, close: () => store.close() };
  }
  if (dbFile !== ':memory:' && !existsSync(dbFile)) return { reader: NONE, close: async () => {} };
  const { openTruth } = await import('../state/truth.js');
  const truth = openTruth(dbFile);
  return { reader: truth, close: async () => truth.close() };
}
