/** Which catalog User a chat account the platform verified is, for every surface; ambiguous accounts are logged. */
import { CHAT_ID_ANNOTATIONS, PLATFORM_NAMES, type Catalog, type ChatAccount, type IdentityMatch } from '../catalog/index.js';

/**
 * Which catalog User a verified chat account is (Catalog.identify); null when there is no catalog.
 * Called on every request and click, so a catalog change takes effect at once.
 */
export type CatalogPersonLookup = (account: ChatAccount) => IdentityMatch | null;

interface WarnLogger {
  warn(obj: object, msg: string): void;
}

/** The catalog's identity lookup, logging every ambiguous account with the Users that claim it. */
export function catalogIdentity(catalog: Pick<Catalog, 'identify'>, logger: WarnLogger): CatalogPersonLookup {
  return (account) => {
    const match = catalog.identify(account);
    if (match.status === 'ambiguous') {
      logger.warn(
        { code: 'ambiguous_identity', platform: account.platform, account: account.id, by: match.by, claim: match.claim, refs: match.refs },
        `ambiguous identity: ${match.refs.join(' and ')} all claim the ${PLATFORM_NAMES[account.platform]} account ${account.id} (${match.by === 'chat-id' ? CHAT_ID_ANNOTATIONS[account.platform] : 'spec.profile.email'} ${match.claim}); it maps to none of them`,
      );
    }
    return match;
  };
}
