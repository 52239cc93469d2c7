/**
 * Golden-path templates: a folder under manifests/templates/ whose file contents and file names hold
 * `{{name}}` placeholders. The syntax is deliberately tiny (no loops, no conditionals, no escaping
 * rules beyond one) so a template reads like the repository it becomes.
 *
 * - `{{ input }}` is replaced by the input's value; spaces inside the braces are optional.
 * - `{{ input.name }}`, `.kind`, `.namespace`, `.ref` take a part of a catalog reference, so a picker
 *   value `group:default/team-payments` can also be written as plain `team-payments`.
 * - `${{ ... }}` is left alone: GitHub Actions and Backstage scaffolder expressions pass through.
 * - `\{{` writes a literal `{{`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type TemplateValues = Readonly<Record<string, string | number | boolean | undefined>>;

export interface RenderedFile {
  /** Relative, `/`-separated path in the new repository. */
  path: string;
  content: string;
}

export class TemplateError extends Error {
  constructor(readonly problems: string[]) {
    super(`Template cannot be rendered:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TemplateError';
  }
}

/** The parts of a reference a placeholder may ask for after a dot. */
export const REF_PARTS = ['name', 'kind', 'namespace', 'ref'] as const;

const KEY = '[A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)?';
const placeholderPattern = () => new RegExp(`(\\\\|\\$)?\\{\\{\\s*(${KEY})\\s*\\}\\}`, 'g');

/** The placeholder keys a text uses, as written (`name`, `service.name`), in order of appearance. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(placeholderPattern())].filter((m) => !m[1]).map((m) => m[2] as string);
}

/** The value of one placeholder key, or undefined when the values cannot supply it. */
export function placeholderValue(values: TemplateValues, key: string): string | undefined {
  const [base, part] = key.split('.') as [string, string | undefined];
  const value = values[base];
  if (value === undefined) return undefined;
  if (part === undefined) return String(value);
  if (typeof value !== 'string') return undefined;
  const ref = /^([^:/]+):(?:([^/]+)\/)?(.+)$/.exec(value);
  switch (part) {
    case 'ref':
      return value;
    case 'name':
      return ref ? ref[3] : value;
    case 'kind':
      return ref?.[1];
    case 'namespace':
      return ref ? (ref[2] ?? 'default') : undefined;
    default:
      return undefined;
  }
}

/** Replaces placeholders in one text; `unknown` lists the keys the values could not fill. */
export function renderText(text: string, values: TemplateValues): { text: string; unknown: { key: string; line: number }[] } {
  const unknown: { key: string; line: number }[] = [];
  const out = text.replace(placeholderPattern(), (match: string, prefix: string | undefined, key: string, offset: number) => {
    if (prefix === '$') return match;
    if (prefix === '\\') return match.slice(1);
    const value = placeholderValue(values, key);
    if (value === undefined) {
      unknown.push({ key, line: text.slice(0, offset).split('\n').length });
      return match;
    }
    return value;
  });
  return { text: out, unknown };
}

/**
 * Every file of the template folder, rendered. Throws a TemplateError naming each file and
 * placeholder that could not be filled, and each file name that renders to an unsafe path: a value
 * lands in the new repository's paths, so `..`, `/` and empty names are refused.
 */
export function renderTemplate(dir: string, values: TemplateValues): RenderedFile[] {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // Reported below.
  }
  if (!isDir) throw new TemplateError([`${dir}: no such template folder`]);

  const problems: string[] = [];
  const files: RenderedFile[] = [];
  const seen = new Map<string, string>();
  for (const rel of listFiles(dir)) {
    const segments = rel.split('/').map((segment) => {
      const rendered = renderText(segment, values);
      for (const u of rendered.unknown) problems.push(`${rel}: unknown placeholder {{${u.key}}} in the file name`);
      if (rendered.unknown.length === 0 && !safeSegment(rendered.text)) {
        problems.push(`${rel}: the file name renders to "${rendered.text}", which is not a safe file name`);
      }
      return rendered.text;
    });
    const path = segments.join('/');
    const previous = seen.get(path);
    if (previous !== undefined) problems.push(`${rel}: renders to ${path}, as ${previous} does`);
    seen.set(path, rel);

    const content = renderText(readFileSync(join(dir, rel), 'utf8'), values);
    for (const u of content.unknown) problems.push(`${rel}:${u.line}: unknown placeholder {{${u.key}}}`);
    files.push({ path, content: content.text });
  }
  if (problems.length) throw new TemplateError(problems);
  return files;
}

const safeSegment = (s: string) => s !== '' && s !== '.' && s !== '..' && !/[/\\\0]/.test(s);

/** Files below `dir` as sorted relative `/` paths, so the rendered repository is the same every time. */
function listFiles(dir: string, prefix = ''): string[] {
  const entries = readdirSync(join(dir, prefix), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  return entries.flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.name === '.git') return [];
    if (e.isDirectory()) return listFiles(dir, rel);
    return e.isFile() ? [rel] : [];
  });
}
