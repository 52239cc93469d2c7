/** What a person may read of an error, the same on every surface: a code and a first line without secrets. */
import { redactText } from '../audit/redact.js';

/** The code and first line of an error, without secrets. Platform errors name their code in `data.error` (Slack) or `code`. */
export function describeError(err: unknown): { code: string; message: string } {
  const e = (err ?? {}) as { code?: unknown; message?: unknown; data?: { error?: unknown } };
  const code = typeof e.data?.error === 'string' ? e.data.error : typeof e.code === 'string' ? e.code : 'internal_error';
  const first = (typeof e.message === 'string' && e.message ? e.message : String(err)).split('\n')[0] ?? '';
  return { code, message: redactText(first.length > 300 ? `${first.slice(0, 299)}…` : first) };
}
