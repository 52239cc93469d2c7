/**
 * The "Still yours?" message: what a team owns, with Confirm / Not ours per entity, and each answer in
 * place of its buttons once given. The same function draws the first post and every edit, from the
 * ask (what was asked) and the answers recorded since, so an edit never loses another person's answer.
 */
import type { EntitySummary } from '../catalog/index.js';
import { encodeAction } from '../conversation/intents.js';
import type { Block, Reply, Text } from '../conversation/reply.js';
import type { Attestation } from '../state/truth.js';

/** Entities shown with their own buttons; two blocks each, so a page stays far below Slack's 50 blocks. */
export const ASK_PAGE = 15;

export interface AskView {
  round: string;
  team: { ref: string; displayName: string };
  /** What was asked about, in the ask's order; an entity gone from the catalog since is shown by ref. */
  entities: { ref: string; entity: EntitySummary | null }[];
  /** Answers given in this round (older ones are not shown as answers). */
  answers: Map<string, Attestation>;
  /** A reminder: the same list, saying so. */
  reminder?: boolean;
}

function answerText(a: Attestation, teamName: (ref: string) => string): Text {
  const by = a.byName ?? a.byRef;
  if (a.verdict === 'confirmed') return [`✅ confirmed by ${by}`];
  const proposed = a.proposedOwner ? `; proposed owner: ${teamName(a.proposedOwner)}` : '';
  // A pull request is a link; a pushed branch (`<remote>@<branch>`) is shown as it is.
  const change: Text = a.change
    ? [' (change ', /^https:\/\//.test(a.change) ? { link: a.change, text: a.change } : { code: a.change }, ')']
    : a.proposedOwner
      ? [' (pending claim)']
      : [];
  return [`🚫 not ours, said ${by}${proposed}`, ...change];
}

export function askReply(view: AskView, teamName: (ref: string) => string = (r) => r): Reply {
  const { round, team } = view;
  const open = view.entities.filter((e) => !view.answers.has(e.ref));
  const blocks: Block[] = [
    { type: 'header', text: view.reminder ? 'Reminder: still yours?' : 'Still yours?' },
    {
      type: 'section',
      text: [
        'The catalog says ',
        { bold: team.displayName },
        ` owns ${view.entities.length === 1 ? 'this' : `these ${view.entities.length}`}. Confirm each, or say `,
        { bold: 'Not ours' },
        ' and name the team that owns it instead.',
      ],
    },
  ];
  // Unanswered first, so the buttons still needed are on the page; answers after, as far as room allows.
  const shown = [...open, ...view.entities.filter((e) => view.answers.has(e.ref))].slice(0, ASK_PAGE);
  for (const { ref, entity } of shown) {
    const name: Text = [{ bold: entity ? (entity.title ?? entity.name) : ref }, ' ', { code: ref }];
    const answer = view.answers.get(ref);
    if (answer) {
      blocks.push({ type: 'section', text: [...name, ' — ', ...answerText(answer, teamName)] });
      continue;
    }
    blocks.push({ type: 'section', text: name });
    blocks.push({
      type: 'actions',
      buttons: [
        { action: encodeAction({ kind: 'attest', answer: 'confirm', round, team: team.ref, entity: ref }), label: 'Confirm', style: 'primary' },
        { action: encodeAction({ kind: 'attest', answer: 'disown', round, team: team.ref, entity: ref }), label: 'Not ours', style: 'danger' },
      ],
    });
  }
  const hidden = view.entities.length - shown.length;
  if (hidden > 0) blocks.push({ type: 'context', text: [`…and ${hidden} more (Confirm all confirms those too).`] });
  if (open.length > 1) {
    blocks.push({
      type: 'actions',
      buttons: [{ action: encodeAction({ kind: 'attest', answer: 'confirm-all', round, team: team.ref }), label: `Confirm all ${open.length} unanswered` }],
    });
  }
  if (!open.length) blocks.push({ type: 'context', text: ['Every entity is answered. Thank you.'] });
  blocks.push({ type: 'context', text: [`Round ${round} · answers show on every /whoowns answer as "verified … by …"`] });
  const summary = open.length
    ? `Still yours? ${team.displayName}: ${open.length} of ${view.entities.length} to confirm`
    : `Still yours? ${team.displayName}: all answered`;
  return { summary, blocks, visibility: 'channel' };
}
