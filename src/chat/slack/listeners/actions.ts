/**
 * Buttons: "Did you mean" answers in place of the question; "Share in channel" posts the card for
 * everyone and removes the private copy.
 */
import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { decodeAction } from '../../../conversation/index.js';
import { afterAcks, answering, render, type SlackDeps } from '../context.js';
import { attestClick } from './attestation.js';
import { pageClick } from './page.js';
import { voteClick } from './requests.js';

export function registerActions(app: App, deps: SlackDeps): void {
  type Args = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;
  const asked = ({ action }: Args) => `the button “${action.text.text}”`;
  app.action<BlockButtonAction>(
    /^sb:\d+$/,
    answering<Args>(deps, asked, async ({ action, ack, respond, body, client }) => {
      await ack();
      const clicked = decodeAction(action.value ?? '');
      if (clicked.kind === 'vote') {
        await voteClick(deps, {
          workflowId: clicked.workflowId,
          decision: clicked.decision,
          body,
          client,
          respond: typeof respond === 'function' ? respond : undefined,
        });
        return;
      }
      if (clicked.kind === 'attest') {
        await attestClick(deps, { intent: clicked, body, client, respond: typeof respond === 'function' ? respond : undefined });
        return;
      }
      if (clicked.kind === 'page') {
        await pageClick(deps, { ref: clicked.ref, body, client, respond: typeof respond === 'function' ? respond : undefined });
        return;
      }
      await afterAcks();
      // A click from a surface without a response_url (a Home tab) has no message to answer in.
      if (typeof respond !== 'function') return;
      const intent = decodeAction(action.value ?? '');
      deps.count(`button:${intent.kind}`);
      const reply = await deps.conversation.answer(intent, 'slack');
      const message = await render(deps, reply);
      if (intent.kind === 'share') await respond({ ...message, response_type: 'in_channel', delete_original: true });
      else await respond({ ...message, replace_original: true });
    }),
  );
  // Clicks on anything else (a link button, another app's leftovers) are acked so Slack shows no error.
  app.action(/^(?!sb:\d+$)/, async ({ ack }) => {
    await ack();
  });
}
