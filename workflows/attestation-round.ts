/** How a "Still yours?" round is named. Pure, so workflow code and tests share it. */
import type { AttestationRoundInput } from './attestation-contract.js';

/** The round a run belongs to, from when it started (UTC): the same for every retry and replica. */
export function roundName(at: Date, period: AttestationRoundInput['period']): string {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth() + 1;
  if (period === 'quarterly') return `${y}-Q${Math.ceil(m / 3)}`;
  if (period === 'monthly') return `${y}-${String(m).padStart(2, '0')}`;
  return at.toISOString().slice(0, 10);
}
