/** `/whoowns`, `/runbook` and `/switchboard …`: ack at once, then answer privately through response_url. */
import type { App } from '@slack/bolt';
import { parseCommand } from '../../../conversation/index.js';
import { render, type SlackDeps } from '../context.js';

export const COMMANDS = ['/whoowns', '/runbook', '/switchboard'];

export function registerCommands(app: App, deps: SlackDeps): void {
  app.command(new RegExp(`^(${COMMANDS.join('|')})$`), async ({ command, ack, respond }) => {
    await ack();
    deps.count(command.command);
    const reply = deps.conversation.reply(parseCommand(command.command, command.text));
    await respond({ ...(await render(deps, reply)), response_type: reply.visibility === 'channel' ? 'in_channel' : 'ephemeral' });
  });
}
