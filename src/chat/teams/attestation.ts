/**
 * "Still yours?" on Teams: the Not ours picker (an Input.ChoiceSet of the catalog's teams) shown in the
 * ask's place, and the click handling: Confirm and the picker's submission refresh the ask in place, a
 * refusal is a message to the clicker only. Decisions are the core's (src/attestation/answer.ts).
 */
import { encodeAction, type Intent, type Reply } from '../../conversation/index.js';
import type { Actor } from '../../actions/launcher.js';
import type { Conversation } from '../../conversation/index.js';
import {
  type AdaptiveCard,
  CARD_SCHEMA,
  cardOf,
  escapeMarkdown,
  invokeCardResponse,
  invokeMessageResponse,
  plainText,
  type TeamsMessage,
  VERB,
} from './render.js';

export const OWNER_INPUT = 'owner';

type AttestIntent = Extract<Intent, { kind: 'attest' }>;

export function ownerPickerCard(intent: AttestIntent, entity: { ref: string; name: string }, teams: { ref: string; displayName: string }[]): AdaptiveCard {
  return {
    $schema: CARD_SCHEMA,
    type: 'AdaptiveCard',
    version: '1.5',
    body: [
      // Names come from descriptors: text, never markup.
      { type: 'TextBlock', wrap: true, text: `Which team owns **${escapeMarkdown(entity.name)}**? The change to its descriptor goes to that team's review.` },
      {
        type: 'Input.ChoiceSet',
        id: OWNER_INPUT,
        label: 'Owning team',
        style: 'compact',
        isRequired: true,
        errorMessage: 'Pick the team that owns it.',
        choices: teams.map((t) => ({ title: plainText(t.displayName), value: t.ref })),
      },
      {
        type: 'ActionSet',
        actions: [{ type: 'Action.Execute', verb: VERB, title: 'Propose owner', data: { sb: encodeAction({ ...intent, entity: entity.ref }) } }],
      },
    ],
    msteams: { width: 'Full', entities: [] },
  };
}

/** A Confirm / Not ours / Confirm all click, or the picker's submission (`owner` in the data). */
export async function attestAction(
  core: Conversation,
  intent: AttestIntent,
  data: Record<string, unknown>,
  actor: Actor,
  render: (reply: Reply) => Promise<TeamsMessage>,
  /** The card's message id (the invoke's replyToId): refreshed by the invoke response, so not edited again. */
  cardId?: string,
) {
  const owner = typeof data[OWNER_INPUT] === 'string' ? (data[OWNER_INPUT] as string) : undefined;
  const outcome = await core.attest(
    { ...intent, ...(intent.answer === 'disown' && owner && { owner }) },
    actor,
    cardId ? { platform: 'teams', message: cardId } : undefined,
  );
  if (outcome.kind === 'recorded') return invokeCardResponse(cardOf(await render(outcome.ask)));
  if (outcome.kind === 'pick') return invokeCardResponse(ownerPickerCard(intent, outcome.entity, outcome.teams));
  return invokeMessageResponse(outcome.reply.summary);
}
