/**
 * The text after a self-service command, read against the action's usage line:
 * `/provision postgres for payments-api tier=production`, `/rollback payments-api to 1.4.2 --break-glass`.
 * Positional words follow `spec.usage` (`<type> for <service>`, `<service> [to <version>]`); any input
 * may also be given as `name=value` (quotes allowed), in any order.
 */
import type { ActionDefinition } from './definition.js';

export interface ParsedRequest {
  values: Record<string, string>;
  breakGlass: boolean;
  /** Why the text could not be read; the values found so far are still returned. */
  problems: string[];
}

const PAIR = /(?:^|\s)([a-zA-Z][a-zA-Z0-9]*)=(?:"([^"]*)"|'([^']*)'|(\S*))/g;

function usagePattern(usage: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const escape = (t: string) => t.replace(/[.*+?^${}()|\\]/g, '\\$&');
  // Words are joined by whitespace; an optional part `[to <version>]` brings its own leading space.
  let source = '';
  let depth = 0;
  let first = true;
  for (const token of usage.match(/<[^>]+>|\[|\]|[^\s<>[\]]+/g) ?? []) {
    if (token === '[') {
      source += first ? '(?:' : '(?:\\s+';
      depth++;
      first = true;
      continue;
    }
    if (token === ']') {
      source += ')?';
      depth = Math.max(0, depth - 1);
      first = false;
      continue;
    }
    if (!first) source += '\\s+';
    first = false;
    if (token.startsWith('<')) {
      names.push(token.slice(1, -1));
      source += '(\\S+)';
    } else source += escape(token);
  }
  return { regex: new RegExp(`^${source}$`, 'i'), names };
}

export function parseRequestText(action: ActionDefinition, text: string): ParsedRequest {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  let rest = ` ${text} `;
  const known = new Set(action.spec.inputs.map((i) => i.name));
  // Pairs first: a quoted value may contain anything, the flag included.
  rest = rest.replace(PAIR, (_m, name: string, dq?: string, sq?: string, bare?: string) => {
    if (!known.has(name)) problems.push(`${name}= is not an input of ${action.spec.command} (inputs: ${[...known].join(', ')})`);
    else values[name] = dq ?? sq ?? bare ?? '';
    return ' ';
  });
  const breakGlass = /\s--break-glass(?=\s)/.test(` ${rest} `);
  rest = ` ${rest} `.replace(/\s--break-glass(?=\s)/g, ' ');
  const words = rest.trim();
  if (!words) return { values, breakGlass, problems };
  const usage = action.spec.usage;
  if (!usage) {
    problems.push(`${action.spec.command} takes its inputs as name=value`);
    return { values, breakGlass, problems };
  }
  const { regex, names } = usagePattern(usage);
  const m = regex.exec(words);
  if (!m) {
    problems.push(`I could not read "${words}": the usage is ${action.spec.command} ${usage}`);
    return { values, breakGlass, problems };
  }
  names.forEach((name, i) => {
    const v = m[i + 1];
    if (v !== undefined && values[name] === undefined) values[name] = v;
  });
  return { values, breakGlass, problems };
}
