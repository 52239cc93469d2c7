/**
 * Replies as terminal text. Colour is plain SGR escape codes, used only when asked (a TTY); without
 * it the output is pure text, so piped answers can be grepped and diffed. Every string of a reply is
 * cleaned of control characters, escape sequences and bidi overrides before it is painted (`t`): the
 * only escape codes printed are this renderer's own.
 */
import type { Button, Reply, Span, Text } from '../../conversation/index.js';
import { terminalText as t } from '../../conversation/safe-text.js';

export interface RenderOptions {
  color: boolean;
  /** Columns to wrap prose and pack buttons into; without it prose is not wrapped. */
  width?: number;
}

export interface RenderedButton {
  n: number;
  action: string;
  label: string;
}

export interface Rendered {
  text: string;
  buttons: RenderedButton[];
}

/** Items a list shows before "… and N more": about what fits on a screen above the prompt. */
export const LIST_LIMIT = 15;
/** Buttons are packed into lines this wide when no width is known, so long "Did you mean" rows stay readable. */
const DEFAULT_BUTTON_WIDTH = 80;

const SGR = { bold: '1', dim: '2', underline: '4', header: '1;4', cyan: '36', green: '32', red: '31' } as const;
type Style = keyof typeof SGR;
// eslint-disable-next-line no-control-regex -- matching escape codes is the point
const ANSI = /\x1b\[[0-9;]*m/g;

/** Visible columns of a string, ignoring escape codes. */
export function visibleLength(s: string): number {
  return [...s.replace(ANSI, '')].length;
}

export function renderReply(reply: Reply, opts: RenderOptions): Rendered {
  // Every paint resets fully (SGR 0): styles are never nested, so one closing code cannot undo another.
  const paint = (style: Style, s: string) => (opts.color && s ? `\x1b[${SGR[style]}m${s}\x1b[0m` : s);
  const buttons: RenderedButton[] = [];
  const out: string[] = [];

  const spans = (text: Text, styled = true) => text.map((s) => span(s, styled ? paint : (_: Style, x: string) => x)).join('');
  const wrapped = (line: string, first: string, rest: string) => wrap(line, opts.width, first, rest);

  for (const block of reply.blocks) {
    switch (block.type) {
      case 'header': {
        const header = t(block.text);
        out.push(paint('header', header));
        // Without colour there is no underline; a rule under the title does the same job.
        if (!opts.color) out.push('─'.repeat(visibleLength(header)));
        break;
      }
      case 'section':
        for (const line of spans(block.text).split('\n')) out.push(...wrapped(line, '', ''));
        break;
      case 'context':
        // Dimmed as a whole; inner styles are dropped because closing them would also end the dimming.
        for (const line of spans(block.text, false).split('\n')) out.push(...wrapped(line, '', '').map((l) => paint('dim', l)));
        break;
      case 'fields': {
        const labelWidth = Math.max(...block.fields.map((f) => visibleLength(t(f.label)))) + 2;
        const indent = ' '.repeat(labelWidth);
        for (const field of block.fields) {
          const label = paint('bold', t(field.label)) + ' '.repeat(labelWidth - visibleLength(t(field.label)));
          spans(field.value)
            .split('\n')
            .forEach((line, i) => out.push(...wrapped(line, i === 0 ? label : indent, indent)));
        }
        break;
      }
      case 'list': {
        out.push(paint('bold', t(block.title)));
        for (const item of block.items.slice(0, LIST_LIMIT)) out.push(...wrapped(spans(item).replace(/\n/g, ' '), '  • ', '    '));
        const more = Math.max(0, block.items.length - LIST_LIMIT) + (block.more ?? 0);
        if (more > 0) out.push(paint('dim', `  … and ${more} more`));
        break;
      }
      case 'actions':
        out.push(...buttonRows(block.buttons, buttons, paint, opts.width ?? DEFAULT_BUTTON_WIDTH));
        break;
      case 'divider':
        out.push(paint('dim', '─'.repeat(Math.min(opts.width ?? 40, 40))));
        break;
    }
  }
  // No blank lines inside a reply: in piped output a blank line is what separates one answer from the next.
  return { text: out.join('\n'), buttons };
}

function span(s: Span, paint: (style: Style, s: string) => string): string {
  if (typeof s === 'string') return t(s);
  if ('bold' in s) return paint('bold', t(s.bold));
  if ('code' in s) return paint('cyan', t(s.code));
  if ('link' in s) return s.text === s.link ? `<${paint('underline', t(s.link))}>` : `${t(s.text)} <${paint('underline', t(s.link))}>`;
  // A terminal knows nobody's Slack id; the name is what a reader recognises.
  if ('person' in s) return t(s.person.displayName);
  if ('channel' in s) return t(s.channel);
  // The reader's time zone is unknown here; the fallback names its zone (UTC).
  return t(s.fallback);
}

/** Buttons numbered across the whole reply, `[1] label  [2] label`, packed into rows no wider than `width`. */
function buttonRows(block: Button[], numbered: RenderedButton[], paint: (style: Style, s: string) => string, width: number): string[] {
  const rows: string[] = [];
  let row = '';
  for (const b of block) {
    const n = numbered.length + 1;
    const text = t(b.label);
    numbered.push({ n, action: b.action, label: text });
    const label = b.style === 'primary' ? paint('green', text) : b.style === 'danger' ? paint('red', text) : text;
    const cell = `${paint('bold', `[${n}]`)} ${label}`;
    if (row && visibleLength(row) + 2 + visibleLength(cell) > width) {
      rows.push(row);
      row = cell;
    } else {
      row = row ? `${row}  ${cell}` : cell;
    }
  }
  if (row) rows.push(row);
  return rows;
}

/** Word-wraps one line to `width` columns; words longer than a line (URLs) are never broken. */
function wrap(line: string, width: number | undefined, first: string, rest: string): string[] {
  if (!width || visibleLength(first + line) <= width) return [first + line];
  const lines: string[] = [];
  let current = first;
  let empty = true;
  for (const word of line.split(' ')) {
    if (!empty && visibleLength(current) + 1 + visibleLength(word) > width) {
      lines.push(current);
      current = rest + word;
    } else {
      current += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  lines.push(current);
  return lines;
}
