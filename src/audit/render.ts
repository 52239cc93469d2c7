/** Terminal output for `switchboard audit`: a compact table of rows, and the verdict of --verify. */
import type { AuditRow, VerifyResult } from './index.js';

const COLUMNS = ['SEQ', 'TIME (UTC)', 'ACTOR', 'EVENT', 'ACTION', 'TARGET', 'WORKFLOW'] as const;
// Long refs are cut so one row stays one line; the full values are in the table.
const MAX_WIDTH = 40;

export function renderAudit(rows: AuditRow[]): string {
  if (!rows.length) return 'No audit entries.';
  const cells = rows.map((r) =>
    [String(r.seq), r.at.slice(0, 19).replace('T', ' '), r.actor, r.event, r.action, r.target ?? '-', r.workflowId ?? '-'].map(cut),
  );
  const widths = COLUMNS.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) =>
    c
      .map((v, i) => (i === 0 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS), ...cells.map(line)].join('\n');
}

export function renderVerify(result: VerifyResult): string {
  const k = result.keyed;
  const keyed = k ? `Keyed from row ${k.from}${k.at ? ` (${k.at})` : ''}, key ${k.keyId}.` : 'Not keyed.';
  if (result.ok) {
    return [
      `Audit log verified: ${result.rows} rows, chain intact.`,
      keyed,
      ...result.proves.map((p) => `Proves: ${p}.`),
      ...result.cannotProve.map((c) => `Cannot prove: ${c}.`),
    ].join('\n');
  }
  const n = result.problems.length;
  return [
    `Audit log NOT intact: ${n} problem${n === 1 ? '' : 's'} in ${result.rows} rows.`,
    ...result.problems.map((p) => `  seq ${p.seq}  ${p.problem.padEnd(11)}  ${p.message}`),
    keyed,
  ].join('\n');
}

function cut(v: string): string {
  return v.length > MAX_WIDTH ? `${v.slice(0, MAX_WIDTH - 1)}…` : v;
}
