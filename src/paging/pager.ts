/**
 * Paging the on-call of a catalog entity: who may, what is sent, what is recorded. Anyone who can ask
 * may page (as with PagerDuty's own Slack app), but a reason is required, the asker is named in the
 * page and in the audit log, one request pages once (a Slack retry, a double submit), and one person
 * pages one service at most once per window. The page is audited before it leaves (`page_requested`)
 * and its ending after (`paged` or `page_failed`), so no row claims a page the provider refused.
 */
import { createHash } from 'node:crypto';
import type { AuditLog } from '../audit/index.js';
import type { PageOutcome, PageRequest, PageSubject, Pager } from './contract.js';
import type { OpsgenieAlert, PagerDutyEvent, SendResult } from './senders.js';
import { maskKey, pageTarget, PROVIDER_TITLES, type PageTarget } from './target.js';

export const PAGE_REASON_MAX = 500;
/** One page per person per service in this window (default five minutes). */
export const PAGE_WINDOW_MS = 5 * 60 * 1000;

export interface PagerDeps {
  /** The entity with exactly this ref, with its annotations; null when not in the catalog. */
  subject(ref: string): PageSubject | null;
  /** Absent: PAGERDUTY_EVENTS_URL (or its default) is not usable; only with a token for service ids. */
  pagerDuty?: {
    trigger(e: PagerDutyEvent): Promise<SendResult>;
    serviceKey?(serviceId: string): Promise<{ key: string; name: string; url?: string } | { problem: string; status: number | null }>;
  };
  /** Absent without OPSGENIE_API_KEY. */
  opsgenie?: { create(a: OpsgenieAlert): Promise<SendResult> };
  audit: Pick<AuditLog, 'append'>;
  /** The bot's shared claims (BotState): a request key pages once across replicas. */
  claims: { claimDelivery(key: string): Promise<boolean>; releaseDelivery(key: string): Promise<void> };
  now?: () => Date;
  windowMs?: number;
  /** `oncall.pageByServiceId`: false pages only entities that name an integration key. Default true. */
  pageByServiceId?: boolean;
}

const hash = (s: string) => createHash('sha256').update(s).digest('hex');

export function createPager(deps: PagerDeps): Pager {
  const now = deps.now ?? (() => new Date());
  const windowMs = deps.windowMs ?? PAGE_WINDOW_MS;

  const configured = (t: PageTarget): string | null => {
    if (t.provider === 'opsgenie') return deps.opsgenie ? null : 'Opsgenie is not configured (OPSGENIE_API_KEY is not set)';
    if (!deps.pagerDuty) return 'PagerDuty paging is not configured';
    if ('serviceId' in t && deps.pageByServiceId === false) return 'this Switchboard pages only by integration key (pagerduty.com/integration-key)';
    if ('serviceId' in t && !deps.pagerDuty.serviceKey) return 'paging a PagerDuty service by its id needs PAGERDUTY_API_TOKEN';
    return null;
  };

  const targetOf = (ref: string) => {
    const subject = deps.subject(ref);
    if (!subject) return { subject: null, found: null } as const;
    return { subject, found: pageTarget(subject.annotations) } as const;
  };

  return {
    pageable(ref) {
      const { subject, found } = targetOf(ref);
      if (!subject || !found) return null;
      const title = subject.title;
      if ('problem' in found) return { title, provider: null, problem: found.problem };
      return { title, provider: found.target.provider, problem: configured(found.target) };
    },

    async page(req: PageRequest): Promise<PageOutcome> {
      const { subject, found } = targetOf(req.ref);
      if (!subject) return { kind: 'refused', message: `${req.ref} is not in the catalog any more.` };
      if (!found) return { kind: 'refused', message: `${subject.title} names no PagerDuty service or Opsgenie team to page.` };
      if ('problem' in found) return { kind: 'refused', message: `${subject.title} cannot be paged: ${found.problem}.` };
      const target = found.target;
      const off = configured(target);
      if (off) return { kind: 'refused', message: `${subject.title} cannot be paged: ${off}.` };
      const reason = req.reason.trim();
      if (!reason) return { kind: 'invalid', message: 'Say why you page: the on-call reads it first.' };
      if (reason.length > PAGE_REASON_MAX) return { kind: 'invalid', message: `Keep the reason under ${PAGE_REASON_MAX} characters.` };

      const asker = req.asker;
      const askerId = asker.ref ?? asker.id;
      const provider = PROVIDER_TITLES[target.provider];
      // The same request (a Slack retry, a second submit of one modal) pages once; so does a provider's retry.
      const dedupKey = `switchboard-${hash(`${subject.ref}\n${req.requestKey}`).slice(0, 40)}`;
      const requestClaim = `page:${dedupKey}`;
      if (!(await deps.claims.claimDelivery(requestClaim))) {
        return { kind: 'duplicate', message: `This page was already sent to ${provider}; it pages once.`, reference: dedupKey };
      }
      const bucket = Math.floor(now().getTime() / windowMs);
      const limitClaim = `page-limit:${hash(`${askerId}\n${subject.ref}`).slice(0, 32)}:${bucket}`;
      if (!(await deps.claims.claimDelivery(limitClaim))) {
        await deps.claims.releaseDelivery(requestClaim);
        const minutes = Math.round(windowMs / 60_000);
        await deps.audit.append({
          actor: askerId,
          action: 'page',
          event: 'refused',
          target: subject.ref,
          detail: { reason: 'paged this service in the last window', minutes },
          thread: req.where,
        });
        return {
          kind: 'limited',
          message: `You paged ${subject.title} in the last ${minutes} minutes; ${provider} already has it. Add to that incident in ${provider}, or page again later.`,
        };
      }
      const release = async () => {
        await deps.claims.releaseDelivery(requestClaim);
        await deps.claims.releaseDelivery(limitClaim);
      };
      const inputs = {
        provider: target.provider,
        reason,
        ...('team' in target ? { team: target.team } : {}),
        ...('serviceId' in target ? { serviceId: target.serviceId } : {}),
      };
      try {
        // Recorded before it leaves: a page that could not be audited is not sent.
        await deps.audit.append({
          actor: askerId,
          action: 'page',
          event: 'page_requested',
          target: subject.ref,
          inputs,
          detail: { dedupKey, asker: asker.displayName },
          thread: req.where,
        });
      } catch (err) {
        await release();
        throw err;
      }
      const sent = await send(target, subject, reason, asker, dedupKey, req.where);
      if (!sent.ok) {
        await release();
        await deps.audit.append({
          actor: askerId,
          action: 'page',
          event: 'page_failed',
          target: subject.ref,
          inputs,
          detail: { dedupKey, status: sent.status, error: sent.message },
          thread: req.where,
        });
        return { kind: 'failed', provider, message: sent.message, ...(sent.retryAfterSeconds !== undefined && { retryAfterSeconds: sent.retryAfterSeconds }) };
      }
      await deps.audit.append({
        actor: askerId,
        action: 'page',
        event: 'paged',
        target: subject.ref,
        inputs,
        detail: { dedupKey, reference: sent.reference, ...(sent.url && { url: sent.url }) },
        thread: req.where,
      });
      return {
        kind: 'paged',
        provider,
        title: subject.title,
        reference: sent.reference,
        reason,
        ...(sent.url && { url: sent.url }),
        ...(sent.paged && { paged: sent.paged }),
      };
    },
  };

  async function send(
    target: PageTarget,
    subject: PageSubject,
    reason: string,
    asker: PageRequest['asker'],
    dedupKey: string,
    where: string | null,
  ): Promise<SendResult> {
    const who = asker.email ? `${asker.displayName} <${asker.email}>` : asker.displayName;
    if (target.provider === 'opsgenie') {
      return deps.opsgenie!.create({
        message: `${subject.title}: ${reason}`,
        alias: dedupKey,
        description: `${who} paged the on-call of ${subject.title} (${subject.ref}) from Switchboard.\n\nReason: ${reason}`,
        team: target.team,
        note: `Paged by ${who} from Switchboard${where ? ` (${where})` : ''}`,
        source: 'Switchboard',
        user: asker.email ?? asker.displayName,
        priority: 'P1',
        details: { entity: subject.ref, asker: who, askerId: asker.ref ?? asker.id, reason },
      });
    }
    const pd = deps.pagerDuty!;
    let routingKey: string;
    let url: string | undefined;
    let paged: string | undefined;
    if ('serviceId' in target) {
      // A service id is anyone's to name: the asker is told which PagerDuty service it really is.
      const found = await pd.serviceKey!(target.serviceId);
      if ('problem' in found) return { ok: false, status: found.status, message: found.problem };
      routingKey = found.key;
      url = found.url;
      paged = `PagerDuty service ${found.name}`;
    } else routingKey = target.integrationKey;
    const result = await pd.trigger({
      routingKey,
      dedupKey,
      summary: `${subject.title}: ${reason} (paged by ${asker.displayName} from Switchboard)`,
      source: 'switchboard',
      severity: 'critical',
      component: subject.ref,
      customDetails: { entity: subject.ref, asker: who, askerId: asker.ref ?? asker.id, reason, ...(where && { where }) },
    });
    // The routing key is named only masked, even in an error.
    if (!result.ok) return { ...result, message: result.message.split(routingKey).join(maskKey(routingKey)) };
    return { ...result, ...(url && { url }), ...(paged && { paged }) };
  }
}
