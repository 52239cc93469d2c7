/**
 * Teams activities to the conversation core: messages (a mention in a channel or group chat, anything in
 * the 1:1 chat), channels created or renamed and messages in incident channels (one card per affected
 * service, claimed in the bot's state), installs (the conversation is remembered for proactive messages)
 * and invokes: Universal Actions (`adaptiveCard/action`, answered with the refreshed card), form
 * typeahead (`application/search`) and the message extension's search (`composeExtension/query`).
 * Messages are acked at once and answered in the background; invokes are answered in their response.
 */
import type { App } from '@microsoft/teams.apps';
import { shortRef } from '../../catalog/ref.js';
import { decodeAction, describeError, failureReply, type Form, type Intent, type Reply, requestReply } from '../../conversation/index.js';
import { formatRef, parseRef } from '../../threads.js';
import { answerPrivately, baseConversation, inBackground, type InboundActivity, remember, render, sendPrivately, type TeamsDeps, where } from './context.js';
import { formSubmission, searchQuery, searchResponse, toFormCard } from './form.js';
import { cardOf, invokeCardResponse, invokeMessageResponse, type TeamsMessage } from './render.js';
import { attestAction } from './attestation.js';

type Handler = (ctx: { activity: unknown }) => Promise<unknown>;
type On = (name: string, handler: Handler) => void;

/** Every Action.Execute of a card, wherever it sits (action sets, ShowCards). */
function executes(node: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(node)) node.forEach((n) => executes(n, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.type === 'Action.Execute' && o.data && typeof o.data === 'object') out.push(o.data as Record<string, unknown>);
    for (const v of Object.values(o)) executes(v, out);
  }
  return out;
}

const mentionsBot = (a: InboundActivity, botId: string) => (a.entities ?? []).some((e) => e.type === 'mention' && e.mentioned?.id === botId);

export function registerTeamsListeners(app: App, deps: TeamsDeps): void {
  const on = app.on.bind(app) as unknown as On;
  const { conversation: core, state, seal } = deps;

  /** Adds `origin` (where the asker asked), sealed, to every button of a card sent privately: "Share in channel" posts there. */
  const withOrigin = (node: unknown, origin: string) => {
    for (const data of executes(node)) Object.assign(data, { origin, originSeal: seal.sign(origin) });
  };
  /** A form as a message of its own, its context sealed: the click brings it back from the client. */
  const formMessage = (form: Form): TeamsMessage => {
    const card = toFormCard(form);
    for (const data of executes(card)) if (data.sbForm) data.sbFormSeal = seal.sign(data.sbForm);
    return { type: 'message', text: form.title, textFormat: 'plain', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] };
  };
  const sealedOrigin = (data: Record<string, unknown>) =>
    typeof data.origin === 'string' && seal.check(data.origin, data.originSeal) ? data.origin : undefined;

  /** A channel's name as Teams last told it (state); undefined elsewhere or when never told. */
  const channelName = async (a: InboundActivity) =>
    a.conversation.conversationType === 'channel' ? ((await state.conversation(where(a).conversation))?.name ?? undefined) : undefined;

  /** The incident cards for a channel, posted as new messages there (a standard channel's own threads). */
  async function incidentCards(a: InboundActivity, channelId: string, texts: (string | undefined)[]): Promise<void> {
    const ref = formatRef({ platform: 'teams', conversation: channelId });
    await core.postIncidentCards(
      state,
      ref,
      texts,
      async (card) => {
        const { id } = await deps.connector.send(a.serviceUrl, channelId, await render(deps, card));
        deps.count('incident_card');
        return id;
      },
      (err) => (err as { code?: string }).code ?? (err as Error).message,
    );
  }

  async function act(a: InboundActivity, intent: Extract<Intent, { kind: 'act' }>): Promise<void> {
    const actor = await deps.people.identify(a);
    const result = await core.act.act(intent.command, intent.text, actor, where(a).thread, { preferForm: true });
    if ('form' in result) {
      // The form goes to the asker only: in a channel, to their 1:1 chat.
      await sendPrivately(deps, a, formMessage(result.form));
      return;
    }
    await answerPrivately(deps, a, result.reply);
  }

  on('message', async ({ activity }) => {
    const a = activity as InboundActivity;
    await remember(deps, a);
    const kind = a.conversation.conversationType ?? 'personal';
    const addressed = kind === 'personal' || mentionsBot(a, deps.botId);
    inBackground(deps, a, addressed ? 'your message' : 'your message in this incident channel', async () => {
      const text = (a.text ?? '').trim();
      const channelId = a.channelData?.channel?.id ?? baseConversation(a.conversation.id);
      const name = await channelName(a);
      const incident = core.isIncidentChannel(name);
      if (!addressed) {
        // Channel messages arrive without a mention only with the RSC permission; only incident channels care.
        if (incident) await incidentCards(a, channelId, [text]);
        return;
      }
      const intent = core.parseMessage(text);
      if (incident) {
        await incidentCards(a, channelId, [name, 'query' in intent ? intent.query : undefined]);
        if (intent.kind === 'help') return;
      }
      deps.count(`message:${intent.kind}`);
      if (intent.kind === 'act') return act(a, intent);
      if (intent.kind === 'vote') return;
      const reply = await core.answer(intent, 'teams');
      await answerPrivately(deps, a, reply, (m) => withOrigin(m, where(a).thread));
    });
    return undefined;
  });

  // A standard channel created or renamed with an incident's name: one card per service it names.
  for (const event of ['channelCreated', 'channelRenamed']) {
    on(event, async ({ activity }) => {
      const a = activity as InboundActivity;
      const channel = a.channelData?.channel;
      if (!channel?.id) return undefined;
      const ref = formatRef({ platform: 'teams', conversation: channel.id });
      await state.rememberConversation({
        ref,
        serviceUrl: a.serviceUrl,
        tenantId: a.conversation.tenantId ?? null,
        kind: 'channel',
        name: channel.name ?? null,
      });
      if (!core.isIncidentChannel(channel.name)) return undefined;
      inBackground(deps, a, `the new channel ${channel.name}`, () => incidentCards(a, channel.id as string, [channel.name]));
      return undefined;
    });
  }

  // Installed in a team, a group chat or a 1:1: remembered, so approvals and status can be sent there later.
  on('install.add', async ({ activity }) => {
    const a = activity as InboundActivity;
    await remember(deps, a, a.channelData?.channel?.name ?? null);
    inBackground(deps, a, 'installing Switchboard', async () => {
      await deps.people.accountOf(a);
    });
    return undefined;
  });

  on('card.action', async ({ activity }) => {
    const a = activity as InboundActivity;
    await remember(deps, a);
    try {
      return await cardAction(a);
    } catch (err) {
      const { code, message } = describeError(err);
      deps.logger.error({ err, code }, 'Teams card action failed; answering in the card');
      return invokeCardResponse(cardOf(await render(deps, failureReply('that button', message, code))));
    }
  });

  async function cardAction(a: InboundActivity) {
    const action = (a.value as { action?: { verb?: string; data?: Record<string, unknown> } } | undefined)?.action;
    const data = action?.data ?? {};
    if (action?.verb === 'sb-form') {
      const submitted = formSubmission(data);
      if (!submitted || !seal.check(data.sbForm, data.sbFormSeal)) return invokeMessageResponse('This form is broken or was changed; run the command again.');
      const actor = await deps.people.identify(a);
      const outcome = await core.act.submit({ action: submitted.meta.action, context: submitted.meta.context }, submitted.values, actor);
      if (outcome.kind === 'invalid') {
        const form = core.act.form(submitted.meta.action, submitted.values, submitted.meta.context);
        if (form) {
          const card = toFormCard(form, { errors: outcome.errors, values: submitted.values });
          for (const d of executes(card)) if (d.sbForm) d.sbFormSeal = seal.sign(d.sbForm);
          return invokeCardResponse(card);
        }
      }
      deps.count(`form:${submitted.meta.action}`);
      return invokeCardResponse(cardOf(await render(deps, requestReply(outcome))));
    }
    const clicked = decodeAction(typeof data.sb === 'string' ? data.sb : '');
    deps.count(`button:${clicked.kind}`);
    if (clicked.kind === 'vote') {
      const actor = await deps.people.identify(a);
      const reason = typeof data.reason === 'string' ? data.reason.trim() : '';
      if (clicked.decision === 'reject' && !reason) return invokeMessageResponse('A rejection needs a reason.');
      const { outcome, reply } = await core.castVote(clicked.workflowId, clicked.decision, actor, reason || undefined);
      // A refused vote leaves the card as it was (the buttons stay); the person reads why.
      if (outcome.kind !== 'counted') return invokeMessageResponse(reply.summary);
      return invokeCardResponse(cardOf(await render(deps, reply)));
    }
    if (clicked.kind === 'attest') return attestAction(core, clicked, data, await deps.people.identify(a), (reply) => render(deps, reply), a.replyToId);
    if (clicked.kind === 'page') {
      const reason = typeof data.reason === 'string' ? data.reason.trim() : '';
      if (!reason) return invokeMessageResponse('Say why you page: the on-call reads it first.');
      const form = core.pageForm(clicked.ref);
      if ('reply' in form) return invokeMessageResponse(form.reply.summary);
      const asker = await deps.people.identify(a);
      // One invoke is one page: Teams retries an invoke with the same activity id.
      const { outcome, reply } = await core.page({
        ref: clicked.ref,
        reason,
        asker,
        requestKey: `teams:${a.id ?? `${a.replyToId ?? ''}:${reason}`}`,
        where: where(a).thread,
      });
      // The card stays as it was (Page still there) unless the page went out; the asker reads why.
      if (outcome.kind !== 'paged') return invokeMessageResponse(reply.summary);
      return invokeCardResponse(cardOf(await render(deps, reply)));
    }
    if (clicked.kind === 'share') {
      const origin = sealedOrigin(data);
      const card = await core.answer(clicked, 'teams');
      if (origin && origin !== where(a).conversation) {
        const { conversation, message } = parseRef(origin);
        const known = await state.conversation(formatRef({ platform: 'teams', conversation }));
        if (!known) return invokeMessageResponse('I cannot post in that conversation any more.');
        const out = await render(deps, { ...card, visibility: 'channel' });
        if (message && known.kind === 'channel') await deps.connector.reply(known.serviceUrl, conversation, message, out);
        else await deps.connector.send(known.serviceUrl, conversation, out);
      }
      return invokeCardResponse(cardOf(await render(deps, { ...card, blocks: [...card.blocks, { type: 'context', text: ['Shared in the channel.'] }] })));
    }
    const reply = await core.answer(clicked, 'teams');
    const message = await render(deps, reply);
    const origin = sealedOrigin(data);
    if (origin) withOrigin(message, origin);
    return invokeCardResponse(cardOf(message));
  }

  // Typeahead in a form's picker (Input.ChoiceSet with Data.Query).
  on('card.search', async ({ activity }) => {
    const a = activity as InboundActivity;
    const query = searchQuery(a.value);
    if (!query) return searchResponse([]);
    const [action = '', input = query.dataset] = query.dataset.split('/');
    const found = core.act.suggest(action, input, query.text);
    return searchResponse(found.slice(0, query.max).map((o) => ({ label: o.label, value: o.value })));
  });

  // The message extension: search a service from the compose box and insert its card.
  on('message.ext.query', async ({ activity }) => {
    const a = activity as InboundActivity;
    const value = (a.value ?? {}) as { parameters?: { name?: string; value?: unknown }[]; queryOptions?: { count?: number } };
    const text = String(value.parameters?.find((p) => p.name === 'query')?.value ?? value.parameters?.[0]?.value ?? '').trim();
    deps.count('search');
    const count = Math.min(Math.max(value.queryOptions?.count ?? 10, 1), 25);
    const answer = text ? core.reply({ kind: 'whoowns', query: text }) : null;
    const refs = answer ? refsOf(answer).slice(0, count) : [];
    const attachments = await Promise.all(
      refs.map(async (ref) => {
        const card = await core.answer({ kind: 'share', query: ref });
        return {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: cardOf(await render(deps, card)),
          preview: { contentType: 'application/vnd.microsoft.card.thumbnail', content: { title: shortRef(ref), text: card.summary.slice(0, 200) } },
        };
      }),
    );
    return { composeExtension: { type: 'result', attachmentLayout: 'list', attachments } };
  });
}

/** The entities an answer is about: the one it found, or the candidates of a "did you mean". */
function refsOf(reply: Reply): string[] {
  const refs: string[] = [];
  for (const b of reply.blocks) {
    if (b.type !== 'actions') continue;
    for (const button of b.buttons) {
      const intent = decodeAction(button.action);
      if ((intent.kind === 'whoowns' || intent.kind === 'share' || intent.kind === 'deps') && !refs.includes(intent.query)) refs.push(intent.query);
    }
  }
  return refs;
}
