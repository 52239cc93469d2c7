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
import { type AttestationReader, withVerification } from '../attestation/verification.js';
import type { AttestationAnswers, AttestIntent, AttestOutcome, ClickedMessage } from '../attestation/answer.js';
import type { Question } from '../state/truth.js';
import type { HealthReport } from '../health/report.js';
import { healthCard } from '../health/card.js';

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
export type CatalogQueries = Pick<Catalog, 'whoOwns' | 'runbook' | 'deps' | 'findMentions'> & Partial<Pick<Catalog, 'onCallSubject' | 'getEntity'>>;

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
  /**
   * Owners' answers to "Still yours?" (the shared state's `truth`): every answer then says when its
   * owner last confirmed it, or that nobody has. Without it, answers say nothing about verification.
   */
  attestations?: AttestationReader;
  /** Recording those answers from the ask's buttons (src/attestation/answer.ts); without it, clicks are refused. */
  attestationAnswers?: AttestationAnswers;
  /**
   * Keeps each catalog question (whoowns, runbook, deps) with what it found, for the health report's gaps
   * and the weekly digest. Fire and forget: it must neither throw nor be awaited (src/health/questions.ts).
   */
  recordQuestion?: (q: Question) => void;
  /**
   * The health report for everything or one team (`/switchboard health [team]`); it rejects with a
   * message for the asker when the team is unknown. Without it, the command answers it is unavailable.
   */
  health?: (team: string | undefined) => Promise<HealthReport>;
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
  const teamName = (ref: string) => {
    const e = catalog.getEntity?.(ref);
    return e ? (e.title ?? e.name) : null;
  };
  /** The answer as the providers and the shared state complete it: on-call, and its owner's last confirmation. */
  const completed = async <A extends Parameters<typeof withOnCall>[0] & { owner: WhoOwnsAnswer['owner'] }>(answer: A, at: Date): Promise<A> => {
    const withIt = await withOnCall(answer, at);
    return options.attestations ? withVerification(options.attestations, withIt, teamName) : withIt;
  };
  const cardOf = (answer: WhoOwnsAnswer, shareable: boolean) => whoOwnsCard(answer, { shareable, page: pageability(answer.entity?.ref), now: now() });
  /** The answer, kept as a question asked on `platform` (a share re-posts an answer: not a question). */
  const asked = <A extends { query: string; status: Question['status']; entity: EntitySummary | null }>(answer: A, platform: string): A => {
    options.recordQuestion?.({ query: answer.query, status: answer.status, entityRef: answer.entity?.ref ?? null, platform });
    return answer;
  };
  /** The cards that show who is on call, with the providers asked (each bounded by its timeout). */
  const withProviders = async (intent: Intent, platform: string): Promise<Reply | null> => {
    const at = now();
    if (intent.kind === 'whoowns') return cardOf(await completed(asked(catalog.whoOwns(intent.query, at), platform), at), true);
    if (intent.kind === 'share') return cardOf(await completed(catalog.whoOwns(intent.query, at), at), false);
    if (intent.kind === 'runbook') return runbookCard(await completed(asked(catalog.runbook(intent.query, at), platform), at), at);
    if (intent.kind === 'deps') return depsCard(asked(catalog.deps(intent.query, intent.depth), platform));
    return null;
  };

  const healthAnswer = async (team: string | undefined): Promise<Reply> => {
    if (!options.health) return notice(['The health report is not available from this process.']);
    try {
      return healthCard(await options.health(team));
    } catch (err) {
      return notice([err instanceof Error ? err.message : String(err)]);
    }
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
     * `platform` names the surface asking (`slack`, `teams`, `shell`), kept with the question.
     */
    async answer(intent: Intent, platform = 'chat'): Promise<Reply> {
      if (intent.kind === 'status') return act.status(intent.id, options.workflowUrl);
      if (intent.kind === 'health') return healthAnswer(intent.team);
      return (await withProviders(intent, platform)) ?? core.reply(intent);
    },

    /**
     * The Page button's click: the form a surface shows (a required reason) or, when the entity cannot be
     * paged, why. Paging itself is `page`, once the reason is in.
     */
    pageForm(ref: string) {
      return pageFormFor(options.pager, ref);
    },

    /**
     * A click in a "Still yours?" ask, by a person the surface verified: recorded (edit the ask in place
     * with `ask`), a team picker to show (Not ours), or a private refusal.
     */
    async attest(intent: AttestIntent, actor: Actor, clicked?: ClickedMessage): Promise<AttestOutcome> {
      if (!options.attestationAnswers) return { kind: 'refused', reply: notice(['"Still yours?" answers are not recorded by this process.']) };
      return options.attestationAnswers.answer(intent, actor, clicked);
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
          return runbookCard(catalog.runbook(intent.query, now()), now());
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
        case 'attest':
          // Adapters send these to `attest` with the person who clicked.
          return notice(['"Still yours?" is answered with its buttons in Slack or Microsoft Teams.']);
        case 'health':
          // It reads the shared state: `answer` gives it.
          return notice(['The health report is answered asynchronously; this surface did not route it.']);
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
      const card = whoOwnsCard(await completed(catalog.whoOwns(ref, when), when), { shareable: false, page: pageability(ref), now: when });
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
