/**
 * Catalog people as Slack users: the `switchboard.dev/slack-user-id` annotation when present, else the
 * Slack account with the same e-mail (users.lookupByEmail). Lookups are cached, misses too, so a card
 * with ten members costs Slack at most ten calls an hour.
 */
import type { App } from '@slack/bolt';
import type { Actor } from '../../actions/launcher.js';
import type { CatalogPersonLookup } from '../../conversation/identity.js';
import { peopleIn, type Reply } from '../../conversation/index.js';
import type { ChatIds } from '../../catalog/index.js';
import type { SlackIds } from './render.js';

const TTL_MS = 60 * 60 * 1000;

export function createPeopleResolver(client: App['client'], now: () => number = Date.now) {
  const cache = new Map<string, { id: string | null; at: number }>();

  async function byEmail(email: string): Promise<string | null> {
    const key = email.toLowerCase();
    const hit = cache.get(key);
    if (hit && now() - hit.at < TTL_MS) return hit.id;
    let id: string | null = null;
    try {
      const res = await client.users.lookupByEmail({ email: key });
      id = res.user?.id ?? null;
    } catch (err) {
      // users_not_found is an answer; anything else (rate limit, network) is not cached.
      if ((err as { data?: { error?: string } }).data?.error !== 'users_not_found') return null;
    }
    cache.set(key, { id, at: now() });
    return id;
  }

  return {
    /** The Slack id of one person: the annotation, else by e-mail; null when Slack has no such user. */
    async idFor(person: { chatIds: ChatIds; email: string | null }): Promise<string | null> {
      return person.chatIds.slack ?? (person.email ? await byEmail(person.email) : null);
    },
    /** Slack ids for everyone the reply mentions. */
    async resolve(reply: Reply): Promise<SlackIds> {
      const ids = new Map<string, string>();
      await Promise.all(
        peopleIn(reply).map(async (p) => {
          const id = p.chatIds.slack ?? (p.email ? await byEmail(p.email) : null);
          if (id) ids.set(p.ref, id);
        }),
      );
      return ids;
    },
  };
}

export type PeopleResolver = ReturnType<typeof createPeopleResolver>;

/**
 * Who a Slack user is for self-service. The account is the user id of the signed request; the catalog
 * says which User it is (by the slack-user-id annotation, else by the e-mail Slack reports for it,
 * users.info). Someone Slack knows but the catalog does not can still request; they simply match no
 * approver. The Slack profile is cached for an hour; the catalog is asked every time.
 */
export function createIdentityResolver(client: App['client'], person: CatalogPersonLookup, now: () => number = Date.now) {
  const profiles = new Map<string, { email: string | null; name: string; at: number }>();
  async function profile(userId: string): Promise<{ email: string | null; name: string }> {
    const hit = profiles.get(userId);
    if (hit && now() - hit.at < TTL_MS) return hit;
    try {
      const res = await client.users.info({ user: userId });
      const entry = {
        email: res.user?.profile?.email ?? null,
        name: res.user?.profile?.real_name || res.user?.real_name || res.user?.name || userId,
        at: now(),
      };
      profiles.set(userId, entry);
      return entry;
    } catch {
      // Without users:read.email the person is known by their Slack id and its annotation only; not cached.
      return { email: null, name: userId };
    }
  }
  return async (userId: string): Promise<Actor> => {
    const { email, name } = await profile(userId);
    const match = person({ platform: 'slack', id: userId, email });
    const found = match?.status === 'found' ? match.person : null;
    return {
      id: `slack:${userId}`,
      ref: found?.ref ?? null,
      displayName: found?.displayName ?? name,
      // What Slack verified, never the catalog's: approvers are matched against it.
      email,
      chatIds: { ...found?.chatIds, slack: userId },
      ...(match?.status === 'ambiguous' && { ambiguous: match.refs }),
    };
  };
}

export type IdentityResolver = ReturnType<typeof createIdentityResolver>;
