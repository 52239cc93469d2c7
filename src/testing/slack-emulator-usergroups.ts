/**
 * The Slack emulator's user groups (`@payments-oncall`): usergroups.list, usergroups.create,
 * usergroups.users.list and usergroups.users.update, with the answers Slack documents for them —
 * `name_already_exists` / `handle_already_exists`, `no_such_subteam`, `invalid_users` (empty or
 * unknown users), `missing_scope` with `needed` and `provided` — and `ratelimited` through the
 * emulator's rateLimitNext like every other method.
 */
import { boolArg, listArg, str, USER_ID, type Answer, type Handler, type Obj } from './slack-emulator-args.js';

export interface EmulatorUsergroup {
  id: string;
  team_id: string;
  is_usergroup: true;
  name: string;
  handle: string;
  description: string;
  is_external: false;
  date_create: number;
  date_update: number;
  date_delete: number;
  auto_type: null;
  created_by: string;
  updated_by: string;
  deleted_by: string | null;
  prefs: { channels: string[]; groups: string[] };
  users: string[];
  user_count: number;
}

const READ = 'usergroups:read';
const WRITE = 'usergroups:write';

export function createUsergroups(ids: { teamId: string; botUserId: string }, isUser: (id: string) => boolean, scopes: string[] | undefined, now: () => number) {
  const groups = new Map<string, EmulatorUsergroup>();
  let seq = 0;
  const seconds = () => Math.floor(now() / 1000);

  /** Granted scopes: every scope when the test named none. */
  const needs = (scope: string): Answer | undefined =>
    scopes && !scopes.includes(scope) ? { ok: false, error: 'missing_scope', needed: scope, provided: scopes.join(',') } : undefined;

  const shown = (g: EmulatorUsergroup, withUsers: boolean) => {
    const { users, ...rest } = g;
    return withUsers ? { ...rest, users: [...users] } : rest;
  };

  const toggle = (args: Obj, enabled: boolean) => {
    const refused = needs(WRITE);
    if (refused) return refused;
    if (args.usergroup === undefined) return { ok: false, error: 'missing_argument' };
    const group = groups.get(str(args.usergroup) ?? '');
    if (!group) return { ok: false, error: 'no_such_subteam' };
    group.date_delete = enabled ? 0 : seconds();
    group.deleted_by = enabled ? null : ids.botUserId;
    group.date_update = seconds();
    return { ok: true, usergroup: shown(group, false) };
  };

  const methods: Record<string, Handler> = {
    'usergroups.list': (args) => {
      const refused = needs(READ);
      if (refused) return refused;
      const withUsers = boolArg(args.include_users);
      const withDisabled = boolArg(args.include_disabled);
      const list = [...groups.values()].filter((g) => withDisabled || g.date_delete === 0).map((g) => shown(g, withUsers));
      return { ok: true, usergroups: list };
    },
    'usergroups.create': (args) => {
      const refused = needs(WRITE);
      if (refused) return refused;
      const name = str(args.name)?.trim();
      if (!name) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] missing required field: name'] } };
      const handle = (str(args.handle) ?? name).trim().toLowerCase();
      if (!/^[a-z0-9][a-z0-9._-]{0,20}$/.test(handle)) return { ok: false, error: 'invalid_handle' };
      for (const g of groups.values()) {
        if (g.name.toLowerCase() === name.toLowerCase()) return { ok: false, error: 'name_already_exists' };
        if (g.handle === handle) return { ok: false, error: 'handle_already_exists' };
      }
      seq += 1;
      const group: EmulatorUsergroup = {
        id: `S${String(seq).padStart(8, '0')}`,
        team_id: ids.teamId,
        is_usergroup: true,
        name,
        handle,
        description: str(args.description) ?? '',
        is_external: false,
        date_create: seconds(),
        date_update: seconds(),
        date_delete: 0,
        auto_type: null,
        created_by: ids.botUserId,
        updated_by: ids.botUserId,
        deleted_by: null,
        prefs: { channels: listArg(args.channels), groups: [] },
        users: [],
        user_count: 0,
      };
      groups.set(group.id, group);
      return { ok: true, usergroup: shown(group, true) };
    },
    // Disabling keeps the group (and its handle: a new group cannot take it) but hides it from list and users.list.
    'usergroups.disable': (args) => toggle(args, false),
    'usergroups.enable': (args) => toggle(args, true),
    'usergroups.users.list': (args) => {
      const refused = needs(READ);
      if (refused) return refused;
      const group = groups.get(str(args.usergroup) ?? '');
      if (!group || (group.date_delete !== 0 && !boolArg(args.include_disabled))) return { ok: false, error: 'no_such_subteam' };
      return { ok: true, users: [...group.users] };
    },
    'usergroups.users.update': (args: Obj) => {
      const refused = needs(WRITE);
      if (refused) return refused;
      if (args.usergroup === undefined) return { ok: false, error: 'missing_argument' };
      const group = groups.get(str(args.usergroup) ?? '');
      if (!group) return { ok: false, error: 'no_such_subteam' };
      if (args.users === undefined) return { ok: false, error: 'no_users_provided' };
      const users = listArg(args.users);
      // Slack: "Value passed for users was empty or invalid."
      if (users.length === 0 || users.some((u) => !USER_ID.test(u) || !isUser(u))) return { ok: false, error: 'invalid_users' };
      group.users = [...new Set(users)];
      group.user_count = group.users.length;
      group.date_update = seconds();
      group.updated_by = ids.botUserId;
      return { ok: true, usergroup: shown(group, true) };
    },
  };
  return { groups, methods };
}
