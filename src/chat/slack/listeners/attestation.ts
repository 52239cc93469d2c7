/**
 * "Still yours?" on Slack: Confirm edits the ask in place to show who confirmed; Not ours opens a modal
 * with a select of the catalog's teams, and its submission records the claim and edits the ask. Who may
 * answer is the core's decision (src/attestation/answer.ts); a refusal is ephemeral, to the clicker only.
 */
import type { AllMiddlewareArgs, App, BlockButtonAction, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { Intent } from '../../../conversation/index.js';
import { afterAcks, answering, render, type SlackDeps } from '../context.js';
import { escape } from '../render.js';

export const ATTEST_CALLBACK = 'sb:attest-owner';
const OWNER_BLOCK = 'owner';

type WebClient = App['client'];
type Respond = (message: Record<string, unknown>) => Promise<unknown>;
type AttestIntent = Extract<Intent, { kind: 'attest' }>;

interface OwnerMetadata {
  round: string;
  team: string;
  entity: string;
  /** The ask message, to edit once the claim is recorded. */
  channel: string | null;
  ts: string | null;
}

const cut = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
const plain = (text: string, n: number) => ({ type: 'plain_text' as const, text: cut(text, n), emoji: true });

export function ownerModal(entityName: string, teams: { ref: string; displayName: string }[], meta: OwnerMetadata): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: ATTEST_CALLBACK,
    private_metadata: JSON.stringify(meta),
    title: plain('Not ours', 24),
    submit: plain('Propose owner', 24),
    close: plain('Cancel', 24),
    blocks: [
      // Names come from descriptors: text, never markup.
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: cut(`Which team owns *${escape(entityName)}*? The change to its descriptor goes to that team's review.`, 3000),
          verbatim: true,
        },
      },
      {
        type: 'input',
        block_id: OWNER_BLOCK,
        label: plain('Owning team', 2000),
        element: {
          type: 'static_select',
          action_id: 'value',
          placeholder: plain('Pick a team', 150),
          options: teams.map((t) => ({ text: plain(t.displayName, 75), value: t.ref })),
        },
      },
    ],
  };
}

async function editAsk(deps: SlackDeps, client: WebClient, channel: string | null, ts: string | null, ask: Parameters<typeof render>[1]) {
  if (!channel || !ts) return;
  await client.chat.update({ channel, ts, ...(await render(deps, ask)) });
}

/** A Confirm / Not ours / Confirm all click in an ask. */
export async function attestClick(
  deps: SlackDeps,
  args: { intent: AttestIntent; body: BlockButtonAction; client: WebClient; respond: Respond | undefined },
): Promise<void> {
  const { intent, body, client, respond } = args;
  deps.count(`button:attest-${intent.answer}`);
  await afterAcks();
  const actor = await deps.identify(body.user.id);
  const channel = body.container?.channel_id ?? body.channel?.id ?? null;
  const ts = body.container?.message_ts ?? body.message?.ts ?? null;
  const outcome = await deps.conversation.attest(intent, actor, ts ? { platform: 'slack', message: ts } : undefined);
  if (outcome.kind === 'recorded') return editAsk(deps, client, channel, ts, outcome.ask);
  if (outcome.kind === 'pick') {
    const meta: OwnerMetadata = { round: intent.round, team: intent.team, entity: outcome.entity.ref, channel, ts };
    await client.views.open({ trigger_id: body.trigger_id, view: ownerModal(outcome.entity.name, outcome.teams, meta) as never });
    return;
  }
  const message = await render(deps, outcome.reply);
  if (typeof respond === 'function') await respond({ ...message, response_type: 'ephemeral', replace_original: false });
  else if (channel) await client.chat.postEphemeral({ channel, user: body.user.id, ...message });
}

export function registerAttestation(app: App, deps: SlackDeps): void {
  type Submit = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
  app.view(
    ATTEST_CALLBACK,
    answering<Submit>(
      deps,
      () => 'your answer to "Still yours?"',
      async ({ ack, view, body, client }) => {
        let meta: OwnerMetadata;
        try {
          meta = JSON.parse(view.private_metadata) as OwnerMetadata;
        } catch {
          await ack({ response_action: 'errors', errors: { [OWNER_BLOCK]: 'This form is broken; press Not ours on the ask again.' } });
          return;
        }
        const owner = view.state.values[OWNER_BLOCK]?.value?.selected_option?.value;
        if (!owner) {
          await ack({ response_action: 'errors', errors: { [OWNER_BLOCK]: 'Pick the team that owns it.' } });
          return;
        }
        await ack();
        await afterAcks();
        const actor = await deps.identify(body.user.id);
        const outcome = await deps.conversation.attest(
          { kind: 'attest', answer: 'disown', round: meta.round, team: meta.team, entity: meta.entity, owner },
          actor,
          meta.ts ? { platform: 'slack', message: meta.ts } : undefined,
        );
        if (outcome.kind === 'recorded') return editAsk(deps, client, meta.channel, meta.ts, outcome.ask);
        const reply = outcome.kind === 'refused' ? outcome.reply : null;
        if (!reply) return;
        const message = await render(deps, reply);
        if (meta.channel)
          await client.chat
            .postEphemeral({ channel: meta.channel, user: body.user.id, ...message })
            .catch(() => client.chat.postMessage({ channel: body.user.id, ...message }));
        else await client.chat.postMessage({ channel: body.user.id, ...message });
      },
    ),
  );
}
