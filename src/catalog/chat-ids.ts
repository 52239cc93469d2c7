/**
 * People's chat accounts (ChatIds) compared and read in one place. Entra object ids are GUIDs that
 * Teams sends in either case; Slack ids are compared exactly.
 */
import { CHAT_PLATFORMS, type ChatIds, type ChatPlatform } from './queries/types.js';

/** Whether two ids name the same account on a platform. */
export const sameAccount = (platform: ChatPlatform, a: string, b: string) => (platform === 'teams' ? a.toLowerCase() === b.toLowerCase() : a === b);

/** Whether two people share an account on any platform. */
export function sameChatId(a: ChatIds, b: ChatIds): boolean {
  return CHAT_PLATFORMS.some((p) => {
    const x = a[p];
    const y = b[p];
    return x !== undefined && y !== undefined && sameAccount(p, x, y);
  });
}

/**
 * A person's chat ids, also from what earlier versions recorded (`slackUserId` in workflow inputs
 * started before chat ids): running workflows keep their input, so every reader goes through here.
 */
export function chatIdsOf(person: { chatIds?: ChatIds | null; slackUserId?: string | null }): ChatIds {
  if (person.chatIds) return person.chatIds;
  return person.slackUserId ? { slack: person.slackUserId } : {};
}
