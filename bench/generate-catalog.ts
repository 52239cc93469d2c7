/**
 * A synthetic but realistic Backstage catalog for the ingest and query benchmarks: Domains, Systems,
 * Components, APIs, Resources, Groups, Users and Switchboard Schedules, written as YAML files in nested
 * folders (`<domain>/<system>/catalog-info.yaml` and friends), about 6.5 files per 100 entities.
 *
 * Shape, at 100k entities: ~40 domains, ~2,000 systems, ~57k components, ~17k APIs, ~14k resources,
 * ~1,250 groups, 8,000 users and ~300 schedules. Every name is distinct across the whole catalog (so a
 * name query has exactly one right answer) and every ref resolves (so a correct ingest reports no
 * problems). Dependencies only point at lower-indexed components, which keeps the graph acyclic; about a
 * third point at a couple of dozen core platform services, which gives those a large blast radius while
 * most services keep a small, mostly in-system one. Deterministic for a given seed.
 *
 * CLI (used by bench/catalog.ts so that generation does not count towards the ingest's peak RSS):
 *   node --import tsx bench/generate-catalog.ts <dir> <entities> <seed> <result.json>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dump } from 'js-yaml';

export interface GenerateOptions {
  entities: number;
  seed?: number;
}

export interface GeneratedEntity {
  kind: string;
  name: string;
}

export interface GeneratedCatalog {
  files: number;
  /** Every entity written, in file order. */
  entities: GeneratedEntity[];
  /** Names whoOwns can answer for: every entity but Schedules, which are not searched. */
  names: string[];
}

const NAME = /^[a-zA-Z0-9]+([-_.][a-zA-Z0-9]+)*$/;
const BACKSTAGE = 'backstage.io/v1alpha1';
const SWITCHBOARD = 'switchboard.dev/v1alpha1';
const ORG = 'acme';

// ---------------------------------------------------------------------------------------------------
// Word lists. Deliberately small-ish and overlapping, like a real company's vocabulary: the same nouns
// recur across domains, so names differ by a qualifier or suffix and typos land near other names.

const DOMAINS = [
  'platform',
  'payments',
  'commerce',
  'logistics',
  'identity',
  'data',
  'marketing',
  'search',
  'messaging',
  'billing',
  'risk',
  'fulfillment',
  'catalog',
  'customer',
  'analytics',
  'media',
  'security',
  'infra',
  'finance',
  'growth',
  'ads',
  'content',
  'support',
  'partners',
  'supply',
  'pricing',
  'loyalty',
  'travel',
  'mobile',
  'devices',
  'ml',
  'compliance',
  'people',
  'insurance',
  'lending',
  'trading',
  'social',
  'notifications',
  'gaming',
  'health',
  'maps',
  'retail',
  'booking',
  'shipping',
  'warehouse',
  'streaming',
];

const NOUNS = [
  'ledger',
  'checkout',
  'inventory',
  'orders',
  'cart',
  'invoicing',
  'refunds',
  'settlement',
  'payouts',
  'subscriptions',
  'accounts',
  'profiles',
  'sessions',
  'tokens',
  'consent',
  'recommendations',
  'ranking',
  'indexing',
  'crawler',
  'feeds',
  'email',
  'sms',
  'push',
  'chat',
  'reviews',
  'ratings',
  'wishlist',
  'promotions',
  'coupons',
  'vouchers',
  'rewards',
  'tracking',
  'returns',
  'picking',
  'packing',
  'routing',
  'dispatch',
  'fleet',
  'drivers',
  'geocoding',
  'addresses',
  'tax',
  'fraud',
  'disputes',
  'chargebacks',
  'kyc',
  'onboarding',
  'auth',
  'permissions',
  'roles',
  'audit',
  'reporting',
  'metering',
  'usage',
  'quotas',
  'limits',
  'products',
  'listings',
  'images',
  'video',
  'thumbnails',
  'uploads',
  'storage',
  'assets',
  'cms',
  'translations',
  'localization',
  'autocomplete',
  'suggestions',
  'experiments',
  'flags',
  'config',
  'secrets',
  'scheduler',
  'jobs',
  'workflows',
  'pipelines',
  'etl',
  'ingestion',
  'events',
  'streams',
  'metrics',
  'dashboards',
  'alerts',
  'incidents',
  'tickets',
  'cases',
  'contracts',
  'quotes',
  'leads',
  'campaigns',
  'segments',
  'audiences',
  'attribution',
  'bidding',
  'auctions',
  'creatives',
  'budgets',
  'forecasting',
  'replenishment',
  'suppliers',
  'vendors',
  'shipments',
  'carriers',
  'labels',
  'manifests',
  'customs',
  'currency',
  'fx',
  'wallets',
  'cards',
  'transfers',
  'loans',
  'credit',
  'scoring',
  'underwriting',
  'claims',
  'policies',
  'premiums',
  'bookings',
  'reservations',
  'availability',
  'rates',
  'itineraries',
  'loyalty',
  'referrals',
  'gifts',
  'bundles',
  'variants',
  'taxonomy',
  'attributes',
  'media',
  'playback',
  'transcoding',
  'captions',
  'moderation',
  'comments',
  'likes',
  'follows',
  'graph',
  'presence',
  'devices',
  'firmware',
  'telemetry',
  'geofence',
  'stores',
  'pos',
  'receipts',
  'payroll',
  'timesheets',
  'benefits',
  'hiring',
  'surveys',
  'feedback',
  'docs',
  'search',
  'notifications',
  'billing',
];

const QUALIFIERS = [
  'core',
  'public',
  'internal',
  'legacy',
  'realtime',
  'batch',
  'mobile',
  'partner',
  'merchant',
  'customer',
  'admin',
  'ops',
  'b2b',
  'b2c',
  'global',
  'regional',
  'edge',
  'async',
  'bulk',
  'smart',
  'secure',
  'unified',
  'central',
  'shared',
  'external',
  'hosted',
  'managed',
  'self',
  'next',
  'instant',
  'daily',
  'live',
  'offline',
  'eu',
  'us',
  'apac',
  'latam',
  'atlas',
  'beacon',
  'comet',
  'delta',
  'ember',
  'falcon',
  'glacier',
  'harbor',
  'ion',
  'jade',
  'kestrel',
  'lumen',
  'meteor',
  'nova',
  'orbit',
  'pulse',
  'quartz',
  'raven',
  'sierra',
  'titan',
  'vega',
  'willow',
  'xenon',
  'zephyr',
  'apollo',
  'aurora',
  'cobalt',
  'dune',
  'echo',
  'flint',
  'granite',
  'helix',
  'iris',
  'juniper',
  'krypton',
  'lotus',
  'magma',
  'nimbus',
  'onyx',
  'prism',
  'quasar',
  'rune',
  'sable',
  'tundra',
  'vortex',
  'zenith',
  'alder',
  'birch',
  'cedar',
  'elm',
  'hazel',
  'maple',
  'oak',
  'pine',
  'spruce',
  'amber',
  'coral',
  'ivory',
  'pearl',
  'ruby',
  'topaz',
  'indigo',
  'crimson',
  'saffron',
  'hermes',
  'athena',
  'zeus',
  'odin',
  'thor',
  'loki',
  'freya',
  'mercury',
  'venus',
  'mars',
  'jupiter',
  'saturn',
  'neptune',
  'pluto',
  'phoenix',
  'griffin',
  'hydra',
  'kraken',
  'pegasus',
  'sphinx',
  'condor',
  'heron',
  'ibis',
  'lynx',
  'otter',
  'panda',
  'puma',
  'tiger',
  'wolf',
  'yak',
  'bison',
  'orca',
];

const SERVICE_SUFFIXES = [
  'api',
  'service',
  'worker',
  'gateway',
  'consumer',
  'processor',
  'scheduler',
  'sync',
  'exporter',
  'importer',
  'bff',
  'proxy',
  'adapter',
  'engine',
  'manager',
  'router',
  'indexer',
  'notifier',
  'handler',
  'aggregator',
  'collector',
  'dispatcher',
  'reconciler',
  'resolver',
  'validator',
  'backend',
  'daemon',
  'job',
  'cron',
  'listener',
  'publisher',
  'writer',
  'reader',
  'svc',
  'server',
  'controller',
  'operator',
  'relay',
];
const WEBSITE_SUFFIXES = ['web', 'ui', 'frontend', 'portal', 'console', 'dashboard', 'admin-ui', 'site', 'app', 'webapp'];
const LIBRARY_SUFFIXES = ['lib', 'sdk', 'client', 'utils', 'common', 'models', 'schemas', 'proto', 'kit', 'js', 'go'];
const API_SUFFIXES = ['api', 'rest-api', 'grpc', 'events', 'graphql', 'public-api', 'internal-api', 'webhooks', 'v1-api', 'v2-api', 'stream', 'feed'];
const RESOURCE_SUFFIXES: [string, string][] = [
  ['db', 'database'],
  ['postgres', 'database'],
  ['mysql', 'database'],
  ['aurora', 'database'],
  ['redis', 'cache'],
  ['cache', 'cache'],
  ['memcached', 'cache'],
  ['queue', 'queue'],
  ['sqs', 'queue'],
  ['topic', 'kafka-topic'],
  ['kafka', 'kafka-topic'],
  ['bucket', 's3-bucket'],
  ['s3', 's3-bucket'],
  ['index', 'search-index'],
  ['es', 'search-index'],
  ['warehouse', 'data-warehouse'],
  ['bq', 'data-warehouse'],
  ['vault', 'secret-store'],
  ['dynamo', 'database'],
  ['mongo', 'database'],
];
const TEAM_SUFFIXES = ['team', 'squad', 'crew', 'guild', 'pod'];
const LANGUAGES = ['java', 'go', 'python', 'typescript', 'kotlin', 'rust', 'scala', 'ruby'];
const EXTRA_TAGS = ['tier-1', 'tier-2', 'pci', 'gdpr', 'grpc', 'kafka', 'public', 'critical', 'batch'];
const TIME_ZONES = [
  'Europe/Berlin',
  'Europe/London',
  'America/New_York',
  'America/Los_Angeles',
  'Asia/Tokyo',
  'Asia/Singapore',
  'Australia/Sydney',
  'America/Sao_Paulo',
  'Asia/Kolkata',
  'Europe/Amsterdam',
];
const FIRST_NAMES = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'niaj',
  'olivia',
  'peggy',
  'rupert',
  'sybil',
  'trent',
  'victor',
  'walter',
  'amara',
  'bilal',
  'chen',
  'dmitri',
  'elif',
  'fatima',
  'giorgio',
  'hana',
  'ines',
  'jamal',
  'kenji',
  'lucia',
  'mateo',
  'nadia',
  'omar',
  'priya',
  'quentin',
  'rosa',
  'sven',
  'tariq',
  'uma',
  'valentina',
  'wei',
  'ximena',
  'yusuf',
  'zara',
  'aiko',
  'bruno',
  'camille',
  'diego',
  'emeka',
  'farah',
  'gustav',
  'hiroshi',
  'ingrid',
  'jonas',
  'kofi',
  'leila',
  'magnus',
  'noor',
  'oskar',
  'paulo',
  'rania',
  'santiago',
  'thea',
  'ugo',
  'vera',
  'wanjiru',
  'yara',
  'zoltan',
  'anika',
  'bjorn',
  'clara',
  'deniz',
  'emil',
  'freja',
  'goran',
  'helena',
  'isak',
  'jana',
  'kasper',
  'lena',
  'milan',
  'nina',
  'otto',
  'petra',
  'rafael',
  'sofia',
  'tomas',
  'ursula',
  'vikram',
  'william',
  'yuki',
  'zofia',
  'arjun',
  'beatriz',
  'cyrus',
  'daria',
  'eitan',
  'felix',
  'gemma',
  'hugo',
  'ivy',
  'jorge',
  'kai',
  'liam',
  'maya',
  'nikolai',
  'ola',
  'pedro',
  'quinn',
  'ravi',
  'sara',
  'tobias',
  'ulla',
  'vivek',
  'xavier',
  'yasmin',
  'zeynep',
];
const LAST_NAMES = [
  'smith',
  'johnson',
  'garcia',
  'martinez',
  'lee',
  'kim',
  'nguyen',
  'chen',
  'wang',
  'li',
  'patel',
  'shah',
  'singh',
  'kumar',
  'mueller',
  'schmidt',
  'schneider',
  'fischer',
  'weber',
  'meyer',
  'wagner',
  'becker',
  'rossi',
  'russo',
  'ferrari',
  'esposito',
  'bianchi',
  'romano',
  'dubois',
  'martin',
  'bernard',
  'petit',
  'moreau',
  'laurent',
  'silva',
  'santos',
  'oliveira',
  'souza',
  'pereira',
  'costa',
  'rodrigues',
  'almeida',
  'kowalski',
  'nowak',
  'wisniewski',
  'novak',
  'horvat',
  'kovacs',
  'nagy',
  'szabo',
  'popescu',
  'ionescu',
  'ivanov',
  'petrov',
  'sokolov',
  'yilmaz',
  'kaya',
  'demir',
  'cohen',
  'levi',
  'mizrahi',
  'haddad',
  'khalil',
  'hassan',
  'ali',
  'ahmed',
  'okafor',
  'adeyemi',
  'mensah',
  'kamau',
  'otieno',
  'mwangi',
  'tanaka',
  'suzuki',
  'sato',
  'takahashi',
  'watanabe',
  'yamamoto',
  'park',
  'choi',
  'jung',
  'kang',
  'tran',
  'pham',
  'hoang',
  'andersson',
  'johansson',
  'karlsson',
  'nilsson',
  'hansen',
  'jensen',
  'nielsen',
  'larsen',
  'virtanen',
  'korhonen',
  'murphy',
  'kelly',
  'obrien',
  'walsh',
  'jones',
  'williams',
  'brown',
  'taylor',
  'davies',
  'evans',
  'thomas',
  'wilson',
  'roberts',
  'walker',
  'wright',
  'thompson',
  'white',
  'hughes',
  'edwards',
  'green',
  'hall',
  'wood',
  'harris',
  'clarke',
  'jackson',
  'clark',
  'lewis',
  'young',
  'allen',
  'king',
  'scott',
  'adams',
  'baker',
  'nelson',
  'hill',
  'campbell',
  'mitchell',
  'carter',
  'phillips',
  'turner',
  'torres',
  'ramirez',
  'flores',
  'rivera',
  'gomez',
  'diaz',
  'reyes',
  'morales',
  'ortiz',
  'gutierrez',
];
/** Shared platform services almost everything ends up depending on: the large-blast-radius end. */
const CORE_SERVICES = [
  'auth-service',
  'identity-api',
  'edge-gateway',
  'feature-flags-service',
  'config-service',
  'event-bus',
  'notification-service',
  'user-profile-api',
  'session-service',
  'rate-limiter',
  'audit-log-service',
  'secrets-broker',
  'service-mesh-proxy',
  'metrics-collector',
  'tracing-agent',
  'email-sender',
  'sms-gateway',
  'search-api',
  'geo-service',
  'currency-service',
  'media-storage-api',
  'job-scheduler',
  'pdf-renderer',
  'translation-service',
];
const ACRONYMS = new Set([
  'api',
  'ui',
  'sdk',
  'bff',
  'grpc',
  'db',
  'etl',
  'kyc',
  'ml',
  'sms',
  'b2b',
  'b2c',
  'cms',
  's3',
  'es',
  'eu',
  'us',
  'apac',
  'fx',
  'pos',
  'bq',
  'sqs',
  'v1',
  'v2',
]);

// ---------------------------------------------------------------------------------------------------

/** mulberry32: small, fast and good enough for test data; the same seed gives the same catalog. */
export function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[int(items.length)] as T,
    /** An index into `weights`, proportional to its weight. */
    weighted(weights: readonly number[]): number {
      let r = next() * weights.reduce((a, b) => a + b, 0);
      for (let i = 0; i < weights.length; i++) if ((r -= weights[i] as number) < 0) return i;
      return weights.length - 1;
    },
  };
}
type Rng = ReturnType<typeof prng>;

const titleOf = (name: string) =>
  name
    .split(/[-_.]/)
    .map((w) => (ACRONYMS.has(w) ? w.toUpperCase() : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ');

interface Team {
  name: string;
  domain: number;
  parent: string;
  type: 'organization' | 'department' | 'team' | 'sub-team';
  members: string[];
  children: string[];
  schedule?: string;
}
interface Sys {
  name: string;
  noun: string;
  domain: number;
  owner: string;
  components: number[];
  apis: number[];
  resources: number[];
}
interface Comp {
  name: string;
  system: number;
  type: 'service' | 'website' | 'library';
  lifecycle: string;
  owner: string;
  single: boolean;
  dependsOn: string[];
  provides: string[];
  consumes: string[];
}
interface Api {
  name: string;
  system: number;
  provider: number;
  type: string;
  owner: string;
}
interface Res {
  name: string;
  system: number;
  type: string;
  owner: string;
}

/** How many of each kind make up `n` entities; the proportions follow a mid-size company's catalog. */
function plan(n: number) {
  if (!Number.isInteger(n) || n < 500) throw new RangeError(`generateCatalog: entities must be an integer >= 500, got ${n}`);
  const domains = Math.max(2, Math.round(n / 2500));
  const systems = Math.max(4, Math.round(n / 50));
  const groups = Math.max(domains + 4, Math.round(n / 80));
  const teams = groups - domains - 1; // minus the root organization and one department per domain
  const users = Math.round(n * 0.08);
  const schedules = Math.min(teams, Math.max(2, Math.round(n / 330)));
  const apis = Math.round(n * 0.17);
  const resources = Math.round(n * 0.14);
  const components = n - domains - systems - groups - users - schedules - apis - resources;
  const core = Math.min(CORE_SERVICES.length, Math.floor(components / 10));
  return { domains, systems, teams, users, schedules, apis, resources, components, core, files: Math.round(n * 0.065) };
}

export function generateCatalog(dir: string, opts: GenerateOptions): GeneratedCatalog {
  const rng: Rng = prng(opts.seed ?? 42);
  const p = plan(opts.entities);
  const taken = new Set<string>();

  /** A name not used anywhere in the catalog yet: retry the recipe, then number the last attempt. */
  const unique = (make: () => string, numbered = (base: string, k: number) => `${base}-${k}`): string => {
    let name = make();
    for (let i = 0; i < 10 && taken.has(name); i++) name = make();
    const base = name;
    for (let k = 2; taken.has(name); k++) name = numbered(base, k);
    if (name.length > 63 || !NAME.test(name)) throw new Error(`generator produced an invalid name "${name}"`);
    taken.add(name);
    return name;
  };

  // Organization: a root group, a department per domain, teams (some nested) under the departments.
  const domainWords = Array.from({ length: p.domains }, (_, d) =>
    d < DOMAINS.length ? (DOMAINS[d] as string) : `${DOMAINS[d % DOMAINS.length]}-${Math.floor(d / DOMAINS.length) + 1}`,
  );
  const domainNames = domainWords.map((w) => unique(() => w));
  const root: Team = { name: unique(() => `${ORG}-engineering`), domain: 0, parent: '', type: 'organization', members: [], children: [] };
  const departments: Team[] = domainWords.map((w, d) => ({
    name: unique(() => `${w}-${rng.pick(['org', 'engineering', 'division'])}`),
    domain: d,
    parent: root.name,
    type: 'department',
    members: [],
    children: [],
  }));
  const teams: Team[] = [];
  const teamsByDomain: Team[][] = domainWords.map(() => []);
  for (let t = 0; t < p.teams; t++) {
    const domain = t < p.domains ? t : rng.int(p.domains);
    const siblings = teamsByDomain[domain] as Team[];
    const nested = siblings.length > 0 && rng.chance(0.2);
    const name = unique(() => {
      const noun = rng.pick(NOUNS);
      switch (rng.int(4)) {
        case 0:
          return `team-${noun}`;
        case 1:
          return `${rng.pick(QUALIFIERS)}-${noun}-${rng.pick(TEAM_SUFFIXES)}`;
        case 2:
          return `${domainWords[domain]}-${noun}-team`;
        default:
          return `${noun}-${rng.pick(TEAM_SUFFIXES)}`;
      }
    });
    const team: Team = {
      name,
      domain,
      parent: nested ? rng.pick(siblings).name : (departments[domain] as Team).name,
      type: nested ? 'sub-team' : 'team',
      members: [],
      children: [],
    };
    teams.push(team);
    siblings.push(team);
  }
  const groupsByName = new Map([root, ...departments, ...teams].map((g) => [g.name, g]));
  for (const g of groupsByName.values()) if (g.parent) groupsByName.get(g.parent)?.children.push(g.name);

  const users: { name: string; first: string; last: string; memberOf: string[] }[] = [];
  for (let u = 0; u < p.users; u++) {
    let first = '';
    let last = '';
    const name = unique(
      () => {
        first = rng.pick(FIRST_NAMES);
        last = rng.pick(LAST_NAMES);
        return `${first}.${last}`;
      },
      (base, k) => `${base}${k}`,
    );
    const primary = rng.pick(teams);
    const memberOf = [primary.name];
    primary.members.push(name);
    if (rng.chance(0.15)) {
      const second = rng.pick(teams);
      if (second !== primary) {
        memberOf.push(second.name);
        second.members.push(name);
      }
    }
    users.push({ name, first, last, memberOf });
  }

  // Systems: the first one per domain so every domain has one, the rest spread at random.
  const systems: Sys[] = [];
  const systemsByDomain: number[][] = domainWords.map(() => []);
  for (let s = 0; s < p.systems; s++) {
    const domain = s < p.domains ? s : rng.int(p.domains);
    let noun = 'platform';
    const name =
      s === 0
        ? unique(() => 'core-platform')
        : unique(() => {
            noun = rng.pick(NOUNS);
            const r = rng.next();
            if (r < 0.6) return `${domainWords[domain]}-${noun}`;
            if (r < 0.75) return noun;
            return `${rng.pick(QUALIFIERS)}-${noun}`;
          });
    systems.push({ name, noun, domain, owner: rng.pick(teamsByDomain[domain] as Team[]).name, components: [], apis: [], resources: [] });
    systemsByDomain[domain]?.push(s);
  }
  const teamOf = (system: Sys, keepSystemOwner: number) => (rng.chance(keepSystemOwner) ? system.owner : rng.pick(teamsByDomain[system.domain] as Team[]).name);

  // Components, system by system, so that a component's index orders it within its system and domain.
  const perSystem = systems.map(() => 0);
  for (let c = p.core; c < p.components; c++) {
    const s = c - p.core < p.systems ? c - p.core : rng.int(p.systems);
    perSystem[s] = (perSystem[s] as number) + 1;
  }
  const components: Comp[] = [];
  const addComponent = (sysIndex: number, name: string, type: Comp['type']) => {
    const system = systems[sysIndex] as Sys;
    system.components.push(components.length);
    components.push({
      name,
      system: sysIndex,
      type,
      lifecycle: ['production', 'experimental', 'deprecated'][rng.weighted([75, 15, 10])] as string,
      owner: teamOf(system, 0.7),
      single: false,
      dependsOn: [],
      provides: [],
      consumes: [],
    });
  };
  for (let c = 0; c < p.core; c++)
    addComponent(
      0,
      unique(() => CORE_SERVICES[c] as string),
      'service',
    );
  systems.forEach((system, s) => {
    const domain = domainWords[system.domain] as string;
    for (let k = 0; k < (perSystem[s] as number); k++) {
      const type = (['service', 'website', 'library'] as const)[rng.weighted([62, 13, 25])];
      const suffixes = type === 'service' ? SERVICE_SUFFIXES : type === 'website' ? WEBSITE_SUFFIXES : LIBRARY_SUFFIXES;
      const name = unique(() => {
        const r = rng.next();
        if (r < 0.45) return `${system.noun}-${rng.pick(suffixes)}`;
        if (r < 0.8) return `${rng.pick(QUALIFIERS)}-${system.noun}-${rng.pick(suffixes)}`;
        return `${domain}-${rng.pick(NOUNS)}-${rng.pick(suffixes)}`;
      });
      addComponent(s, name, type as Comp['type']);
    }
  });

  // APIs: one per core service first (the widely consumed ones), the rest on random services.
  const services = components.flatMap((c, i) => (c.type === 'service' && i >= p.core ? [i] : []));
  const apis: Api[] = [];
  for (let a = 0; a < p.apis; a++) {
    const provider = a < p.core ? a : rng.pick(services);
    const comp = components[provider] as Comp;
    const base = comp.name.slice(0, comp.name.lastIndexOf('-')) || comp.name;
    const suffix = rng.pick(API_SUFFIXES);
    const name = unique(() => (rng.chance(0.7) ? `${base}-${suffix}` : `${rng.pick(QUALIFIERS)}-${base}-${rng.pick(API_SUFFIXES)}`));
    const type = /grpc/.test(name) ? 'grpc' : /events|stream|feed|webhooks/.test(name) ? 'asyncapi' : /graphql/.test(name) ? 'graphql' : 'openapi';
    (systems[comp.system] as Sys).apis.push(apis.length);
    comp.provides.push(name);
    apis.push({ name, system: comp.system, provider, type, owner: comp.owner });
  }

  const resources: Res[] = [];
  for (let r = 0; r < p.resources; r++) {
    const sysIndex = r < p.systems ? r : rng.int(p.systems);
    const system = systems[sysIndex] as Sys;
    let type = '';
    const name = unique(() => {
      const [suffix, t] = rng.pick(RESOURCE_SUFFIXES);
      type = t;
      const x = rng.next();
      if (x < 0.5) return `${system.noun}-${suffix}`;
      if (x < 0.8) return `${rng.pick(QUALIFIERS)}-${system.noun}-${suffix}`;
      return `${domainWords[system.domain]}-${rng.pick(NOUNS)}-${suffix}`;
    });
    system.resources.push(resources.length);
    resources.push({ name, system: sysIndex, type, owner: teamOf(system, 0.8) });
  }

  // Relations, in index order: only ever towards lower-indexed components, so the graph stays acyclic.
  const coreWeights = Array.from({ length: p.core }, (_, i) => 1 / (i + 1));
  const earlierInSystem: number[][] = systems.map(() => []);
  const earlierInDomain: number[][] = domainWords.map(() => []);
  const apisSoFarInDomain: string[][] = domainWords.map(() => []);
  const coreApis = apis.slice(0, p.core).map((a) => a.name);
  components.forEach((comp, i) => {
    const system = systems[comp.system] as Sys;
    const inSystem = earlierInSystem[comp.system] as number[];
    const inDomain = earlierInDomain[system.domain] as number[];
    const deps = new Set<string>();
    const wanted = comp.type === 'library' ? rng.weighted([60, 30, 10]) : rng.weighted([20, 25, 25, 15, 10, 5]);
    for (let k = 0; k < wanted; k++) {
      const r = rng.next();
      let target: number | undefined;
      if (comp.type !== 'library' && r < 0.3 && p.core > 0 && i >= p.core) target = rng.weighted(coreWeights);
      else if (r < 0.85 && inSystem.length > 0) target = rng.pick(inSystem);
      else if (inDomain.length > 0) target = rng.pick(inDomain);
      if (target !== undefined && target < i) deps.add(`component:${(components[target] as Comp).name}`);
    }
    if (comp.type === 'service' && system.resources.length > 0) {
      const n = rng.weighted([45, 40, 15]);
      for (let k = 0; k < n && deps.size < 5; k++) deps.add(`resource:${(resources[rng.pick(system.resources)] as Res).name}`);
    }
    comp.dependsOn = [...deps].slice(0, 5);
    if (comp.type !== 'library') {
      const consumes = new Set<string>();
      const wantedApis = rng.weighted([35, 35, 20, 10]);
      const domainApis = apisSoFarInDomain[system.domain] as string[];
      for (let k = 0; k < wantedApis; k++) {
        if (rng.chance(0.45) && coreApis.length > 0 && i >= p.core) consumes.add(coreApis[rng.weighted(coreWeights)] as string);
        else if (domainApis.length > 0) consumes.add(rng.pick(domainApis));
      }
      for (const own of comp.provides) consumes.delete(own);
      comp.consumes = [...consumes];
    }
    inSystem.push(i);
    inDomain.push(i);
    apisSoFarInDomain[system.domain]?.push(...comp.provides);
  });

  // Schedules: a few hundred teams run an on-call rotation over their members.
  const scheduled = [...teams];
  for (let i = scheduled.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [scheduled[i], scheduled[j]] = [scheduled[j] as Team, scheduled[i] as Team];
  }
  const schedules = scheduled.slice(0, p.schedules).map((team) => {
    team.schedule = unique(() => `${team.name}-oncall`);
    const participants = team.members.slice(0, 6);
    while (participants.length < 2) {
      const extra = rng.pick(users).name;
      if (!participants.includes(extra)) participants.push(extra);
    }
    const every = ['1w', '2w', '1d'][rng.weighted([80, 10, 10])] as string;
    const rotations: Record<string, unknown>[] = [{ name: 'primary', start: '2026-01-05T09:00', every, participants }];
    if (participants.length >= 4 && rng.chance(0.25)) {
      rotations.push({ name: 'secondary', start: '2026-01-05T21:00', every, participants: [...participants].reverse() });
    }
    return {
      apiVersion: SWITCHBOARD,
      kind: 'Schedule',
      metadata: { name: team.schedule, title: `${titleOf(team.name)} on-call` },
      spec: { owner: team.name, timeZone: rng.chance(0.5) ? 'UTC' : rng.pick(TIME_ZONES), rotations },
      domain: team.domain,
    };
  });

  // Some components live in their own folder (one descriptor per repository, Backstage's default);
  // choose enough of them to land near the target file count.
  const orgFiles = p.domains + Math.ceil(p.users / 100) + new Set(schedules.map((s) => s.domain)).size;
  const systemFiles = systems.reduce((n, s) => n + 1 + (s.apis.length + s.resources.length > 0 ? 1 : 0), 0);
  let singles = Math.max(0, p.files - p.domains - orgFiles - systemFiles);
  for (let i = p.core; i < components.length && singles > 0; i++) {
    if (rng.next() < singles / (components.length - i)) {
      (components[i] as Comp).single = true;
      singles--;
    }
  }

  // Descriptors.
  const owner = (name: string) => (rng.chance(0.3) ? `group:default/${name}` : name);
  const links = (name: string, domain: string) => [
    { url: `https://github.com/${ORG}/${name}`, title: 'Repository', icon: 'github' },
    { url: `https://grafana.${ORG}.example/d/${name}`, title: 'Dashboard', icon: 'dashboard' },
    ...(rng.chance(0.3) ? [{ url: `https://docs.${ORG}.example/${domain}/${name}`, title: 'Docs', type: 'docs' }] : []),
  ];
  const tags = () => [rng.pick(LANGUAGES), ...(rng.chance(0.3) ? [rng.pick(EXTRA_TAGS)] : [])];

  const componentDoc = (c: Comp) => {
    const system = systems[c.system] as Sys;
    const domain = domainWords[system.domain] as string;
    const annotations: Record<string, string> = {
      'github.com/project-slug': `${ORG}/${c.name}`,
      'backstage.io/techdocs-ref': 'dir:.',
    };
    if (c.type !== 'library' && rng.chance(0.7)) annotations['switchboard.dev/runbook'] = `https://runbooks.${ORG}.example/${domain}/${c.name}`;
    if (c.type === 'service' && rng.chance(0.3))
      annotations['pagerduty.com/service-id'] = `P${rng
        .int(36 ** 6)
        .toString(36)
        .toUpperCase()
        .padStart(6, '0')}`;
    const spec: Record<string, unknown> = { type: c.type, lifecycle: c.lifecycle, owner: owner(c.owner), system: system.name };
    if (c.dependsOn.length) spec.dependsOn = c.dependsOn;
    if (c.provides.length) spec.providesApis = c.provides;
    if (c.consumes.length) spec.consumesApis = c.consumes;
    return {
      apiVersion: BACKSTAGE,
      kind: 'Component',
      metadata: {
        name: c.name,
        ...(rng.chance(0.4) ? { title: titleOf(c.name) } : {}),
        description: `${titleOf(c.name)}: ${c.type} of the ${titleOf(system.name)} system.`,
        tags: tags(),
        annotations,
        links: links(c.name, domain),
      },
      spec,
    };
  };
  const definition = (a: Api) => {
    switch (a.type) {
      case 'grpc': {
        const service = titleOf(a.name).replace(/\s/g, '');
        return `syntax = "proto3";\npackage ${ORG}.${a.name.replace(/[-.]/g, '_')};\n\nservice ${service} {\n  rpc Get (GetRequest) returns (GetResponse);\n  rpc List (ListRequest) returns (ListResponse);\n}\n`;
      }
      case 'asyncapi':
        return `asyncapi: 2.6.0\ninfo:\n  title: ${titleOf(a.name)}\n  version: 1.${rng.int(20)}.0\nchannels:\n  ${a.name}.changed:\n    subscribe:\n      message:\n        payload:\n          type: object\n`;
      case 'graphql':
        return `type Query {\n  node(id: ID!): Node\n}\n\ninterface Node {\n  id: ID!\n}\n`;
      default:
        return `openapi: 3.0.3\ninfo:\n  title: ${titleOf(a.name)}\n  version: 1.${rng.int(20)}.0\npaths:\n  /health:\n    get:\n      responses:\n        '200':\n          description: OK\n`;
    }
  };
  const apiDoc = (a: Api) => ({
    apiVersion: BACKSTAGE,
    kind: 'API',
    metadata: { name: a.name, description: `${titleOf(a.name)} (${a.type}), provided by ${(components[a.provider] as Comp).name}.`, tags: [a.type] },
    spec: { type: a.type, lifecycle: 'production', owner: owner(a.owner), system: (systems[a.system] as Sys).name, definition: definition(a) },
  });
  const resourceDoc = (r: Res) => ({
    apiVersion: BACKSTAGE,
    kind: 'Resource',
    metadata: { name: r.name, description: `${titleOf(r.name)} (${r.type}).` },
    spec: { type: r.type, owner: owner(r.owner), system: (systems[r.system] as Sys).name },
  });
  const groupDoc = (g: Team) => {
    const annotations: Record<string, string> = { 'switchboard.dev/slack-channel': `#${g.name}` };
    if (g.schedule) annotations['switchboard.dev/oncall-schedule'] = g.schedule;
    return {
      apiVersion: BACKSTAGE,
      kind: 'Group',
      metadata: { name: g.name, description: `${titleOf(g.name)} (${g.type}).`, annotations },
      spec: {
        type: g.type,
        profile: { displayName: titleOf(g.name), email: `${g.name}@${ORG}.example` },
        ...(g.parent ? { parent: g.parent } : {}),
        children: g.children,
        ...(g.members.length ? { members: g.members } : {}),
      },
    };
  };

  // Files.
  const entities: GeneratedEntity[] = [];
  let files = 0;
  type Descriptor = { kind: string; metadata: { name: string; [field: string]: unknown }; [field: string]: unknown };
  const write = (path: string, docs: Descriptor[]) => {
    if (docs.length === 0) return;
    const full = join(dir, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, docs.map((d) => dump(d)).join('---\n'));
    for (const d of docs) entities.push({ kind: d.kind, name: d.metadata.name });
    files++;
  };

  domainWords.forEach((word, d) => {
    const department = departments[d] as Team;
    write(join(domainNames[d] as string, 'domain.yaml'), [
      {
        apiVersion: BACKSTAGE,
        kind: 'Domain',
        metadata: { name: domainNames[d] as string, title: titleOf(word), description: `Everything ${titleOf(word)}.` },
        spec: { owner: owner(department.name) },
      },
    ]);
    const orgDocs = [...(d === 0 ? [root] : []), department, ...(teamsByDomain[d] as Team[])].map(groupDoc);
    write(join('org', domainNames[d] as string, 'groups.yaml'), orgDocs);
  });
  systems.forEach((system) => {
    const base = join(domainNames[system.domain] as string, system.name);
    const systemDoc = {
      apiVersion: BACKSTAGE,
      kind: 'System',
      metadata: {
        name: system.name,
        title: titleOf(system.name),
        description: `The ${titleOf(system.name)} system.`,
        annotations: { 'switchboard.dev/runbook': `https://runbooks.${ORG}.example/systems/${system.name}` },
      },
      spec: { owner: owner(system.owner), domain: domainNames[system.domain] as string },
    };
    const own = system.components.map((i) => components[i] as Comp);
    write(join(base, 'catalog-info.yaml'), [systemDoc, ...own.filter((c) => !c.single).map(componentDoc)]);
    write(join(base, 'apis.yaml'), [...system.apis.map((i) => apiDoc(apis[i] as Api)), ...system.resources.map((i) => resourceDoc(resources[i] as Res))]);
    for (const c of own) if (c.single) write(join(base, c.name, 'catalog-info.yaml'), [componentDoc(c)]);
  });
  for (let u = 0; u < users.length; u += 100) {
    const docs = users.slice(u, u + 100).map((user) => ({
      apiVersion: BACKSTAGE,
      kind: 'User',
      metadata: {
        name: user.name,
        ...(rng.chance(0.6)
          ? {
              annotations: {
                'switchboard.dev/slack-user-id': `U0${rng
                  .int(36 ** 8)
                  .toString(36)
                  .toUpperCase()
                  .padStart(8, '0')}`,
              },
            }
          : {}),
      },
      spec: {
        profile: { displayName: `${titleOf(user.first)} ${titleOf(user.last)}`, email: `${user.name}@${ORG}.example` },
        memberOf: user.memberOf,
      },
    }));
    write(join('org', 'users', `users-${String(u / 100 + 1).padStart(3, '0')}.yaml`), docs);
  }
  domainWords.forEach((_, d) => {
    const docs = schedules.filter((s) => s.domain === d).map(({ domain: _domain, ...doc }) => doc);
    write(join('oncall', `${domainNames[d]}.yaml`), docs);
  });

  if (entities.length !== opts.entities) throw new Error(`generator wrote ${entities.length} entities, expected ${opts.entities}`);
  return { files, entities, names: entities.filter((e) => e.kind !== 'Schedule').map((e) => e.name) };
}

// CLI entry: generate, then write the result as JSON for the caller.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [dir, entities, seed, out] = process.argv.slice(2);
  if (!dir || !entities || !out) {
    console.error('usage: generate-catalog.ts <dir> <entities> <seed> <result.json>');
    process.exit(2);
  }
  const result = generateCatalog(dir, { entities: Number(entities), seed: Number(seed ?? 42) });
  writeFileSync(out, JSON.stringify(result));
}
