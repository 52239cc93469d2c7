/**
 * `/whoowns`, `/runbook` and `/switchboard …`: ack at once, then answer privately through response_url;
 * a failure is answered there too (context.ts `answering`).
 */
import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { parseCommand } from '../../../conversation/index.js';
import { afterAcks, answering, render, type SlackDeps } from '../context.js';
import { actCommand } from './requests.js';

export function registerCommands(app: App, deps: SlackDeps): void {
  type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;
  const asked = ({ command }: Args) => `${command.command} ${command.text}`.trim();
  // Every command, not only the manifest's: one routed to the app by mistake still gets an ack and help.
  app.command(
    /.*/,
    answering<Args>(deps, asked, async ({ command, ack, respond, client }) => {
      await ack();
      await afterAcks();
      deps.count(command.command);
      const intent = parseCommand(command.command, command.text, deps.conversation.act.commands());
      if (intent.kind === 'act') return actCommand(deps, client, command, typeof respond === 'function' ? respond : undefined);
      const reply = await deps.conversation.answer(intent, 'slack');
      const message = await render(deps, reply);
      // Bolt offers respond() only when the payload carries a response_url; Slack always sends one, but
      // a payload without it still gets its answer, privately in the channel.
      if (typeof respond === 'function') {
        await respond({ ...message, response_type: reply.visibility === 'channel' ? 'in_channel' : 'ephemeral' });
      } else if (command.channel_id && command.user_id) {
        await client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, ...message });
      } else {
        deps.logger.warn({ command: command.command }, 'slash command without response_url or channel: nowhere to answer');
      }
    }),
  );
}
