/**
 * Catalog people as Slack users: the `switchboard.dev/slack-user-id` annotation when present, else the
 * Slack account with the same e-mail (users.lookupByEmail). Lookups are cached, misses too, so a card
 * with ten members costs Slack at most ten calls an hour.
 */
import type { App } from '@slack/bolt';
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
