/**
 * Who is in the emulated tenant and which conversations exist: users with their `29:` ids, 1:1 chats
 * with ids that stay the same for the same bot and user, and channels whose threads are addressed as
 * `<channel id>;messageid=<root id>` (the shape of conversation.id on a channel reply).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { EmulatorConversationInput, EmulatorMessage, EmulatorUserInput } from './teams-emulator-contract.js';

export interface EmulatorUser {
  id: string;
  aadObjectId: string;
  name: string;
  email: string;
  givenName: string;
  surname: string;
  userPrincipalName: string;
  userRole: string;
}

export interface EmulatorConversation {
  id: string;
  type: EmulatorConversationInput['type'];
  name?: string;
  /** `29:` ids. */
  members: string[];
  messages: Map<string, EmulatorMessage>;
  /** Ids of people's messages the emulator delivered to the bot: a bot may reply to them, not edit them. */
  inbound: Set<string>;
}

const THREAD = /^(.*);messageid=(\d+)$/;

export function createRoster(appId: string, tenantId: string) {
  const users = new Map<string, EmulatorUser>(); // by 29: id
  const conversations = new Map<string, EmulatorConversation>();

  /** A user by 29: id, AAD object id, or (case-insensitive) UPN or email, as Teams' member lookup accepts. */
  const user = (key: string): EmulatorUser | undefined => {
    const direct = users.get(key);
    if (direct) return direct;
    const lower = key.toLowerCase();
    return [...users.values()].find((u) => u.aadObjectId === key || u.userPrincipalName.toLowerCase() === lower || u.email.toLowerCase() === lower);
  };

  const personalId = (aadObjectId: string) => {
    // Teams' 1:1 ids are `a:1` and an opaque string; a hash keeps one id per bot-and-user pair.
    const digest = createHash('sha256').update(`${appId}|${aadObjectId}`).digest();
    return `a:1${Buffer.concat([digest, createHash('sha256').update(digest).digest()]).toString('base64url')}`;
  };

  const memberIds = (keys: string[]) =>
    keys.map((key) => {
      const found = user(key);
      if (!found) throw new Error(`Teams emulator: no user ${key}; add it with addUser first`);
      return found.id;
    });

  /** The conversation an id names; a channel thread id names its channel, with the thread's root id. */
  const resolve = (id: string): { conversation: EmulatorConversation; threadId?: string } | undefined => {
    const exact = conversations.get(id);
    if (exact) return { conversation: exact };
    const thread = THREAD.exec(id);
    const base = thread && conversations.get(thread[1]!);
    return base ? { conversation: base, threadId: thread[2]! } : undefined;
  };

  /**
   * What Teams knows once it delivered `activity` to the bot: the conversation exists (made here when a test
   * did not add it) and holds that message, so the bot may reply to it.
   */
  const deliver = (activity: Record<string, unknown>): void => {
    const about = activity.conversation as { id?: unknown; conversationType?: unknown } | undefined;
    if (typeof about?.id !== 'string') return;
    let conversation = resolve(about.id)?.conversation;
    if (!conversation) {
      const id = THREAD.exec(about.id)?.[1] ?? about.id;
      const type = about.conversationType === 'channel' || about.conversationType === 'groupChat' ? about.conversationType : 'personal';
      const from = activity.from as { id?: unknown } | undefined;
      const sender = typeof from?.id === 'string' ? user(from.id) : undefined;
      conversation = { id, type, members: sender ? [sender.id] : [], messages: new Map(), inbound: new Set() };
      conversations.set(id, conversation);
    }
    if (typeof activity.id === 'string') conversation.inbound.add(activity.id);
  };

  return {
    user,
    deliver,
    addUser(input: EmulatorUserInput): string {
      const [given = input.name, ...rest] = input.name.split(' ');
      const entry: EmulatorUser = {
        id: input.id ?? `29:1${randomBytes(48).toString('base64url')}`,
        aadObjectId: input.aadObjectId,
        name: input.name,
        email: input.email,
        givenName: input.givenName ?? given,
        surname: input.surname ?? rest.join(' '),
        userPrincipalName: input.userPrincipalName ?? input.email,
        userRole: input.userRole ?? 'user',
      };
      users.set(entry.id, entry);
      return entry.id;
    },
    addConversation(input: EmulatorConversationInput): string {
      conversations.set(input.id, {
        id: input.id,
        type: input.type,
        name: input.name,
        members: memberIds(input.members),
        messages: new Map(),
        inbound: new Set(),
      });
      return input.id;
    },
    personalId,
    /** The 1:1 with this user, made on first use like POST /v3/conversations does. */
    openPersonal(found: EmulatorUser): EmulatorConversation {
      const id = personalId(found.aadObjectId);
      let conversation = conversations.get(id);
      if (!conversation) {
        conversation = { id, type: 'personal', members: [found.id], messages: new Map(), inbound: new Set() };
        conversations.set(id, conversation);
      }
      return conversation;
    },
    resolve,
    /** The roster entry Teams answers for one member (GET members/{id}, pagedmembers). */
    account(found: EmulatorUser): Record<string, unknown> {
      const { id, name, aadObjectId, email, userPrincipalName, givenName, surname, userRole } = found;
      return { id, name, aadObjectId, email, userPrincipalName, givenName, surname, tenantId, userRole };
    },
    users,
  };
}

export type Roster = ReturnType<typeof createRoster>;
