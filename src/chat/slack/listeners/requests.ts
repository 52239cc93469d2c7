/**
 * Self-service on Slack: action commands (a modal when inputs are missing), Approve / Reject clicks in
 * DMs (Reject opens a reason modal) and the modals' submissions. Every click and command is acked
 * first; a submission is acked with per-field errors when the inputs do not pass.
 */
import type {
  AllMiddlewareArgs,
  App,
  BlockButtonAction,
  SlackOptionsMiddlewareArgs,
  SlackViewMiddlewareArgs,
  SlashCommand,
  ViewSubmitAction,
} from '@slack/bolt';
import { requestReply, type Reply } from '../../../conversation/index.js';
import { afterAcks, answering, render, type SlackDeps } from '../context.js';
import { parseRef } from '../../../threads.js';
import { FORM_CALLBACK, type FormMetadata, formValues, REJECT_CALLBACK, rejectModal, toModal } from '../form.js';

type WebClient = App['client'];
type Respond = (message: Record<string, unknown>) => Promise<unknown>;

async function answer(deps: SlackDeps, respond: Respond | undefined, client: WebClient, reply: Reply, fallback: { channel?: string; user: string }) {
  const message = await render(deps, reply);
  if (typeof respond === 'function') await respond({ ...message, response_type: 'ephemeral', replace_original: false });
  else if (fallback.channel) await client.chat.postEphemeral({ channel: fallback.channel, user: fallback.user, ...message });
}

/** A slash command that is a self-service action. */
export async function actCommand(deps: SlackDeps, client: WebClient, command: SlashCommand, respond: Respond | undefined): Promise<void> {
  const actor = await deps.identify(command.user_id);
  const where = `slack:${command.channel_id}`;
  // No incident from the channel's name: break-glass counts only incidents Switchboard posted a card in.
  const result = await deps.conversation.act.act(command.command, command.text, actor, where, { preferForm: true });
  if ('form' in result) {
    try {
      await client.views.open({ trigger_id: command.trigger_id, view: toModal(result.form) as never });
      return;
    } catch (err) {
      deps.logger.warn({ err }, 'could not open the form; answering with usage instead');
      const missing = result.form.fields.filter((f) => f.required && f.initial === undefined).map((f) => `${f.name}=…`);
      await answer(
        deps,
        respond,
        client,
        {
          summary: 'Missing inputs',
          visibility: 'private',
          blocks: [
            {
              type: 'section',
              text: [
                `Missing inputs: ${missing.join(' ')}. Add them to the command, e.g. `,
                { code: `${command.command} ${command.text} ${missing.join(' ')}`.replace(/\s+/g, ' ') },
              ],
            },
          ],
        },
        { channel: command.channel_id, user: command.user_id },
      );
      return;
    }
  }
  await answer(deps, respond, client, result.reply, { channel: command.channel_id, user: command.user_id });
}

export function registerSelfService(app: App, deps: SlackDeps): void {
  // Every listener answers a failure (context.ts `answering`): in the modal before ack, by DM after.
  type Options = SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs;
  type Submit = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
  // Picker options: Slack asks as the person types in an external_select of a form.
  app.options<'block_suggestion'>(
    { type: 'block_suggestion', action_id: 'value' },
    answering<Options>(
      deps,
      () => 'the search in the form',
      async ({ ack, body, options }) => {
        let action = '';
        try {
          action = (JSON.parse((body as { view?: { private_metadata?: string } }).view?.private_metadata ?? '{}') as FormMetadata).action ?? '';
        } catch {
          // Not one of our forms.
        }
        const found = deps.conversation.act.suggest(action, options.block_id, options.value ?? '');
        await ack({ options: found.slice(0, 100).map((o) => ({ text: { type: 'plain_text', text: o.label.slice(0, 75) }, value: o.value })) });
      },
    ),
  );

  app.view(
    FORM_CALLBACK,
    answering<Submit>(
      deps,
      ({ view }) => `the form “${view.title.text}”`,
      async ({ ack, view, body, client }) => {
        let meta: FormMetadata;
        try {
          meta = JSON.parse(view.private_metadata) as FormMetadata;
        } catch {
          await ack({
            response_action: 'errors',
            errors: { [view.blocks.find((b) => b.type === 'input')?.block_id ?? 'name']: 'This form is broken; run the command again.' },
          });
          return;
        }
        const actor = await deps.identify(body.user.id);
        const values = formValues(view.state.values as never);
        const outcome = await deps.conversation.act.submit({ action: meta.action, context: { where: meta.where, breakGlass: meta.breakGlass } }, values, actor);
        if (outcome.kind === 'invalid') {
          const fields = new Set(view.blocks.map((b) => b.block_id));
          const errors: Record<string, string> = {};
          for (const e of outcome.errors) {
            const key = fields.has(e.input) ? e.input : (view.blocks.find((b) => b.type === 'input')?.block_id as string);
            errors[key] = errors[key] ? `${errors[key]}; ${e.message}` : e.message;
          }
          await ack({ response_action: 'errors', errors });
          return;
        }
        if (outcome.kind === 'refused' || outcome.kind === 'unavailable') {
          const first = view.blocks.find((b) => b.type === 'input')?.block_id as string;
          await ack({ response_action: 'errors', errors: { [first]: cutText(requestReply(outcome).summary, 150) } });
          return;
        }
        await ack();
        deps.count(`form:${meta.action}`);
        const channel = parseRef(meta.where).conversation;
        const message = await render(deps, requestReply(outcome));
        if (channel)
          await client.chat
            .postEphemeral({ channel, user: body.user.id, ...message })
            .catch((err: unknown) => deps.logger.warn({ err }, 'could not confirm the request'));
      },
    ),
  );

  app.view(
    REJECT_CALLBACK,
    answering<Submit>(
      deps,
      () => 'your rejection',
      async ({ ack, view, body }) => {
        const reason = (view.state.values.reason?.value?.value ?? '').trim();
        if (!reason) {
          await ack({ response_action: 'errors', errors: { reason: 'A rejection needs a reason.' } });
          return;
        }
        const actor = await deps.identify(body.user.id);
        const { outcome, reply } = await deps.conversation.castVote(view.private_metadata, 'reject', actor, reason);
        if (outcome.kind !== 'counted') {
          await ack({ response_action: 'errors', errors: { reason: cutText(reply.summary, 150) } });
          return;
        }
        await ack();
        deps.count('vote:reject');
      },
    ),
  );
}

/** An Approve or Reject click in an approver's DM. */
export async function voteClick(
  deps: SlackDeps,
  args: { workflowId: string; decision: 'approve' | 'reject'; body: BlockButtonAction; client: WebClient; respond: Respond | undefined },
): Promise<void> {
  const { workflowId, decision, body, client, respond } = args;
  if (decision === 'reject') {
    const summary = body.message?.text ?? workflowId;
    await client.views.open({ trigger_id: body.trigger_id, view: rejectModal(workflowId, summary) as never });
    return;
  }
  await afterAcks();
  const actor = await deps.identify(body.user.id);
  const reply = await deps.conversation.act.vote(workflowId, 'approve', actor);
  deps.count('vote:approve');
  await answer(deps, respond, client, reply, { channel: body.channel?.id, user: body.user.id });
}

const cutText = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
