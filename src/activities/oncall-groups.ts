/**
 * The @oncall sync's activity: who is on call for a team now (the on-call providers), as Slack users
 * (their slack-user-id annotation, else users.lookupByEmail), set as the members of the team's user
 * group (found by handle with usergroups.list, made with usergroups.create when missing). Which team
 * maps to which group is the operator's setting (oncall.userGroups): nothing in a descriptor names a
 * group for the bot to edit.
 */
import type { OnCallGroupActivities, OnCallGroupSync } from '../../workflows/oncall-groups-contract.js';
import type { OnCallLookup } from '../oncall/contract.js';

/** The part of Slack's WebClient the sync uses; WebClient throws on `ok: false` and retries `ratelimited`. */
export interface SlackApi {
  apiCall(method: string, options?: Record<string, unknown>): Promise<Record<string, unknown>>;
}

export interface OnCallGroupDeps {
  /** Who is on call for the team at `at` (every provider that covers it). */
  onCallFor(team: string, at: Date): Promise<OnCallLookup>;
  /** The team's display name, for a group made here; the ref when the catalog has no such Group. */
  teamName(team: string): string;
  slack: SlackApi;
  now?: () => Date;
}

interface Usergroup {
  id: string;
  handle: string;
  users?: string[];
  /** Non-zero once the group was disabled. */
  date_delete?: number;
}

const slackError = (err: unknown) => (err as { data?: { error?: string } }).data?.error;

export function createOnCallGroupActivities(deps: OnCallGroupDeps): OnCallGroupActivities {
  const now = deps.now ?? (() => new Date());

  async function slackIdOf(entry: OnCallLookup['onCall'][number], notes: string[]): Promise<string | null> {
    if (entry.chatIds.slack) return entry.chatIds.slack;
    const email = entry.email ?? (entry.user.startsWith('email:') ? entry.user.slice('email:'.length) : null);
    if (!email) {
      notes.push(`${entry.displayName} has no Slack id or e-mail in the catalog`);
      return null;
    }
    try {
      const res = await deps.slack.apiCall('users.lookupByEmail', { email });
      return ((res.user as { id?: string } | undefined)?.id as string | undefined) ?? null;
    } catch (err) {
      if (slackError(err) !== 'users_not_found') throw err;
      notes.push(`${entry.displayName} (${email}) has no Slack account with that e-mail`);
      return null;
    }
  }

  async function findOrCreate(team: string, handle: string, notes: string[]): Promise<Usergroup> {
    // Disabled groups too: a disabled group keeps its handle, so creating another would fail on it.
    const listed = await deps.slack.apiCall('usergroups.list', { include_users: true, include_disabled: true });
    const found = (listed.usergroups as Usergroup[] | undefined)?.find((g) => g.handle === handle);
    if (found?.date_delete) {
      // The setting asks for the group; whoever disabled it in Slack is told how to stop that for good.
      await deps.slack.apiCall('usergroups.enable', { usergroup: found.id });
      notes.push(`@${handle} had been disabled in Slack and was enabled again; remove it from oncall.userGroups to stop the sync`);
      return { ...found, date_delete: 0 };
    }
    if (found) return found;
    const name = `${deps.teamName(team)} on call`;
    const made = await deps.slack.apiCall('usergroups.create', {
      name,
      handle,
      description: `Who is on call for ${deps.teamName(team)} now; kept in sync by Switchboard`,
    });
    return made.usergroup as Usergroup;
  }

  return {
    async syncOnCallGroup({ team, handle }): Promise<OnCallGroupSync> {
      const at = now();
      const lookup = await deps.onCallFor(team, at);
      const notes = lookup.unknown.map((u) => `on-call unknown: ${u.reason}`);
      const ends = lookup.onCall.map((o) => o.until).filter((u): u is string => !!u && Date.parse(u) > at.getTime());
      const nextHandoff = ends.length ? ends.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b)) : null;
      const ids: string[] = [];
      for (const entry of lookup.onCall) {
        const id = await slackIdOf(entry, notes);
        if (id && !ids.includes(id)) ids.push(id);
      }
      const group = await findOrCreate(team, handle, notes);
      const current = group.users ?? ((await deps.slack.apiCall('usergroups.users.list', { usergroup: group.id })).users as string[]);
      // A provider that did not answer must not empty the group; Slack refuses an empty one anyway.
      if (ids.length === 0 || lookup.unknown.length > 0) {
        if (ids.length === 0) notes.push('nobody on call could be matched to a Slack account: the group was left as it was');
        if (lookup.unknown.length > 0) notes.push('a provider did not answer: the group was left as it was');
        return { handle, usergroupId: group.id, users: current, changed: false, nextHandoff, notes };
      }
      const same = current.length === ids.length && ids.every((id) => current.includes(id));
      if (same) return { handle, usergroupId: group.id, users: current, changed: false, nextHandoff, notes };
      await deps.slack.apiCall('usergroups.users.update', { usergroup: group.id, users: ids.join(',') });
      return { handle, usergroupId: group.id, users: ids, changed: true, nextHandoff, notes };
    },
  };
}
