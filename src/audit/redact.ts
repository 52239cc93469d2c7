/** Keeps secrets out of the audit trail: it is read by more people, and kept longer, than any secret. */

export const REDACTED = '[redacted]';

const SECRET_KEY = /secret|token|password|passwd|api[_-]?key|private[_-]?key|credential|authorization/i;

// Each pattern runs to the next whitespace rather than a token's documented alphabet: cutting a
// credential short would leak its tail, while over-redacting only costs a little context.
const CREDENTIAL = new RegExp(
  [
    String.raw`xox[abpr]-\S+`,
    String.raw`xapp-\S+`,
    String.raw`gh[pousr]_\S+`,
    String.raw`github_pat_\S+`,
    String.raw`glpat-\S+`,
    String.raw`AKIA[0-9A-Z]{16}`,
    // A PEM block up to its END line, or to the end of the text when that is missing (truncated logs).
    String.raw`-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)`,
    // At least 8 token characters, so prose such as "the bearer of" survives.
    String.raw`\bbearer\s+[\w.~+/=-]{8,}\S*`,
  ].join('|'),
  'gi',
);

/**
 * A copy of `value` where values under secret-looking keys, and credential-looking substrings of
 * strings, are "[redacted]"; recursive through objects and arrays.
 */
export function redact(value: unknown): unknown {
  return walk(value, new WeakSet());
}

function walk(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return value.replace(CREDENTIAL, REDACTED);
  if (value === null || typeof value !== 'object') return value;
  // Dates and the like are stored as JSON.stringify would store them.
  const json = (value as { toJSON?: unknown }).toJSON;
  if (typeof json === 'function') return walk(json.call(value), seen);
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  const out = Array.isArray(value)
    ? value.map((v) => walk(v, seen))
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? REDACTED : walk(v, seen)]));
  seen.delete(value);
  return out;
}
