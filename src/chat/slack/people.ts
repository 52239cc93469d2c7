/**
 * Catalog people as Slack users: the `switchboard.dev/slack-user-id` annotation when present, else the
 * Slack account with the same e-mail (users.lookupByEmail). Lookups are cached, misses too, so a card
 * with ten members costs Slack at most ten calls an hour.
 */
import type { App } from '@slack/bolt';
import type { Actor } from '../../actions/launcher.js';
import type { Reply } from '../../conversation/index.js';
import { peopleIn, type SlackIds } from './render.js';

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
    async idFor(person: { slackUserId?: string | null; email: string | null }): Promise<string | null> {
      return person.slackUserId ?? (person.email ? await byEmail(person.email) : null);
    },
    /** Slack ids for everyone the reply mentions. */
    async resolve(reply: Reply): Promise<SlackIds> {
      const ids = new Map<string, string>();
      await Promise.all(
        peopleIn(reply).map(async (p) => {
          const id = p.slackUserId ?? (p.email ? await byEmail(p.email) : null);
          if (id) ids.set(p.ref, id);
        }),
      );
      return ids;
    },
  };
}

export type PeopleResolver = ReturnType<typeof createPeopleResolver>;

/** A catalog person as self-service needs them; null when the catalog has nobody with that e-mail. */
export type CatalogPersonLookup = (email: string) => { ref: string; displayName: string; email: string | null; slackUserId?: string | null } | null;

/**
 * Who a Slack user is for self-service: their catalog User, found by the e-mail of their Slack
 * profile (users.info). Someone Slack knows but the catalog does not can still request; they simply
 * match no approver. Cached for an hour, like the lookups above.
 */
export function createIdentityResolver(client: App['client'], person: CatalogPersonLookup, now: () => number = Date.now) {
  const cache = new Map<string, { actor: Actor; at: number }>();
  return async (userId: string): Promise<Actor> => {
    const hit = cache.get(userId);
    if (hit && now() - hit.at < TTL_MS) return hit.actor;
    let email: string | null = null;
    let name = userId;
    try {
      const res = await client.users.info({ user: userId });
      email = res.user?.profile?.email ?? null;
      name = res.user?.profile?.real_name || res.user?.real_name || res.user?.name || userId;
    } catch {
      // Without users:read.email the person is known by their Slack id only (and approves nothing).
    }
    const found = email ? person(email) : null;
    const actor: Actor = { id: `slack:${userId}`, ref: found?.ref ?? null, displayName: found?.displayName ?? name, email, slackUserId: userId };
    cache.set(userId, { actor, at: now() });
    return actor;
  };
}

export type IdentityResolver = ReturnType<typeof createIdentityResolver>;
