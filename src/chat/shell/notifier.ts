/**
 * Self-service messages in the terminal chat. A terminal cannot edit what it printed, so an edit
 * prints the new version marked "updated"; DMs are printed with the name of the person they are for,
 * so one terminal can play requester and approvers (`/as <user>`).
 */
import type { ChatNotifier, Reply } from '../../conversation/index.js';
import { renderReply } from './render.js';
import { shortRef } from '../../catalog/ref.js';

export function createShellNotifier(opts: { output: NodeJS.WritableStream; color: boolean; session?: string }): ChatNotifier {
  let n = 0;
  const session = opts.session ?? 'local';
  let last = '';
  const print = (label: string, reply: Reply, compact = false) => {
    // Buttons cannot be pressed from another person's DM here: /approve and /reject do it. An edit
    // shows what changes (decision, steps, links), not the whole card again.
    const blocks = reply.blocks.filter(
      (b) => b.type !== 'actions' && (!compact || b.type === 'list' || b.type === 'context' || (b.type === 'section' && b !== reply.blocks[1])),
    );
    const text = renderReply({ ...reply, blocks }, { color: opts.color }).text;
    if (text === last) return;
    last = text;
    opts.output.write(`\n── ${label} ──\n${text}\n\n`);
  };
  return {
    async post(_where, reply) {
      print('status', reply);
      return `shell:${session}:${++n}`;
    },
    async edit(ref, reply) {
      const dm = ref.startsWith(`shell:${session}:dm`);
      print(dm ? 'DM updated' : `status updated: ${reply.summary}`, reply, !dm);
    },
    async reply(_ref, reply) {
      print('reply', reply);
      return `shell:${session}:${++n}`;
    },
    async dm(person, reply) {
      const id = shortRef(person.ref);
      print(`DM to ${person.displayName} (/as ${id}, then /approve or /reject)`, reply);
      return `shell:${session}:dm${++n}`;
    },
    async createChannel(name) {
      opts.output.write(`\n── (a chat channel #${name} would be created here; the terminal has none) ──\n\n`);
      return { ref: `shell:${session}:#${name}`, name };
    },
  };
}
