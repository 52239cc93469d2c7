/**
 * Answers to "Still yours?": who may give them, what is recorded and audited, and the ask as it looks
 * afterwards. Platform-neutral: a surface turns a click into an `attest` intent and an Actor, and
 * renders the replies. Only a member of the owning team (by the catalog) may answer for it.
 */
import type { Actor } from '../actions/plan.js';
import type { AuditLog } from '../audit/index.js';
import type { Catalog } from '../catalog/index.js';
import type { Intent } from '../conversation/intents.js';
import type { Reply } from '../conversation/reply.js';
import { notice } from '../conversation/request-cards.js';
import type { Attestation, CatalogTruth } from '../state/truth.js';
import { askReply } from './ask-card.js';

export type AttestIntent = Extract<Intent, { kind: 'attest' }>;

export interface AttestationDeps {
  catalog: Pick<Catalog, 'getEntity' | 'groupMembers' | 'onCallSubject' | 'suggest'>;
  truth: CatalogTruth;
  audit: Pick<AuditLog, 'append'>;
  /**
   * Starts the change a "Not ours" answer asks for (workflows/owner-change.ts): it pushes, opens the pull
   * request, settles the claim and shows the change on the ask, later. Where the descriptor is in no
   * writable repository nothing starts and the answer stays a pending claim.
   */
  proposeChange?: (claim: { entityRef: string; owner: string; by: string; round: string; team: string }) => Promise<void>;
  /**
   * Told once an answer is recorded, with the ask as it now reads: the ask's other copies (another
   * platform's channel, other members' DMs) are edited from here; the surface edits the one clicked.
   */
  onRecorded?: (recorded: { round: string; team: string; ask: Reply; clicked?: ClickedMessage }) => void;
  now?: () => number;
}

/** The ask message a person answered in, as the surface knows it: its platform and message id. */
export interface ClickedMessage {
  platform: string;
  message: string;
}

export type AttestOutcome =
  /** Recorded: `ask` is the ask message as it now reads (edit it in place). */
  | { kind: 'recorded'; ask: Reply; entities: string[] }
  /** Not ours, before the team is named: the surface shows a picker of these teams. */
  | { kind: 'pick'; entity: { ref: string; name: string }; teams: { ref: string; displayName: string }[] }
  /** Refused or impossible: a private answer to the person who clicked. */
  | { kind: 'refused'; reply: Reply };

/** Teams offered by the picker: Slack's static select takes 100 options. */
export const PICKER_LIMIT = 100;

export function createAttestationAnswers(deps: AttestationDeps) {
  const now = deps.now ?? Date.now;
  const nameOf = (ref: string) => {
    const e = deps.catalog.getEntity(ref);
    return e ? (e.title ?? e.name) : ref;
  };

  /** The ask as it reads now: its entities, and the answers given since it was sent. */
  async function view(round: string, teamRef: string): Promise<Reply | null> {
    const ask = await deps.truth.ask(round, teamRef);
    if (!ask) return null;
    const all = await deps.truth.attestations(ask.entities);
    const answers = new Map<string, Attestation>([...all].filter(([, a]) => a.at >= ask.askedAt && a.ownerRef === teamRef));
    return askReply(
      {
        round,
        team: { ref: teamRef, displayName: nameOf(teamRef) },
        entities: ask.entities.map((ref) => ({ ref, entity: deps.catalog.getEntity(ref) })),
        answers,
      },
      nameOf,
    );
  }

  const refuse = (text: string): AttestOutcome => ({ kind: 'refused', reply: notice([text]) });

  return {
    view,

    async answer(intent: AttestIntent, actor: Actor, clicked?: ClickedMessage): Promise<AttestOutcome> {
      const ask = await deps.truth.ask(intent.round, intent.team);
      if (!ask) return refuse('This "Still yours?" ask is no longer on record; the next round asks again.');
      const team = nameOf(intent.team);
      const members = deps.catalog.groupMembers(intent.team) ?? [];
      if (!actor.ref || !members.some((m) => m.ref === actor.ref)) {
        await deps.audit.append({
          actor: actor.ref ?? actor.id,
          action: 'attest',
          event: 'refused',
          target: intent.entity ?? intent.team,
          detail: { reason: 'not a member of the owning team', team: intent.team, round: intent.round },
        });
        return refuse(`Only members of ${team} (as the catalog lists them) can answer for what ${team} owns.`);
      }
      const asked = intent.answer === 'confirm-all' ? ask.entities : ask.entities.filter((e) => e === intent.entity);
      if (!asked.length) return refuse(`${intent.entity ?? 'That'} was not part of this ask.`);
      // Only what the team still owns by the catalog: an owner changed since the ask is not the team's to confirm.
      const owned = asked.filter((ref) => deps.catalog.onCallSubject(ref)?.ownerRef === intent.team);
      if (!owned.length)
        return refuse(`The catalog no longer names ${team} as the owner of ${asked.length === 1 ? nameOf(asked[0] as string) : 'these'}; nothing to answer.`);

      if (intent.answer === 'disown' && !intent.owner) {
        const entity = owned[0] as string;
        const teams = deps.catalog
          .suggest('group', '', PICKER_LIMIT)
          .filter((g) => g.ref !== intent.team)
          .map((g) => ({ ref: g.ref, displayName: g.title ?? g.name }));
        return { kind: 'pick', entity: { ref: entity, name: nameOf(entity) }, teams };
      }

      const at = now();
      let targets = owned;
      if (intent.answer === 'confirm-all') {
        const answered = await deps.truth.attestations(owned);
        targets = owned.filter((ref) => {
          const a = answered.get(ref);
          return !a || a.at < ask.askedAt || a.ownerRef !== intent.team;
        });
      }
      if (intent.answer === 'disown') {
        const proposed = intent.owner as string;
        if (proposed === intent.team || !deps.catalog.groupMembers(proposed))
          return refuse(`${proposed} is not another team in the catalog; pick one from the list.`);
      }
      // The same "Not ours" given again (a double submit) keeps the change already opened for it: the
      // change's workflow may have settled it already and will not run again to set it back.
      const before = intent.answer === 'disown' ? await deps.truth.attestations(targets) : new Map<string, Attestation>();
      for (const ref of targets) {
        const verdict = intent.answer === 'disown' ? 'disowned' : 'confirmed';
        const prior = before.get(ref);
        const sameClaim = prior?.verdict === 'disowned' && prior.ownerRef === intent.team && prior.proposedOwner === intent.owner;
        // Audited before it is recorded: an answer that could not be audited does not count.
        await deps.audit.append({
          actor: actor.ref,
          action: 'attest',
          event: verdict === 'confirmed' ? 'attested' : 'disowned',
          target: ref,
          detail: { round: intent.round, team: intent.team, by: actor.displayName, ...(intent.owner && { proposedOwner: intent.owner }) },
        });
        await deps.truth.recordAttestation({
          entityRef: ref,
          ownerRef: intent.team,
          verdict,
          byRef: actor.ref,
          byName: actor.displayName,
          at,
          proposedOwner: verdict === 'disowned' ? (intent.owner ?? null) : null,
          change: sameClaim ? prior.change : null,
        });
        if (verdict === 'disowned' && intent.owner && deps.proposeChange) {
          // Recorded first: a change that cannot be started leaves a pending claim on the card, never no answer.
          await deps
            .proposeChange({ entityRef: ref, owner: intent.owner, by: actor.displayName, round: intent.round, team: intent.team })
            .catch(() => undefined);
        }
      }
      const shown = (await view(intent.round, intent.team)) as Reply;
      deps.onRecorded?.({ round: intent.round, team: intent.team, ask: shown, ...(clicked && { clicked }) });
      return { kind: 'recorded', ask: shown, entities: targets };
    },
  };
}

export type AttestationAnswers = ReturnType<typeof createAttestationAnswers>;
