/**
 * Paging on Slack: the card's Page button opens a modal with a required reason; its submission is
 * acked at once (the modal closes, or shows what is wrong with the reason), then the conversation core
 * pages and the asker gets the outcome as an ephemeral message where they clicked.
 */
import type { AllMiddlewareArgs, App, BlockButtonAction, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { PageForm } from '../../../conversation/index.js';
import { parseRef } from '../../../threads.js';
import { afterAcks, answering, render, type SlackDeps } from '../context.js';
import { escape } from '../render.js';

export const PAGE_CALLBACK = 'sb:page';
const REASON_BLOCK = 'reason';

type WebClient = App['client'];
type Respond = (message: Record<string, unknown>) => Promise<unknown>;

interface PageMetadata {
  ref: string;
  /** `slack:<channel>` where the button was clicked, or null (a DM-less surface). */
  where: string | null;
}

const cut = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
const plain = (text: string, n: number) => ({ type: 'plain_text' as const, text: cut(text, n), emoji: true });

export function pageModal(form: PageForm, where: string | null): Record<string, unknown> {
  const metadata: PageMetadata = { ref: form.ref, where };
  return {
    type: 'modal',
    callback_id: PAGE_CALLBACK,
    private_metadata: JSON.stringify(metadata),
    title: plain('Page the on-call', 24),
    submit: plain('Page', 24),
    close: plain('Cancel', 24),
    blocks: [
      // The title comes from a descriptor: text, never markup.
      { type: 'section', text: { type: 'mrkdwn', text: cut(escape(form.intro), 3000), verbatim: true } },
      {
        type: 'input',
        block_id: REASON_BLOCK,
        label: plain('Reason', 2000),
        hint: plain('What is wrong, and where to look. The on-call reads this first.', 2000),
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: form.reasonMax },
      },
    ],
  };
}

/** The Page button: the modal, or (the entity cannot be paged) why not, privately. */
export async function pageClick(
  deps: SlackDeps,
  args: { ref: string; body: BlockButtonAction; client: WebClient; respond: Respond | undefined },
): Promise<void> {
  const { ref, body, client, respond } = args;
  const result = deps.conversation.pageForm(ref);
  deps.count('button:page');
  if ('form' in result) {
    const channel = body.channel?.id ?? body.container?.channel_id;
    await client.views.open({ trigger_id: body.trigger_id, view: pageModal(result.form, channel ? `slack:${channel}` : null) as never });
    return;
  }
  const message = await render(deps, result.reply);
  if (typeof respond === 'function') await respond({ ...message, response_type: 'ephemeral', replace_original: false });
}

export function registerPage(app: App, deps: SlackDeps): void {
  type Submit = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
  app.view(
    PAGE_CALLBACK,
    answering<Submit>(
      deps,
      () => 'your page',
      async ({ ack, view, body, client }) => {
        let meta: PageMetadata;
        try {
          meta = JSON.parse(view.private_metadata) as PageMetadata;
        } catch {
          await ack({ response_action: 'errors', errors: { [REASON_BLOCK]: 'This form is broken; press Page on the card again.' } });
          return;
        }
        const reason = (view.state.values[REASON_BLOCK]?.value?.value ?? '').trim();
        const form = deps.conversation.pageForm(meta.ref);
        if (!reason || ('form' in form && reason.length > form.form.reasonMax)) {
          await ack({
            response_action: 'errors',
            errors: { [REASON_BLOCK]: reason ? 'Keep the reason shorter.' : 'Say why you page: the on-call reads it first.' },
          });
          return;
        }
        // The provider may take seconds; Slack wants the submission acked within three.
        await ack();
        await afterAcks();
        const asker = await deps.identify(body.user.id);
        // One modal is one page: a retried or repeated submission of it carries the same view id.
        const { reply } = await deps.conversation.page({ ref: meta.ref, reason, asker, requestKey: `slack:${view.id}`, where: meta.where });
        const message = await render(deps, reply);
        const channel = meta.where ? parseRef(meta.where).conversation : undefined;
        const dm = () => client.chat.postMessage({ channel: body.user.id, ...message });
        // Where the card was (ephemerally); a channel the bot cannot post in gets the answer as a DM instead.
        if (channel) await client.chat.postEphemeral({ channel, user: body.user.id, ...message }).catch(dm);
        else await dm();
      },
    ),
  );
}
