/**
 * The terminal adapter: what `npm start` opens without Slack or Teams credentials, so a newcomer sees
 * answers straight away; with stdin piped it answers scripted commands, one answer per line read.
 */
import { createInterface } from 'node:readline';
import { type Conversation, decodeAction, type Intent, parseCommand, parseMention } from '../../conversation/index.js';
import { renderReply, type RenderedButton } from './render.js';

export interface ShellOptions {
  conversation: Conversation;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** A person at a TTY: prompt and welcome. Otherwise only the answers are printed. */
  interactive: boolean;
  color: boolean;
  /** Who is typing, to greet them; the terminal has no sign-in. */
  user?: string;
}

export const PROMPT = 'switchboard> ';
const QUIT = new Set(['/quit', '/exit', 'exit', 'quit']);

export function welcome(user?: string): string {
  return (
    `${user ? `Hi ${user}, this` : 'This'} is Switchboard in your terminal: ask about the service catalog. ` +
    'Try /whoowns payments-api, /runbook ledger, /switchboard deps auth 2, or plain words like "who owns payments?". ' +
    'Type a button’s number to press it, /help for more, /quit to leave.'
  );
}

/** What one typed line asks for: a slash command, a button number (of the last reply) or plain words. */
export function parseLine(line: string, buttons: RenderedButton[]): Intent | { kind: 'no-button'; n: number } {
  if (/^\d+$/.test(line)) {
    const n = Number(line);
    const button = buttons.find((b) => b.n === n);
    return button ? decodeAction(button.action) : { kind: 'no-button', n };
  }
  if (line.startsWith('/')) {
    const [command = '', ...words] = line.split(/\s+/);
    // `/help` is the first thing people try; the core only knows it as `/switchboard help`.
    if (command.toLowerCase() === '/help') return { kind: 'help' };
    return parseCommand(command, words.join(' '));
  }
  // The help card shows `@switchboard who owns …`; people copy it, so the handle is dropped here.
  return parseMention(line.replace(/^@?switchboard\b[:,]?\s*/i, ''));
}

export async function runShell(opts: ShellOptions): Promise<void> {
  const { conversation, output, interactive, color } = opts;
  const width = interactive ? (output as Partial<NodeJS.WriteStream>).columns : undefined;
  const rl = createInterface({ input: opts.input, output: interactive ? output : undefined, terminal: interactive, prompt: PROMPT });
  // Ctrl+C ends the session like /quit (readline's default); the newline keeps what follows off the prompt line.
  rl.on('SIGINT', () => {
    output.write('\n');
    rl.close();
  });
  let buttons: RenderedButton[] = [];

  if (interactive) {
    output.write(`${welcome(opts.user)}\n\n`);
    rl.prompt();
  }
  try {
    for await (const raw of rl) {
      const line = raw.trim();
      if (QUIT.has(line.toLowerCase())) break;
      if (line) {
        try {
          const intent = parseLine(line, buttons);
          if (intent.kind === 'no-button') {
            output.write(`There is no button ${intent.n}${buttons.length ? ` (1–${buttons.length})` : ''}.\n\n`);
          } else {
            const rendered = renderReply(conversation.reply(intent), { color, width });
            buttons = rendered.buttons;
            output.write(`${rendered.text}\n\n`);
          }
        } catch (err) {
          // One bad answer (a broken catalog row, a bug) must not end the session.
          output.write(`Error: ${String((err as Error)?.message ?? err).split('\n')[0]}\n\n`);
        }
      }
      if (interactive) rl.prompt();
    }
  } finally {
    rl.close();
  }
}
