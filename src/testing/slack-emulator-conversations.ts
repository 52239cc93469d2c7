/**
 * The Slack emulator's people and conversations: users.*, conversations.* and the app's DMs, with
 * Slack's channel naming, membership and private-channel rules.
 */
import { boolArg, listArg, str, USER_ID, type Answer, type Handler } from './slack-emulator-args.js';
import type { EmulatorChannel, SlackEmulatorOptions } from './slack-emulator-contract.js';

/** Slack's channel naming rules: lower-case letters, digits, hyphens and underscores, at most 80. */
function channelNameError(name: string): string | undefined {
  if (!name) return 'invalid_name_required';
  if (name.length > 80) return 'invalid_name_maxlength';
  if (!/^[a-z0-9_-]+$/.test(name)) return 'invalid_name_specials';
  if (!/[a-z0-9]/.test(name)) return 'invalid_name_punctuation';
  return undefined;
}

export function createConversations(opts: SlackEmulatorOptions, ids: { botUserId: string; teamId: string }, now: () => number) {
  const { botUserId, teamId } = ids;
  const users = new Map((opts.users ?? []).map((u) => [u.id, u]));
  const privateChannels = new Set(opts.privateChannels ?? []);
  const channels = new Map<string, EmulatorChannel>(
    (opts.channels ?? []).map((c) => [c.id, { ...c, isPrivate: false, created: 0, creator: '', members: new Set<string>() }]),
  );
  const dms = new Map<string, string>(); // user → D id
  const mpims = new Map<string, string>(); // sorted user list → G id
  let idSeq = 0;
  const mint = (prefix: string) => {
    let id: string;
    do id = `${prefix}${String(++idSeq).padStart(8, '0')}`;
    while (channels.has(id));
    return id;
  };
  /** Without a configured user list, any well-formed user id exists. */
  const isUser = (id: string) => (users.size > 0 ? users.has(id) : USER_ID.test(id));
  const dmChannel = (userId: string) => dms.get(userId) ?? dms.set(userId, mint('D')).get(userId)!;
  const userObject = (u: { id: string; email: string; name?: string }) => ({
    id: u.id,
    team_id: teamId,
    name: u.name ?? u.email.split('@')[0],
    deleted: false,
    is_bot: false,
    profile: { email: u.email, real_name: u.name ?? '', display_name: u.name ?? '' },
  });
  const channelObject = (c: EmulatorChannel) => ({
    id: c.id,
    name: c.name,
    is_channel: true,
    is_private: c.isPrivate,
    is_archived: false,
    is_member: c.members.has(botUserId),
    created: c.created,
    creator: c.creator,
    topic: { value: c.topic ?? '', creator: '', last_set: 0 },
    purpose: { value: c.purpose ?? '', creator: '', last_set: 0 },
  });

  const methods: Record<string, Handler> = {
    'users.lookupByEmail': (args) => {
      const user = [...users.values()].find((u) => u.email.toLowerCase() === str(args.email)?.toLowerCase());
      return user ? { ok: true, user: userObject(user) } : { ok: false, error: 'users_not_found' };
    },
    'users.info': (args) => {
      const user = users.get(str(args.user) ?? '');
      return user ? { ok: true, user: userObject(user) } : { ok: false, error: 'user_not_found' };
    },
    'conversations.info': (args) => {
      const id = str(args.channel) ?? '';
      const channel = channels.get(id);
      if (channel) return { ok: true, channel: channelObject(channel) };
      const user = [...dms].find(([, dm]) => dm === id)?.[0];
      return user ? { ok: true, channel: { id, is_im: true, user, is_open: true } } : { ok: false, error: 'channel_not_found' };
    },
    'conversations.open': (args) => {
      const resume = str(args.channel);
      if (resume) {
        const known = [...dms.values(), ...mpims.values()].includes(resume);
        return known ? { ok: true, no_op: true, already_open: true, channel: { id: resume } } : { ok: false, error: 'channel_not_found' };
      }
      const ids = listArg(args.users);
      if (ids.length === 0) return { ok: false, error: 'users_list_not_supplied' };
      if (ids.some((u) => !isUser(u))) return { ok: false, error: 'user_not_found' };
      if (ids.length > 8) return { ok: false, error: 'too_many_users' };
      const key = [...ids].sort().join(',');
      const already = ids.length === 1 ? dms.has(key) : mpims.has(key);
      const id = ids.length === 1 ? dmChannel(key) : (mpims.get(key) ?? mpims.set(key, mint('G')).get(key)!);
      const channel = boolArg(args.return_im) && ids.length === 1 ? { id, is_im: true, user: key, is_open: true } : { id };
      return already ? { ok: true, no_op: true, already_open: true, channel } : { ok: true, channel };
    },
    // Slack's cursor paging: `limit` (default 100, at most 1000) per page, `response_metadata.next_cursor`
    // empty on the last page, `invalid_cursor` for one it did not hand out. Private channels only where
    // the bot is a member, as a bot token sees them.
    'conversations.list': (args) => {
      const types = (str(args.types) ?? 'public_channel').split(',');
      const limit = Math.min(Math.max(Number(str(args.limit) ?? 100) || 100, 1), 1000);
      const cursor = str(args.cursor);
      let from = 0;
      if (cursor) {
        const m = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
        if (!m) return { ok: false, error: 'invalid_cursor' };
        from = Number(m[1]);
      }
      const visible = [...channels.values()].filter((c) =>
        c.isPrivate ? types.includes('private_channel') && c.members.has(botUserId) : types.includes('public_channel'),
      );
      const page = visible.slice(from, from + limit);
      const next = from + limit < visible.length ? Buffer.from(`offset:${from + limit}`).toString('base64') : '';
      return { ok: true, channels: page.map(channelObject), response_metadata: { next_cursor: next } };
    },
    'conversations.create': (args) => {
      const name = str(args.name) ?? '';
      const invalid = channelNameError(name);
      if (invalid) return { ok: false, error: invalid };
      if ([...channels.values()].some((c) => c.name === name)) return { ok: false, error: 'name_taken' };
      const channel: EmulatorChannel = {
        id: mint('C'),
        name,
        isPrivate: boolArg(args.is_private),
        created: Math.floor(now() / 1000),
        creator: botUserId,
        members: new Set([botUserId]),
      };
      channels.set(channel.id, channel);
      return { ok: true, channel: channelObject(channel) };
    },
    'conversations.invite': (args) => {
      const id = str(args.channel) ?? '';
      const channel = channels.get(id);
      if (!channel) {
        const direct = [...dms.values(), ...mpims.values()].includes(id);
        return { ok: false, error: direct ? 'method_not_supported_for_channel_type' : 'channel_not_found' };
      }
      const ids = listArg(args.users);
      if (ids.length === 0) return { ok: false, error: 'no_user' };
      if (!channel.members.has(botUserId)) return { ok: false, error: 'not_in_channel' };
      const refusal = (u: string) =>
        u === botUserId ? 'cant_invite_self' : !isUser(u) ? 'user_not_found' : channel.members.has(u) ? 'already_in_channel' : undefined;
      // Members already in the channel are skipped quietly, unless they are all that was asked for.
      const errors = ids
        .map((user) => ({ user, ok: false, error: refusal(user) }))
        .filter((e) => e.error !== undefined && (ids.length === 1 || e.error !== 'already_in_channel'));
      if (errors.length > 0 && !boolArg(args.force)) return { ok: false, error: errors[0]!.error!, errors };
      for (const user of ids) if (!refusal(user)) channel.members.add(user);
      const answer: Answer = { ok: true, channel: channelObject(channel) };
      return errors.length > 0 ? { ...answer, errors } : answer;
    },
    'conversations.join': (args) => {
      if (privateChannels.has(str(args.channel) ?? '')) return { ok: false, error: 'method_not_supported_for_channel_type' };
      const channel = channels.get(str(args.channel) ?? '');
      if (!channel) return { ok: false, error: 'channel_not_found' };
      // Slack answers ok with a warning when the bot is already a member.
      const already = channel.members.has(botUserId);
      channel.members.add(botUserId);
      const answer: Answer = { ok: true, channel: channelObject(channel) };
      return already ? { ...answer, warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } } : answer;
    },
  };
  return {
    methods,
    isUser,
    dmChannel,
    /** Private channels the bot is not in. */
    isPrivate: (id: string) => privateChannels.has(id),
    channelByName: (name: string) => [...channels.values()].find((c) => c.name === name),
  };
}
