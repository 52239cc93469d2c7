/**
 * Test support: Bot Framework activities as Teams sends them, built on the shapes of the recorded
 * payloads in fixtures/external/teams (a channel message with a mention, a channel created, message
 * extension invokes), with this test's ids, service URL and tenant put in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { EXTERNAL } from './fixtures.js';
import type { TeamsCall, TeamsEmulator } from './teams-emulator.js';

export const TEAMS_FIXTURES = join(EXTERNAL, 'teams');

/** A recorded payload, parsed. */
export const teamsFixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(TEAMS_FIXTURES, `${name}.json`), 'utf8')) as Record<string, unknown>;

export interface TeamsUser {
  id: string;
  aadObjectId: string;
  name: string;
}

export interface TeamsPlace {
  /** The conversation id: `a:…` for a 1:1, `19:…@thread.tacv2` for a channel. */
  id: string;
  type: 'personal' | 'channel' | 'groupChat';
  /** A channel's team. */
  teamId?: string;
}

let seq = 1_700_000_000_000;
const nextId = () => String(++seq);

/** The envelope every activity shares: who, where, the service URL and tenant of this emulator. */
function envelope(emu: TeamsEmulator, from: TeamsUser, place: TeamsPlace) {
  return {
    id: nextId(),
    channelId: 'msteams',
    timestamp: new Date().toISOString(),
    serviceUrl: emu.serviceUrl,
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    conversation: { id: place.id, conversationType: place.type, tenantId: emu.tenantId, ...(place.type !== 'personal' && { isGroup: true }) },
    recipient: { id: emu.botId, name: 'Switchboard' },
    channelData: {
      tenant: { id: emu.tenantId },
      ...(place.type === 'channel' && {
        channel: { id: place.id },
        team: { id: place.teamId ?? place.id },
        teamsChannelId: place.id,
        teamsTeamId: place.teamId ?? place.id,
      }),
    },
    locale: 'en-US',
  };
}

/** A message; in a channel or group chat `mention` puts `<at>Switchboard</at>` and its entity in, as Teams does. */
export function messageActivity(emu: TeamsEmulator, from: TeamsUser, place: TeamsPlace, text: string, mention = place.type !== 'personal') {
  const shape = teamsFixture('message_channel_at_mention');
  const at = '<at>Switchboard</at>';
  return {
    ...envelope(emu, from, place),
    type: 'message',
    textFormat: shape.textFormat,
    text: mention ? `${at} ${text}` : text,
    entities: mention ? [{ type: 'mention', text: at, mentioned: { id: emu.botId, name: 'Switchboard' } }] : [],
  };
}

/** A standard channel created in a team (conversationUpdate / channelCreated), the recorded shape. */
export function channelCreatedActivity(emu: TeamsEmulator, from: TeamsUser, teamId: string, channel: { id: string; name: string }) {
  const shape = teamsFixture('conversationUpdate_channelCreated') as { channelData: Record<string, unknown> };
  return {
    ...envelope(emu, from, { id: teamId, type: 'channel', teamId }),
    type: 'conversationUpdate',
    channelData: { ...shape.channelData, channel, team: { id: teamId }, tenant: { id: emu.tenantId } },
  };
}

/** An Action.Execute click (Universal Actions): `adaptiveCard/action` with the button's verb and data. */
export function actionActivity(emu: TeamsEmulator, from: TeamsUser, place: TeamsPlace, verb: string, data: Record<string, unknown>, replyToId?: string) {
  return {
    ...envelope(emu, from, place),
    type: 'invoke',
    name: 'adaptiveCard/action',
    ...(replyToId && { replyToId }),
    value: { action: { type: 'Action.Execute', id: randomUUID(), verb, data }, trigger: 'manual' },
  };
}

/** The message extension's search, in the recorded shape (`composeExtension/query`). */
export function queryActivity(emu: TeamsEmulator, from: TeamsUser, place: TeamsPlace, text: string) {
  const shape = teamsFixture('invoke_composeExtension_query') as { value: { queryOptions: unknown } };
  return {
    ...envelope(emu, from, place),
    type: 'invoke',
    name: 'composeExtension/query',
    value: { commandId: 'searchService', parameters: [{ name: 'query', value: text }], queryOptions: shape.value.queryOptions },
  };
}

/** A typeahead search in a form's picker (`application/search`). */
export function searchActivity(emu: TeamsEmulator, from: TeamsUser, place: TeamsPlace, dataset: string, text: string) {
  return {
    ...envelope(emu, from, place),
    type: 'invoke',
    name: 'application/search',
    value: { kind: 'search', queryText: text, queryOptions: { skip: 0, top: 15 }, dataset },
  };
}

/** Everything a card the bot sent says, for matching: its JSON (texts, facts, button data). */
export const cardText = (call: TeamsCall) => JSON.stringify(call.body?.attachments ?? []) + String(call.body?.text ?? '');

export type CardAction = { type: string; title?: string; verb?: string; data?: Record<string, unknown>; card?: { actions?: CardAction[]; body?: unknown[] } };

/** The Action.Execute buttons of a card, wherever they sit (ActionSets, ShowCards). */
export function actionsOf(node: unknown, out: CardAction[] = []): CardAction[] {
  if (Array.isArray(node)) node.forEach((n) => actionsOf(n, out));
  else if (node && typeof node === 'object') {
    const o = node as CardAction & Record<string, unknown>;
    if (o.type === 'Action.Execute') out.push(o);
    for (const v of Object.values(o)) actionsOf(v, out);
  }
  return out;
}

/** The Action.Execute button whose action (its `sb` data) matches, e.g. /^attest\|confirm\|.*\|component:default\/ledger$/. */
export const button = (node: unknown, pattern: RegExp): CardAction => {
  const found = actionsOf(node).find((a) => typeof a.data?.sb === 'string' && pattern.test(a.data.sb as string));
  if (!found) throw new Error(`no button ${pattern} in ${JSON.stringify(node).slice(0, 400)}`);
  return found;
};
