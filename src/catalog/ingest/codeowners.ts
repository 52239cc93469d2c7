/**
 * Parses GitHub and GitLab CODEOWNERS files and answers "who owns this path?". Pure: no catalog or
 * database access. Bad lines become errors with line numbers and parsing goes on, so one typo cannot
 * hide the rest of a file.
 */
import picomatch from 'picomatch';

export interface CodeownersRule {
  pattern: string;
  /** Owner tokens as written (`@org/team`, `@user`, e-mail). Empty means explicitly unowned. */
  owners: string[];
  /** 1-based. */
  line: number;
  /** GitLab section name as written, without `^` or `[n]`; null outside any section. */
  section: string | null;
}

export interface CodeownersError {
  file: string;
  line: number;
  message: string;
}

export interface NormalizedOwner {
  kind: 'group' | 'user' | 'email';
  name: string;
  raw: string;
}

const NAME = '[A-Za-z0-9_][A-Za-z0-9._-]*';
const USER = new RegExp(`^@${NAME}$`);
// GitHub teams are `@org/team`; GitLab groups nest as `@group/subgroup/...`.
const GROUP = new RegExp(`^@${NAME}(?:/${NAME})+$`);
const EMAIL = /^[^\s@/]+@[^\s@/]+\.[^\s@/]+$/;

export function normalizeOwner(token: string): NormalizedOwner | null {
  if (GROUP.test(token)) {
    return { kind: 'group', name: token.slice(token.lastIndexOf('/') + 1).toLowerCase(), raw: token };
  }
  if (USER.test(token)) return { kind: 'user', name: token.slice(1).toLowerCase(), raw: token };
  if (EMAIL.test(token)) return { kind: 'email', name: token.toLowerCase(), raw: token };
  return null;
}

// `[Name]`, `^[Name]` (optional), `[Name][2]` (approvals), each optionally followed by default owners.
// The header must be followed by whitespace or the end of the line, so a pattern like `[Dd]ocs/` is not one.
const SECTION = /^(\^)?\[([^\]]*)\](?:\[([^\]]*)\])?(?:\s+(.*))?$/;
const UNTERMINATED_SECTION = /^\^?\[[^\]]*$/;

export function parseCodeowners(text: string, file: string): { rules: CodeownersRule[]; errors: CodeownersError[] } {
  const rules: CodeownersRule[] = [];
  const errors: CodeownersError[] = [];
  const report = (line: number, message: string) => errors.push({ file, line, message });

  // Keeps the valid owners and reports the rest, so one typo does not throw away a line's real owners.
  const validOwners = (tokens: string[], line: number): string[] =>
    tokens.filter((token) => {
      if (normalizeOwner(token)) return true;
      report(line, `invalid owner "${token}": expected @user, @org/team or an e-mail address`);
      return false;
    });

  let section: string | null = null;
  let defaults: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    // Only leading whitespace is trimmed here: a trailing `\ ` is part of the pattern.
    const body = raw.trimStart();
    if (body.trimEnd() === '' || body.startsWith('#')) return;

    const header = SECTION.exec(body.trimEnd());
    if (header) {
      const [, , name = '', approvals, rest = ''] = header;
      if (name.trim() === '') {
        // Later rules stay in the current section: guessing a new one would only mislabel them.
        report(line, 'section header has no name');
        return;
      }
      if (approvals !== undefined && !/^\s*[1-9]\d*\s*$/.test(approvals)) {
        report(line, `invalid approval count "[${approvals}]" in section header`);
      }
      section = name.trim();
      defaults = validOwners(tokenize(rest), line);
      return;
    }
    if (UNTERMINATED_SECTION.test(body.trimEnd())) {
      report(line, 'malformed section header: missing "]"');
      return;
    }

    const [pattern, ...ownerTokens] = tokenize(body);
    if (pattern === undefined) return;
    // GitHub documents `!` negation as unsupported; reading it as a plain pattern would invert its meaning.
    if (pattern.startsWith('!')) {
      report(line, `negated pattern "${pattern}" is not supported; line ignored`);
      return;
    }
    const owners = validOwners(ownerTokens, line);
    // Owners were written but none is valid: skip the line rather than read it as "explicitly unowned".
    if (ownerTokens.length > 0 && owners.length === 0) return;
    const matcher = compilePattern(pattern);
    if (!matcher) {
      report(line, `invalid pattern "${pattern}"; line ignored`);
      return;
    }
    // GitLab: a section's default owners apply to its rules that name none.
    const rule: CodeownersRule = { pattern, owners: owners.length > 0 ? owners : [...defaults], line, section };
    matchers.set(rule, matcher);
    rules.push(rule);
  });
  return { rules, errors };
}

/**
 * Splits on unescaped whitespace and stops at a `#` that starts a token (inline comment). `\ ` and `\#`
 * become literal characters; other escapes are kept for the glob.
 */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let current: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '\\' && i + 1 < text.length) {
      const next = text.charAt(++i);
      current = (current ?? '') + (next === ' ' || next === '\t' || next === '#' ? next : c + next);
    } else if (c === ' ' || c === '\t') {
      if (current !== null) tokens.push(current);
      current = null;
    } else if (c === '#' && current === null) {
      break;
    } else {
      current = (current ?? '') + c;
    }
  }
  if (current !== null) tokens.push(current);
  return tokens;
}

export function ownersForPath(rules: CodeownersRule[], path: string): { owners: string[]; rule: CodeownersRule } | null {
  const target = path.replace(/^\/+/, '');
  // GitLab evaluates each section on its own (rules before any header form one more, unnamed section)
  // and requires all of them. A GitHub file is a single unnamed section: plain "last match wins".
  // Section names are case-insensitive; the map keeps sections in order of first appearance.
  const winners = new Map<string | null, CodeownersRule | null>();
  for (const rule of rules) {
    const key = rule.section === null ? null : rule.section.toLowerCase();
    if (!winners.has(key)) winners.set(key, null);
    if (matcherFor(rule)(target)) winners.set(key, rule);
  }

  let last: CodeownersRule | null = null;
  const owners: string[] = [];
  const seen = new Set<string>();
  for (const rule of winners.values()) {
    if (!rule) continue;
    last = rule;
    for (const owner of rule.owners) {
      // GitHub and GitLab handles and e-mails are case-insensitive.
      const key = owner.toLowerCase();
      if (!seen.has(key)) {
        seen.add(key);
        owners.push(owner);
      }
    }
  }
  return last ? { owners, rule: last } : null;
}

type Matcher = (path: string) => boolean;

// Keyed by rule object so callers keep passing plain rule arrays; treat rules as immutable.
const matchers = new WeakMap<CodeownersRule, Matcher>();

function matcherFor(rule: CodeownersRule): Matcher {
  let matcher = matchers.get(rule);
  if (!matcher) {
    matcher = compilePattern(rule.pattern) ?? (() => false);
    matchers.set(rule, matcher);
  }
  return matcher;
}

// `*` matches dotfiles in CODEOWNERS; braces, extglobs and negation do not exist there.
const PICOMATCH_OPTIONS: picomatch.PicomatchOptions = {
  dot: true,
  nobrace: true,
  noextglob: true,
  nonegate: true,
  windows: false,
};

/** gitignore-style pattern to a path matcher; null if the pattern can never match anything. */
function compilePattern(pattern: string): Matcher | null {
  const dirOnly = pattern.endsWith('/');
  let glob = pattern.replace(/\/+$/, '');
  // A slash at the start or in the middle anchors to the root; `name` and `name/` match at any depth.
  glob = glob.includes('/') ? glob.replace(/^\/+/, '') : `**/${glob}`;
  if (glob === '' || glob === '**/') return null;
  // picomatch also reads `(a|b)` groups and `@`/`+`/`!` prefixes; CODEOWNERS has none, so those
  // characters are literal. `[!x]` is the fnmatch spelling of picomatch's `[^x]`.
  const escaped = glob.replace(/\\.|\[!|[(){}|+@!]/g, (m) => (m.startsWith('\\') ? m : m === '[!' ? '[^' : `\\${m}`));

  const globs: string[] = [];
  // A trailing `/` only matches a directory, and the paths we are asked about are files.
  if (!dirOnly) globs.push(escaped);
  // A pattern that matches a directory owns everything below it, except that GitHub documents
  // `docs/*` as matching only the files directly in docs.
  if (dirOnly || !/(?:^|\/)\*$/.test(glob)) globs.push(`${escaped}/**/*`);
  try {
    return picomatch(globs, PICOMATCH_OPTIONS);
  } catch {
    return null;
  }
}
