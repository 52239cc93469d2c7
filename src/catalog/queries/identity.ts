/**
 * A chat account as a catalog User. The account is the one the platform verified (the Slack user id
 * of a signed request, the Entra object id of a Bot Framework token); the catalog may only say which
 * User it is. Users claim an account by their annotation for that platform (CHAT_ID_ANNOTATIONS); only
 * when no User names the id, by the e-mail the platform reports for it (a User whose annotation names
 * another account on that platform does not). When two Users claim one account it is neither: a
 * descriptor author cannot become someone else, or make someone else them, by copying an id or an e-mail.
 */
import type { CatalogRepo } from '../store/repo.js';
import { personOf } from './facts.js';
import { CHAT_PLATFORMS, type ChatPlatform, type IdentityMatch, type Person } from './types.js';

/** A chat account as its platform reports it. */
export interface ChatAccount {
  platform: ChatPlatform;
  id: string | null;
  email: string | null;
}

const sameId = (platform: ChatPlatform, a: string, b: string) => (platform === 'teams' ? a.toLowerCase() === b.toLowerCase() : a === b);

/** Every User claiming the account: by its id, and by e-mail unless bound to another account there. */
export function claimantsOf(repo: CatalogRepo, account: ChatAccount): { byId: string[]; byEmail: string[] } {
  const { platform, id } = account;
  const byId = id ? repo.usersByChatId(platform, id) : [];
  const byEmail = (account.email ? repo.usersByEmail(account.email) : []).filter((ref) => {
    const bound = personOf(repo, ref).chatIds[platform];
    return !bound || (id !== null && sameId(platform, bound, id));
  });
  return { byId, byEmail };
}

export function identify(repo: CatalogRepo, account: ChatAccount): IdentityMatch {
  const { byId, byEmail } = claimantsOf(repo, account);
  // The id decides when any User names it; the e-mail only when none does.
  const [by, claim, refs] = byId.length ? (['chat-id', account.id ?? '', byId] as const) : (['email', account.email ?? '', byEmail] as const);
  if (refs.length > 1) return { status: 'ambiguous', by, claim, refs: [...refs] };
  if (refs.length === 0) return { status: 'not_found' };
  return { status: 'found', person: personOf(repo, refs[0] as string), by };
}

/**
 * Other Users claiming an account a person is reached at (each annotated chat id, else their e-mail),
 * so that account is none of them. For a person without annotations only e-mail claims are visible
 * here: the account their e-mail leads to is known to the platform alone.
 */
export function sharedClaimsOf(repo: CatalogRepo, person: Person): string[] {
  const shared = new Set<string>();
  const annotated = CHAT_PLATFORMS.filter((p) => person.chatIds[p]);
  for (const platform of annotated) for (const ref of claimantsOf(repo, { platform, id: person.chatIds[platform] ?? null, email: null }).byId) shared.add(ref);
  if (!annotated.length) for (const ref of claimantsOf(repo, { platform: 'slack', id: null, email: person.email }).byEmail) shared.add(ref);
  shared.delete(person.ref);
  return [...shared].sort();
}

/** The person with `sharedWith` set when another User claims their chat account. */
export function withClaims(repo: CatalogRepo, person: Person): Person {
  const shared = sharedClaimsOf(repo, person);
  return shared.length ? { ...person, sharedWith: shared } : person;
}
