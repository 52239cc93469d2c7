/**
 * A chat account as a catalog User. The account is the one the platform verified (the Slack user id
 * of a signed request); the catalog may only say which User it is. Users claim an account by their
 * switchboard.dev/slack-user-id annotation; only when no User names the id, by the e-mail the platform
 * reports for it (a User whose annotation names another account does not). When two Users claim one
 * account it is neither: a descriptor author cannot
 * become someone else, or make someone else them, by copying an id or an e-mail.
 */
import type { CatalogRepo } from '../store/repo.js';
import { personOf } from './facts.js';
import type { IdentityMatch, Person } from './types.js';

/** Every User claiming the account: by its id, and by e-mail unless bound to another account. */
export function claimantsOf(repo: CatalogRepo, account: { slackUserId: string | null; email: string | null }): { byId: string[]; byEmail: string[] } {
  const byId = account.slackUserId ? repo.usersBySlackId(account.slackUserId) : [];
  const byEmail = (account.email ? repo.usersByEmail(account.email) : []).filter((ref) => {
    const bound = personOf(repo, ref).slackUserId;
    return !bound || bound === account.slackUserId;
  });
  return { byId, byEmail };
}

export function identify(repo: CatalogRepo, account: { slackUserId: string; email: string | null }): IdentityMatch {
  const { byId, byEmail } = claimantsOf(repo, account);
  // The id decides when any User names it; the e-mail only when none does.
  const [by, claim, refs] = byId.length ? (['chat-id', account.slackUserId, byId] as const) : (['email', account.email ?? '', byEmail] as const);
  if (refs.length > 1) return { status: 'ambiguous', by, claim, refs: [...refs] };
  if (refs.length === 0) return { status: 'not_found' };
  return { status: 'found', person: personOf(repo, refs[0] as string), by };
}

/**
 * Other Users claiming the account a person is reached at (their annotation's Slack id, else their
 * e-mail), so that account is none of them. For a person without an annotation only e-mail claims
 * are visible here: the Slack id their e-mail leads to is known to Slack alone.
 */
export function sharedClaimsOf(repo: CatalogRepo, person: Person): string[] {
  const { byId, byEmail } = claimantsOf(repo, { slackUserId: person.slackUserId ?? null, email: person.email });
  return (person.slackUserId ? byId : byEmail).filter((ref) => ref !== person.ref);
}

/** The person with `sharedWith` set when another User claims their chat account. */
export function withClaims(repo: CatalogRepo, person: Person): Person {
  const shared = sharedClaimsOf(repo, person);
  return shared.length ? { ...person, sharedWith: shared } : person;
}
