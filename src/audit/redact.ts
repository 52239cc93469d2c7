/**
 * The one redaction module: every place a secret could leave the process (audit rows, activity
 * results and failures, step outputs, the status message, workflow inputs, logs) passes its values
 * through redact() or redactText(). Secrets are found three ways: by the key they sit under, by the
 * shape of known credentials, and by value (the secrets this process was configured with).
 */

export const REDACTED = '[redacted]';

/** Keys whose values are secrets, whatever they hold. */
const SECRET_KEY =
  /secret|token|password|passwd|passphrase|api[_-]?key|private[_-]?key|access[_-]?key|audit[_-]?key|signing[_-]?key|credential|authorization|cookie/i;
/** `secretEnv: PROVISION_HOOK_SECRET` names a variable; the activity reads its value from the environment. */
const NAMES_A_VARIABLE = /Env$/;

// Each pattern runs to the next whitespace rather than a token's documented alphabet: cutting a
// credential short would leak its tail, while over-redacting only costs a little context.
const CREDENTIAL = new RegExp(
  [
    String.raw`xox[abpr]-\S+`,
    String.raw`xapp-\S+`,
    String.raw`gh[pousr]_\S+`,
    String.raw`github_pat_\S+`,
    String.raw`glpat-\S+`,
    String.raw`(?:AKIA|ASIA)[0-9A-Z]{16}`,
    // A PEM block up to its END line, or to the end of the text when that is missing (truncated logs).
    String.raw`-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)`,
    // At least 8 token characters, so prose such as "the bearer of" survives.
    String.raw`\bbearer\s+[\w.~+/=-]{8,}\S*`,
  ].join('|'),
  'gi',
);
/** `scheme://user:password@host`: the whole userinfo goes, a user name alone can be a token (`https://ghp_…@github.com`). */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@'"<>]+@/gi;
/** Shorter values are too likely to occur by chance in ordinary text. */
const MIN_KNOWN_SECRET = 6;

const known = new Set<string>();
let knownByLength: string[] = [];

/**
 * Values redacted wherever they appear, from now on, in this process: the bot token, the signing
 * secret, webhook secrets. Called by the composition root with what it read from the environment.
 */
export function registerSecrets(values: Iterable<string | undefined>): void {
  for (const v of values) if (v && v.length >= MIN_KNOWN_SECRET) known.add(v);
  // Longest first, so a secret that contains another is replaced whole.
  knownByLength = [...known].sort((a, b) => b.length - a.length);
}

/**
 * The secrets in an environment: values of variables with secret-looking names
 * (`SLACK_BOT_TOKEN`, `PROVISION_HOOK_SECRET`, `TEAMS_APP_PASSWORD`, any `*_KEY`) and the password
 * of any URL-valued variable (`SWITCHBOARD_GIT_REMOTE=https://bob:…@git.example`).
 */
export function secretsInEnvironment(env: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    // `_KEY` too: in an environment it names a key (SWITCHBOARD_VOTE_KEY), a path at worst.
    if (SECRET_KEY.test(name) || /_KEY$/i.test(name)) out.push(value);
    for (const m of value.matchAll(/[a-z][a-z0-9+.-]*:\/\/([^\s/?#@]+)@/gi)) {
      // The password only: a user name (`git`, `deploy`) is too often an ordinary word, and within a
      // URL the userinfo pattern removes it anyway.
      const password = (m[1] as string).split(/:(.*)/s)[1];
      if (!password) continue;
      out.push(password);
      try {
        out.push(decodeURIComponent(password));
      } catch {
        // Not percent-encoded text: the raw form is enough.
      }
    }
  }
  return out;
}

/** `text` with credentials, URL userinfo and registered secrets replaced by "[redacted]". */
export function redactText(text: string): string {
  // Userinfo first: a token used as a URL's user name would otherwise swallow the host with it.
  let out = text.replace(URL_USERINFO, `$1${REDACTED}@`).replace(CREDENTIAL, REDACTED);
  for (const secret of knownByLength) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/**
 * A copy of `value` where values under secret-looking keys, and credential-looking substrings of
 * strings, are "[redacted]"; recursive through objects and arrays. Errors become
 * `{ type, message, stack }` (their message and stack redacted), as a log or an audit row shows them.
 */
export function redact(value: unknown): unknown {
  return walk(value, new WeakSet());
}

function walk(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return walk(errorFields(value), seen);
  // Dates and the like are stored as JSON.stringify would store them.
  const json = (value as { toJSON?: unknown }).toJSON;
  if (typeof json === 'function') return walk(json.call(value), seen);
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  const out = Array.isArray(value)
    ? value.map((v) => walk(v, seen))
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) && !NAMES_A_VARIABLE.test(k) ? REDACTED : walk(v, seen)]));
  seen.delete(value);
  return out;
}

function errorFields(err: Error): Record<string, unknown> {
  const { cause } = err as { cause?: unknown };
  return {
    ...Object.fromEntries(Object.entries(err)),
    type: err.name,
    message: err.message,
    ...(err.stack !== undefined && { stack: err.stack }),
    ...(cause !== undefined && { cause }),
  };
}
