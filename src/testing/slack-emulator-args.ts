/**
 * How the Slack emulator reads a Web API call: the request body, form or JSON arguments, and the
 * coercions Slack applies to argument values (JSON strings, booleans, comma-separated lists).
 */

export type Obj = Record<string, unknown>;
export type Answer = Obj & { ok: boolean };
/** One Web API method: the call's arguments and its token in, Slack's JSON answer out. */
export type Handler = (args: Obj, token: string) => Answer;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Form-encoded calls carry structured arguments as JSON strings (WebClient's serialisation). */
const JSON_FIELDS = ['blocks', 'attachments', 'metadata', 'view'];

export const USER_ID = /^[UW][A-Z0-9]{2,}$/;

export { readBody } from './emulator-support.js';

export function parseArgs(contentType: string, raw: string): Obj | undefined {
  if (contentType.startsWith('application/json')) {
    try {
      const parsed: unknown = raw ? JSON.parse(raw) : {};
      return isObj(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  const args: Obj = Object.fromEntries(new URLSearchParams(raw));
  for (const field of JSON_FIELDS) {
    const value = args[field];
    if (typeof value !== 'string') continue;
    try {
      args[field] = JSON.parse(value);
    } catch {
      // Left as the string: validation then refuses it (invalid_blocks_format, invalid_arguments) like Slack.
    }
  }
  return args;
}

export const jsonArg = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
};
export const boolArg = (value: unknown) => value === true || value === 'true' || value === '1';
export const listArg = (value: unknown) =>
  (str(value) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
