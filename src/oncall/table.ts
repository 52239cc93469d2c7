/**
 * The on-call providers, one row each (STYLE rule 12): what configures a provider and how it is made.
 * The catalog's Schedules are always first; PagerDuty and Opsgenie join when their credentials are set.
 * Opsgenie's REST API ends on 2027-04-05: Jira Service Management's operations API is one more row here.
 * Base URLs come only from the environment (config.ts), never from a descriptor.
 */
import type { OnCall } from '../catalog/queries/types.js';
import type { Config } from '../config.js';
import { cachedProvider } from './cache.js';
import type { OnCallProvider, OnCallProviders } from './contract.js';
import { opsgenieProvider } from './opsgenie.js';
import { pagerDutyProvider } from './pagerduty.js';
import type { PersonByEmail } from './people.js';
import { combineProviders } from './providers.js';
import { scheduleProvider } from './schedule.js';

export type ProviderConfig = Pick<Config, 'PAGERDUTY_API_TOKEN' | 'PAGERDUTY_API_URL' | 'OPSGENIE_API_KEY' | 'OPSGENIE_API_URL'>;

export interface ProviderDeps {
  personByEmail: PersonByEmail;
  /** The catalog's own Schedules' answer for an entity ref. */
  scheduleOnCall: (ref: string, at: Date) => OnCall[];
  now?: () => Date;
  /** Per call; default 2,000 ms. */
  timeoutMs?: number;
  /** Cached answers live at most this long; default 60 s. */
  ttlMs?: number;
}

interface ProviderRow {
  name: string;
  title: string;
  /** The variable that turns it on, for messages. */
  variable: string;
  create(config: ProviderConfig, deps: ProviderDeps): OnCallProvider | null;
}

export const ONCALL_PROVIDERS: ProviderRow[] = [
  {
    name: 'pagerduty',
    title: 'PagerDuty',
    variable: 'PAGERDUTY_API_TOKEN',
    create: (c, d) =>
      c.PAGERDUTY_API_TOKEN
        ? pagerDutyProvider({ apiUrl: c.PAGERDUTY_API_URL, token: c.PAGERDUTY_API_TOKEN, personByEmail: d.personByEmail, now: d.now, timeoutMs: d.timeoutMs })
        : null,
  },
  {
    name: 'opsgenie',
    title: 'Opsgenie',
    variable: 'OPSGENIE_API_KEY',
    create: (c, d) =>
      c.OPSGENIE_API_KEY
        ? opsgenieProvider({ apiUrl: c.OPSGENIE_API_URL, apiKey: c.OPSGENIE_API_KEY, personByEmail: d.personByEmail, now: d.now, timeoutMs: d.timeoutMs })
        : null,
  },
];

/** The catalog's Schedules and every provider the environment configures, network ones cached. */
export function createOnCallProviders(config: ProviderConfig, deps: ProviderDeps): OnCallProviders {
  const remote = ONCALL_PROVIDERS.map((row) => row.create(config, deps))
    .filter((p): p is OnCallProvider => p !== null)
    .map((p) => cachedProvider(p, { ttlMs: deps.ttlMs, now: deps.now }));
  return combineProviders([scheduleProvider(deps.scheduleOnCall), ...remote]);
}
