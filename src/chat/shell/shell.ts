/**
 * The terminal adapter: what `npm start` opens without Slack or Teams credentials, so a newcomer sees
 * answers straight away; with stdin piped it answers scripted commands, one answer per line read.
 */
import { createInterface } from 'node:readline';
import type { Actor } from '../../actions/launcher.js';
import { type Conversation, decodeAction, type Form, type Intent, parseCommand, parseMention, type Reply } from '../../conversation/index.js';
import { terminalText } from '../../conversation/safe-text.js';
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
  /** A catalog user by name, ref or e-mail, for `/as <user>`: the terminal can play every part. */
  person?: (id: string) => Actor | null;
  /** Who the terminal acts as at first. */
  actor?: Actor;
}

/** The terminal's own person before `/as`: not in the catalog, so it can request but not approve. */
export const TERMINAL_ACTOR: Actor = { id: 'shell:you', ref: null, displayName: 'you (terminal)', email: null, chatIds: {} };

/** A form as text: the terminal asks for the missing inputs as `name=value`. */
export function formText(form: Form, command: string): string {
  const lines = [`${form.title}: ${form.description}.`, 'Inputs (* required):'];
  for (const f of form.fields) {
    const options = f.options ? ` one of ${f.options.join(', ')}` : f.kind === 'boolean' ? ' true or false' : '';
    const initial = f.initial !== undefined ? ` [${String(f.initial)}]` : '';
    lines.push(`  ${f.required ? '*' : ' '} ${f.name}=…  ${f.label}${options}${initial}${f.hint ? ` — ${f.hint}` : ''}`);
  }
  const given = form.fields.filter((f) => f.initial !== undefined && f.required).map((f) => `${f.name}=${String(f.initial)}`);
  const missing = form.fields.filter((f) => f.required && f.initial === undefined).map((f) => `${f.name}=…`);
  lines.push(`Send: ${command} ${[...given, ...missing].join(' ')}`);
  // Titles, labels and options come from action files: text, never terminal control codes.
  return terminalText(lines.join('\n'));
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
  // Ctrl+C closes the interface, possibly while an answer is being written: no prompt after that
  // (Node 22+ throws on a closed interface).
  let closed = false;
  rl.once('close', () => (closed = true));
  const prompt = () => {
    if (interactive && !closed) rl.prompt();
  };
  // Ctrl+C ends the session like /quit (readline's default); the newline keeps what follows off the prompt line.
  rl.on('SIGINT', () => {
    output.write('\n');
    rl.close();
  });
  let buttons: RenderedButton[] = [];
  let actor = opts.actor ?? TERMINAL_ACTOR;
  const where = 'shell:local';
  // Lines printed outside a reply name catalog people and error messages: cleaned like replies.
  const write = (s: string) => output.write(terminalText(s));
  const show = (reply: Reply) => {
    const rendered = renderReply(reply, { color, width });
    buttons = rendered.buttons;
    output.write(`${rendered.text}\n\n`);
  };

  /** Self-service lines: `/as`, `/approve`, `/reject`, action commands and `status`; false when not one. */
  async function selfService(line: string): Promise<boolean> {
    const [command = '', ...words] = line.split(/\s+/);
    const rest = words.join(' ');
    const lower = command.toLowerCase();
    if (lower === '/as') {
      const who = rest ? opts.person?.(rest) : null;
      if (!rest) write(`You are acting as ${actor.displayName}${actor.ref ? ` (${actor.ref})` : ''}. /as <user> to act as someone in the catalog.\n\n`);
      else if (!who) write(`There is no user ${rest} in the catalog (try a name such as noah-fischer or an e-mail).\n\n`);
      else {
        actor = who;
        write(`You are now acting as ${who.displayName} (${who.ref}).\n\n`);
      }
      return true;
    }
    if (lower === '/approve' || lower === '/reject') {
      const [id = '', ...reason] = words;
      if (!id) output.write(`Usage: ${lower} <request id>${lower === '/reject' ? ' <reason>' : ''}\n\n`);
      else show(await conversation.act.vote(id, lower === '/approve' ? 'approve' : 'reject', actor, reason.join(' ') || undefined));
      return true;
    }
    const intent = line.startsWith('/') ? parseCommand(command, rest, conversation.act.commands()) : null;
    if (intent?.kind === 'status') {
      show(await conversation.answer(intent));
      return true;
    }
    if (intent?.kind === 'act') {
      const answer = await conversation.act.act(intent.command, intent.text, actor, where);
      if ('form' in answer) output.write(`${formText(answer.form, intent.command)}\n\n`);
      else show(answer.reply);
      return true;
    }
    return false;
  }

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
          if (await selfService(line)) {
            prompt();
            continue;
          }
          const intent = parseLine(line, buttons);
          if (intent.kind === 'no-button') {
            output.write(`There is no button ${intent.n}${buttons.length ? ` (1–${buttons.length})` : ''}.\n\n`);
          } else {
            const rendered = renderReply(await conversation.answer(intent, 'shell'), { color, width });
            buttons = rendered.buttons;
            output.write(`${rendered.text}\n\n`);
          }
        } catch (err) {
          // One bad answer (a broken catalog row, a bug) must not end the session.
          write(`Error: ${String((err as Error)?.message ?? err).split('\n')[0]}\n\n`);
        }
      }
      prompt();
    }
  } finally {
    rl.close();
  }
}
