/**
 * The conversation core: intents in, replies out. Adapters call it; it never calls them, and it
 * knows no chat SDK (src/boundaries.test.ts).
 */
import type { Actor, VoteOutcome } from '../actions/launcher.js';
import type { Catalog, EntitySummary, WhoOwnsAnswer } from '../catalog/index.js';
import { depsCard, helpCard, runbookCard, whoOwnsCard } from './cards.js';
import { createActConversation, type SelfService, voteReply } from './act.js';
import { type Intent, parseMention } from './intents.js';
import type { Reply } from './reply.js';
import { notice } from './request-cards.js';
import { type IncidentClaims, postIncidentCards } from './incidents.js';
import type { Pager, PageRequest } from '../paging/contract.js';
import { pageAndSay, pageFormFor } from './page.js';
import type { OnCallProviders } from '../oncall/contract.js';

export * from './intents.js';
export * from './reply.js';
export type { ActAnswer, Form, FormField, SelfService } from './act.js';
export { requestReply } from './act.js';
export type { ChatNotifier } from './request-cards.js';
export { failureReply } from './request-cards.js';
export { describeError } from './errors.js';
export { IncidentCardError, type IncidentClaims } from './incidents.js';
export type { PageForm } from './page.js';
export type { PageOutcome } from '../paging/contract.js';

/** The catalog questions the conversation asks. */
export type CatalogQueries = Pick<Catalog, 'whoOwns' | 'runbook' | 'deps' | 'findMentions'> & Partial<Pick<Catalog, 'onCallSubject'>>;

export interface ConversationOptions {
  catalog: CatalogQueries;
  now?: () => Date;
  /** Channel names that mark an incident; default `^(inc|incident)[-_]`. */
  incidentPattern?: RegExp;
  /** Self-service (the launcher); without it, actions answer that self-service is unavailable. */
  selfService?: SelfService;
  /** The Temporal UI page of a workflow, for status answers. */
  workflowUrl?: (workflowId: string) => string | undefined;
  /** Paging the on-call from a card (src/paging); without it, cards offer no Page button. */
  pager?: Pager;
  /**
   * Who is on call, from every configured provider (src/oncall); needs `catalog.onCallSubject`. Without
   * it, answers show the catalog's own Schedules as the catalog query gives them.
   */
  onCall?: OnCallProviders;
}

export const DEFAULT_INCIDENT_PATTERN = /^(inc|incident)[-_]/i;

export function createConversation(options: ConversationOptions) {
  const { catalog } = options;
  const now = options.now ?? (() => new Date());
  const incidentPattern = options.incidentPattern ?? DEFAULT_INCIDENT_PATTERN;

  const act = createActConversation(options.selfService);
  const pageability = (ref: string | undefined) => (ref && options.pager ? options.pager.pageable(ref) : null);
  /** The answer with the providers' on-call in place of the catalog's Schedules alone. */
  const withOnCall = async <A extends { entity: EntitySummary | null; onCall: WhoOwnsAnswer['onCall'] }>(answer: A, at: Date): Promise<A> => {
    const subject = options.onCall && answer.entity ? catalog.onCallSubject?.(answer.entity.ref) : null;
    if (!options.onCall || !subject) return answer;
    const found = await options.onCall.lookup(subject, at);
    return { ...answer, onCall: found.onCall, ...(found.unknown.length && { onCallUnknown: found.unknown }) };
  };
  const cardOf = (answer: WhoOwnsAnswer, shareable: boolean) => whoOwnsCard(answer, { shareable, page: pageability(answer.entity?.ref) });
  /** The cards that show who is on call, with the providers asked (each bounded by its timeout). */
  const withProviders = async (intent: Intent): Promise<Reply | null> => {
    const at = now();
    if (intent.kind === 'whoowns' || intent.kind === 'share') return cardOf(await withOnCall(catalog.whoOwns(intent.query, at), at), intent.kind === 'whoowns');
    if (intent.kind === 'runbook') return runbookCard(await withOnCall(catalog.runbook(intent.query, at), at));
    return null;
  };

  const core = {
    /** Self-service: requests, forms, votes and status (asynchronous: they talk to Temporal). */
    act,

    /**
     * A vote with its typed outcome beside the reply, for a surface that must decide from it (the
     * reject modal stays open on a refusal): decisions come from `outcome.kind`, never from the text.
     */
    async castVote(workflowId: string, decision: 'approve' | 'reject', actor: Actor, reason?: string): Promise<{ outcome: VoteOutcome; reply: Reply }> {
      const outcome: VoteOutcome = options.selfService
        ? await options.selfService.vote(workflowId, actor, decision, reason)
        : { kind: 'unavailable', reason: 'it is not configured in this process' };
      return { outcome, reply: voteReply(outcome, decision) };
    },

    /**
     * The answer to any intent a surface parsed, self-service status included: what every adapter calls
     * for a command, a mention, a message or a click. Votes go through castVote (they need the actor).
     */
    async answer(intent: Intent): Promise<Reply> {
      if (intent.kind === 'status') return act.status(intent.id, options.workflowUrl);
      return (await withProviders(intent)) ?? core.reply(intent);
    },

    /**
     * The Page button's click: the form a surface shows (a required reason) or, when the entity cannot be
     * paged, why. Paging itself is `page`, once the reason is in.
     */
    pageForm(ref: string) {
      return pageFormFor(options.pager, ref);
    },

    /** Pages the on-call of `ref` with the asker's reason: the typed outcome beside what to say. */
    page(request: PageRequest) {
      return pageAndSay(options.pager, request);
    },

    /**
     * Posts the incident card of each affected service not yet in this conversation (see incidents.ts),
     * claimed in `claims` (the bot's state); `post` is the surface's, and returns the message id.
     */
    postIncidentCards(
      claims: IncidentClaims,
      conversation: string,
      texts: (string | undefined)[],
      post: (card: Reply) => Promise<string>,
      errorText?: (err: unknown) => string,
    ) {
      return postIncidentCards(core, claims, conversation, texts, post, errorText);
    },

    /**
     * What a typed message asks (a Teams message, a mention): a self-service command when its first word
     * is one (`create-service beans-api`, `/rollback ledger`), else plain English or a sub-command.
     */
    parseMessage(text: string): Intent {
      const cleaned = text.replace(/<at>[^<]*<\/at>/gi, ' ').trim();
      const [first = '', ...rest] = cleaned.split(/\s+/);
      const command = `/${first.replace(/^\//, '').toLowerCase()}`;
      if (first && act.commands().includes(command)) return { kind: 'act', command, text: rest.join(' ') };
      return parseMention(cleaned);
    },

    /**
     * The reply to one intent from the catalog alone: on-call as its own Schedules say (what a renderer
     * test needs). Surfaces call `answer`, which asks the on-call providers too. Answers to a person are
     * private and offer "Share in channel".
     */
    reply(intent: Intent): Reply {
      switch (intent.kind) {
        case 'whoowns':
          return cardOf(catalog.whoOwns(intent.query, now()), true);
        case 'share':
          return cardOf(catalog.whoOwns(intent.query, now()), false);
        case 'runbook':
          return runbookCard(catalog.runbook(intent.query, now()));
        case 'deps':
          return depsCard(catalog.deps(intent.query, intent.depth));
        case 'help':
          return helpCard(intent.reason, act.commands());
        case 'act':
        case 'vote':
        case 'status':
          // Adapters send these to `act`; reaching here is a wiring bug worth a clear answer.
          return notice([`${intent.kind} is answered by self-service, which this surface did not route.`]);
        case 'page':
          // A surface without forms (the terminal) cannot ask for the reason.
          return notice(['Paging asks for a reason in a form: page from Slack or Microsoft Teams, or from PagerDuty or Opsgenie directly.']);
      }
    },

    isIncidentChannel: (name: string | undefined) => !!name && incidentPattern.test(name),

    /** The services an incident is about, from the channel's name, topic, purpose or a message. */
    affectedServices(texts: (string | undefined)[]): EntitySummary[] {
      const seen = new Map<string, EntitySummary>();
      for (const text of texts) {
        if (!text) continue;
        const cleaned = text.replace(incidentPattern, ' ');
        for (const e of catalog.findMentions(cleaned)) if (!seen.has(e.ref)) seen.set(e.ref, e);
      }
      return [...seen.values()];
    },

    /** The card posted into an incident channel for one affected service: for everyone, with deps. */
    async incidentCard(ref: string): Promise<Reply> {
      const when = now();
      const card = whoOwnsCard(await withOnCall(catalog.whoOwns(ref, when), when), { shareable: false, page: pageability(ref) });
      const deps = catalog.deps(ref, 1);
      const names = (nodes: typeof deps.dependsOn) => nodes.map((n) => n.name).join(', ') || 'none';
      const at = card.blocks.findIndex((b) => b.type === 'context' && b !== card.blocks[1]);
      card.blocks.splice(at < 0 ? card.blocks.length : at, 0, {
        type: 'fields',
        fields: [
          { label: 'Upstream (it depends on)', value: [names(deps.dependsOn)] },
          { label: 'Downstream (depends on it)', value: [names(deps.dependents)] },
        ],
      });
      return { ...card, summary: `Affected: ${card.summary}`, visibility: 'channel' } as Reply;
    },
  };
  return core;
}

export type Conversation = ReturnType<typeof createConversation>;
