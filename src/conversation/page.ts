/**
 * Paging in the conversation: the Page button's form (what the surface asks before paging) and what to
 * say about each outcome. The pager (src/paging) decides; this only words it, the same on every platform.
 */
import type { PageOutcome, Pageability, Pager, PageRequest } from '../paging/contract.js';
import { PAGE_REASON_MAX } from '../paging/pager.js';
import { PROVIDER_TITLES } from '../paging/target.js';
import type { Button, Reply, Text } from './reply.js';
import { encodeAction } from './intents.js';
import { notice } from './request-cards.js';

/** What a surface shows before paging: a modal (Slack) or a card input (Teams) with a required reason. */
export interface PageForm {
  ref: string;
  title: string;
  /** `PagerDuty`, `Opsgenie`. */
  provider: string;
  /** One line above the reason: whom this pages and that the asker is named. */
  intro: string;
  reasonMax: number;
}

export const pageButton = (ref: string): Button => ({ action: encodeAction({ kind: 'page', ref }), label: 'Page the on-call', style: 'danger' });

/** The card's line when an entity names a provider but cannot be paged from here. */
export const cannotPageText = (p: Pageability): Text => [`📟 Cannot page from here: ${p.problem ?? 'unknown'}.`];

export function pageFormFor(pager: Pager | undefined, ref: string): { form: PageForm } | { reply: Reply } {
  const p = pager?.pageable(ref);
  if (!pager || !p) return { reply: notice([`${ref} names no PagerDuty service or Opsgenie team, so there is nobody to page from here.`]) };
  if (p.problem || !p.provider) return { reply: notice(cannotPageText(p)) };
  const provider = PROVIDER_TITLES[p.provider];
  const name = p.title;
  return {
    form: {
      ref,
      title: name,
      provider,
      intro: `This pages the on-call of ${name} through ${provider} now. Your name and the reason go with the page.`,
      reasonMax: PAGE_REASON_MAX,
    },
  };
}

export function pageReply(outcome: PageOutcome): Reply {
  switch (outcome.kind) {
    case 'paged': {
      const text: Text = ['📟 Paged the on-call of ', { bold: outcome.title }, ` through ${outcome.provider}`];
      if (outcome.paged) text.push(` (${outcome.paged})`);
      text.push('. Reference ', { code: outcome.reference }, '.');
      if (outcome.url) text.push(' ', { link: outcome.url, text: `Open in ${outcome.provider}` });
      text.push(`\nReason: ${outcome.reason}`);
      return notice(text, `Paged the on-call of ${outcome.title} through ${outcome.provider}`);
    }
    case 'duplicate':
      return notice([outcome.message, ' Reference ', { code: outcome.reference }, '.'], outcome.message);
    case 'failed': {
      const later = outcome.retryAfterSeconds ? ` Try again in ${outcome.retryAfterSeconds} s` : ' Try again in a minute';
      return notice(
        [`⚠️ The page did not go out: ${outcome.message}.${later}, or page from ${outcome.provider} directly.`],
        `The page did not go out: ${outcome.message}`,
      );
    }
    case 'invalid':
    case 'limited':
    case 'refused':
      return notice([`🚫 ${outcome.message}`], outcome.message);
  }
}

export async function pageAndSay(pager: Pager | undefined, req: PageRequest): Promise<{ outcome: PageOutcome; reply: Reply }> {
  const outcome: PageOutcome = pager ? await pager.page(req) : { kind: 'refused', message: 'Paging is not configured in this process.' };
  return { outcome, reply: pageReply(outcome) };
}
