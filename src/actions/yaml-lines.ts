/**
 * The line a field path points at in a YAML file, so a problem can say "create-service.yaml:14".
 * js-yaml gives values without positions; action files are short and written in block style, so
 * following keys and `- ` items by indentation is enough. Best effort: the line of the deepest
 * segment found (a flow-style `[a, b]` stops at its key), undefined when not even the first is found.
 */

interface Line {
  no: number;
  /** Column of the first character, counting a leading `-` as a character. */
  raw: number;
  /** Column of the content after any leading `- ` markers (where a key inside an item starts). */
  inner: number;
  dash: boolean;
  text: string;
}

export function lineOf(text: string, path: readonly (string | number)[]): number | undefined {
  const lines: Line[] = text.split(/\r?\n/).flatMap((text, i) => {
    if (!/\S/.test(text) || /^\s*#/.test(text) || /^(---|\.\.\.)(\s|$)/.test(text)) return [];
    const raw = /^\s*/.exec(text)![0].length;
    const inner = /^\s*(?:-(?:\s+|$))*/.exec(text)![0].length;
    return [{ no: i + 1, raw, inner, dash: text[raw] === '-', text: text.slice(inner) }];
  });
  let scope = lines;
  let found: number | undefined;
  for (const segment of path) {
    const next = typeof segment === 'number' ? item(scope, segment) : key(scope, segment);
    if (!next) break;
    found = next.line;
    scope = next.scope;
  }
  return found;
}

function key(scope: Line[], name: string): { line: number; scope: Line[] } | undefined {
  const first = scope[0];
  if (!first) return undefined;
  const indent = first.inner;
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^(["']?)${escaped}\\1\\s*:(\\s|$)`);
  const at = scope.findIndex((l) => l.inner === indent && pattern.test(l.text));
  if (at < 0) return undefined;
  // The key's value: following lines indented deeper, or a `- ` list at the key's own indent.
  const rest = scope.slice(at + 1);
  const end = rest.findIndex((l) => l.raw < indent || (l.raw === indent && !l.dash));
  return { line: (scope[at] as Line).no, scope: end < 0 ? rest : rest.slice(0, end) };
}

function item(scope: Line[], index: number): { line: number; scope: Line[] } | undefined {
  const dashes = scope.filter((l) => l.dash);
  if (dashes.length === 0) return undefined;
  const column = Math.min(...dashes.map((l) => l.raw));
  const starts = scope.flatMap((l, i) => (l.dash && l.raw === column ? [i] : []));
  const start = starts[index];
  if (start === undefined) return undefined;
  const end = starts[index + 1] ?? scope.length;
  // Inside the item, keys line up with the text after its `- `; the first line is kept for that.
  const own = scope.slice(start, end);
  const head = own[0] as Line;
  const items = head.text === '' ? own.slice(1) : [{ ...head, raw: head.inner, dash: false }, ...own.slice(1)];
  return { line: head.no, scope: items };
}
