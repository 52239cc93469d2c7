/**
 * Teams people: who sent an activity (the Entra object id of the verified activity, the e-mail from the
 * conversation roster), how to mention a catalog person (their graph.microsoft.com/user-id annotation,
 * else the one account Switchboard has seen with their e-mail) and how to reach them in a 1:1 chat.
 * Accounts are remembered in the bot's state as people write to the bot or install it.
 */
import type { Logger } from 'pino';
import type { Actor } from '../../actions/launcher.js';
import { chatIdsOf } from '../../catalog/index.js';
import type { CatalogPersonLookup } from '../../conversation/identity.js';
import { peopleIn, type Reply } from '../../conversation/index.js';
import { isTeamsUserId } from '../../conversation/safe-text.js';
import type { BotState, ChatAccountRecord } from '../../state/index.js';
import type { PersonRef } from '../../../workflows/contract.js';
import type { Connector } from './connector.js';
import { formatRef } from '../../threads.js';

/** The parts of an inbound activity that say who and where. */
export interface ActivityParty {
  serviceUrl: string;
  from: { id: string; name?: string; aadObjectId?: string };
  conversation: { id: string; tenantId?: string; conversationType?: string };
  channelData?: { tenant?: { id?: string } };
}

export interface TeamsPeopleOptions {
  state: BotState;
  connector: Connector;
  person: CatalogPersonLookup;
  botId: () => string;
  tenantId: string;
  logger: Logger;
}

const ROSTER_TTL_MS = 60 * 60 * 1000;
const EMAIL_TTL_MS = 60 * 1000;

export function createTeamsPeople(opts: TeamsPeopleOptions) {
  const { state, connector } = opts;
  const rosterAt = new Map<string, number>();
  // Every card names several people: their accounts by e-mail are read once a minute, not once a card.
  const byEmail = new Map<string, { records: ChatAccountRecord[]; at: number }>();
  const accountsByEmail = async (email: string) => {
    const key = email.trim().toLowerCase();
    const hit = byEmail.get(key);
    if (hit && hit.at > Date.now() - EMAIL_TTL_MS) return hit.records;
    if (byEmail.size > 10_000) byEmail.clear();
    const records = await state.accountsByEmail('teams', key);
    byEmail.set(key, { records, at: Date.now() });
    return records;
  };
  const remember = async (record: ChatAccountRecord) => {
    await state.rememberAccount(record);
    if (record.email) byEmail.delete(record.email.trim().toLowerCase());
  };

  /** The account behind an activity, remembered with its e-mail from the roster (looked up at most hourly). */
  async function accountOf(a: ActivityParty): Promise<ChatAccountRecord | null> {
    const aad = a.from.aadObjectId?.toLowerCase();
    if (!aad || !isTeamsUserId(aad)) return null;
    const known = await state.account('teams', aad);
    const tenantId = a.conversation.tenantId ?? a.channelData?.tenant?.id ?? opts.tenantId;
    const personal = a.conversation.conversationType === 'personal' ? a.conversation.id : null;
    let email = known?.email ?? null;
    let name = known?.name ?? a.from.name ?? null;
    const fresh = (rosterAt.get(aad) ?? 0) > Date.now() - ROSTER_TTL_MS;
    if (!fresh) {
      try {
        const member = await connector.member(a.serviceUrl, a.conversation.id.replace(/;messageid=.*$/, ''), a.from.id);
        email = member.email ?? member.userPrincipalName ?? email;
        name = member.name ?? name;
        rosterAt.set(aad, Date.now());
      } catch (err) {
        // Without the roster the person is known by their Entra id and its annotation only; not cached.
        opts.logger.warn({ err, code: (err as { code?: string }).code }, 'Teams roster lookup failed; identifying by Entra id alone');
      }
    }
    const record: ChatAccountRecord = {
      platform: 'teams',
      account: aad,
      chatUserId: a.from.id,
      email,
      name,
      tenantId,
      serviceUrl: a.serviceUrl,
      personal: personal ?? known?.personal ?? null,
    };
    if (!known || !fresh || (personal && known.personal !== personal)) await remember(record);
    return record;
  }

  /** The Teams account to reach a catalog person at: their annotation, else the one account seen with their e-mail. */
  async function accountFor(person: {
    chatIds?: PersonRef['chatIds'];
    slackUserId?: string | null;
    email: string | null;
  }): Promise<{ aad: string; record?: ChatAccountRecord } | null> {
    const aad = chatIdsOf(person).teams?.toLowerCase();
    if (aad) return isTeamsUserId(aad) ? { aad, ...withRecord(await state.account('teams', aad)) } : null;
    if (!person.email) return null;
    const seen = await accountsByEmail(person.email);
    // Two accounts with one e-mail name nobody (the same rule as the catalog's, identity.ts).
    return seen.length === 1 ? { aad: seen[0]!.account, record: seen[0]! } : null;
  }

  return {
    accountOf,
    accountFor,

    /** Who an activity's sender is for self-service: the catalog User their verified account is. */
    async identify(a: ActivityParty): Promise<Actor> {
      const account = await accountOf(a);
      const aad = account?.account ?? null;
      const match = aad ? opts.person({ platform: 'teams', id: aad, email: account?.email ?? null }) : null;
      const found = match?.status === 'found' ? match.person : null;
      return {
        id: `teams:${aad ?? a.from.id}`,
        ref: found?.ref ?? null,
        displayName: found?.displayName ?? account?.name ?? a.from.name ?? a.from.id,
        // What Teams reported, never the catalog's: approvers are matched against it.
        email: account?.email ?? null,
        chatIds: { ...found?.chatIds, ...(aad && { teams: aad }) },
        ...(match?.status === 'ambiguous' && { ambiguous: match.refs }),
      };
    },

    /** Teams ids of everyone a reply mentions, for `<at>` mentions. */
    async mentions(reply: Reply): Promise<Map<string, { id: string; name: string }>> {
      const ids = new Map<string, { id: string; name: string }>();
      for (const p of peopleIn(reply)) {
        const found = await accountFor(p);
        if (found) ids.set(p.ref, { id: found.aad, name: p.displayName });
      }
      return ids;
    },

    /** The 1:1 conversation with a person, created through the Connector when none is stored. */
    async personalChat(person: PersonRef): Promise<{ conversationId: string; serviceUrl: string } | null> {
      const found = await accountFor(person);
      if (!found) return null;
      const { record } = found;
      if (record?.personal) return { conversationId: record.personal, serviceUrl: record.serviceUrl };
      // Someone never seen: a 1:1 in the bot's tenant, at the service URL Teams used last.
      const serviceUrl = record?.serviceUrl ?? (await state.latestConversation())?.serviceUrl;
      if (!serviceUrl) return null;
      const tenantId = record?.tenantId ?? opts.tenantId;
      const { id } = await connector.createConversation(serviceUrl, { tenantId, userId: record?.chatUserId ?? found.aad, botId: opts.botId() });
      await remember({
        platform: 'teams',
        account: found.aad,
        chatUserId: record?.chatUserId ?? found.aad,
        email: record?.email ?? person.email,
        name: record?.name ?? person.displayName,
        tenantId,
        serviceUrl,
        personal: id,
      });
      await state.rememberConversation({ ref: formatRef({ platform: 'teams', conversation: id }), serviceUrl, tenantId, kind: 'personal' });
      return { conversationId: id, serviceUrl };
    },
  };
}

function withRecord(record: ChatAccountRecord | undefined): { record?: ChatAccountRecord } {
  return record ? { record } : {};
}

export type TeamsPeople = ReturnType<typeof createTeamsPeople>;
