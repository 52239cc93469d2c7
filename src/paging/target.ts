/**
 * Whom a Page button pages, read from the entity's annotations. The annotations are the descriptor
 * author's, so they can only name *where* to page (their own PagerDuty service or Opsgenie team); the
 * addresses the bot sends to come from the environment alone (docs/security.md "Paging").
 */

/** The annotations Backstage's PagerDuty and Opsgenie plugins read, under the same names. */
export const PAGE_ANNOTATIONS = {
  integrationKey: 'pagerduty.com/integration-key',
  serviceId: 'pagerduty.com/service-id',
  opsgenieTeam: 'opsgenie.com/team',
} as const;

export type PageTarget =
  /** Events API v2 routing key: the service's own integration, so it can page only that service. */
  | { provider: 'pagerduty'; integrationKey: string }
  /** Only a service id: its Events API v2 integration key is read through the REST API. */
  | { provider: 'pagerduty'; serviceId: string }
  | { provider: 'opsgenie'; team: string };

export type PageTargetResult = { target: PageTarget } | { problem: string } | null;

// PagerDuty integration keys are 32 lower-case hex or alphanumeric characters; service ids are
// upper-case alphanumerics (P1ABCDE). Anything else is refused before it reaches a URL or a body.
const INTEGRATION_KEY = /^[a-z0-9]{32}$/i;
const SERVICE_ID = /^[A-Z0-9]{2,20}$/;
// Opsgenie team names: letters, digits, spaces and `._-`, up to 100 characters.
const TEAM = /^[\p{L}\p{N} ._-]{1,100}$/u;

/**
 * The target the annotations name, or the problem with them (quoted, so the card can say what to fix),
 * or null when the entity names no paging provider. The integration key wins, as in Backstage's plugin.
 */
export function pageTarget(annotations: Record<string, string>): PageTargetResult {
  const key = annotations[PAGE_ANNOTATIONS.integrationKey]?.trim();
  if (key) {
    return INTEGRATION_KEY.test(key)
      ? { target: { provider: 'pagerduty', integrationKey: key } }
      : { problem: `${PAGE_ANNOTATIONS.integrationKey} is not a PagerDuty integration key (32 letters and digits)` };
  }
  const service = annotations[PAGE_ANNOTATIONS.serviceId]?.trim();
  if (service) {
    return SERVICE_ID.test(service)
      ? { target: { provider: 'pagerduty', serviceId: service } }
      : { problem: `${PAGE_ANNOTATIONS.serviceId} "${service.slice(0, 40)}" is not a PagerDuty service id (such as P1ABCDE)` };
  }
  const team = annotations[PAGE_ANNOTATIONS.opsgenieTeam]?.trim();
  if (team) {
    return TEAM.test(team)
      ? { target: { provider: 'opsgenie', team } }
      : { problem: `${PAGE_ANNOTATIONS.opsgenieTeam} "${team.slice(0, 40)}" is not an Opsgenie team name` };
  }
  return null;
}

/** `abcd…wxyz`: enough of a routing key to tell two apart in a log, never enough to use. */
export function maskKey(key: string): string {
  return key.length <= 8 ? '…' : `${key.slice(0, 4)}…${key.slice(-4)}`;
}

export const PROVIDER_TITLES: Record<PageTarget['provider'], string> = { pagerduty: 'PagerDuty', opsgenie: 'Opsgenie' };
