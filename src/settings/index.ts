/**
 * The config file (`switchboard.yaml`, or the path in SWITCHBOARD_CONFIG), read once at start-up and
 * passed down. An absent default file means no config: every source the operator lists, and whatever its
 * Locations reach, is trusted as before. Every error names the file, the key and the line.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { ANY_KIND, DEFAULT_GLOBAL_KINDS, kindRule, unionRules, type IngestOptions, type IngestRoot, type KindRule } from '../catalog/index.js';
import { ConfigError } from '../config.js';
import { canonicalRef } from '../catalog/ref.js';
import { settingsSchema } from './schema.js';
import { type AttestationSettings, attestationSettings } from './attestation.js';
import { type DigestSettings, digestSettings } from './digest.js';

export type { AttestationSettings } from './attestation.js';
export type { DigestSettings } from './digest.js';

export const DEFAULT_SETTINGS_FILE = './switchboard.yaml';

export interface Settings {
  /** Absolute path of the file read, or null when there is none. */
  file: string | null;
  catalog: {
    /** Kinds a source reached through a Location may define. */
    globalRule: KindRule;
    /** `catalog.locations`, resolved against the config file's folder, each with its rule. */
    locations: IngestRoot[];
    /** What the Backstage source (BACKSTAGE_URL) may define: `catalog.backstage.rules`, else any kind. */
    backstageRule: KindRule;
    fetchAllow: string[];
    limits: NonNullable<IngestOptions['limits']>;
  };
  /** `oncall`: teams whose Slack user group follows their on-call, and how often the schedule runs. */
  oncall: { userGroups: { team: string; handle: string }[]; syncEveryMinutes: number; pageByServiceId: boolean };
  /** `attestation`: "Still yours?" rounds; null when the file has no such section (no team is asked). */
  attestation: AttestationSettings | null;
  /** `digest`: the weekly digest; null when the file has no such section (nothing is posted). */
  digest: DigestSettings | null;
}

const NO_ONCALL: Settings['oncall'] = { userGroups: [], syncEveryMinutes: 60, pageByServiceId: true };

export const NO_SETTINGS: Settings = {
  file: null,
  catalog: { globalRule: ANY_KIND, locations: [], backstageRule: ANY_KIND, fetchAllow: [], limits: {} },
  oncall: NO_ONCALL,
  attestation: null,
  digest: null,
};

/** `explicit`: the path came from SWITCHBOARD_CONFIG, so a missing file is an error, not "no config". */
export function loadSettings(path: string = DEFAULT_SETTINGS_FILE, explicit = false): Settings {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) return NO_SETTINGS;
    throw new ConfigError([`SWITCHBOARD_CONFIG: cannot read ${file}: ${(err as Error).message}`]);
  }
  return parseSettings(text, file);
}

export function parseSettings(text: string, file: string): Settings {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => `${file}:${lines.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`));
  }
  const parsed = settingsSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        // An unknown key is named itself, on its own line, not as a fault of the mapping holding it.
        const path = i.code === 'unrecognized_keys' ? [...i.path, i.keys[0] ?? ''] : i.path;
        const key = path.map(String).join('.') || '(top level)';
        const message = i.code === 'unrecognized_keys' ? 'is not a known setting' : i.message;
        return `${file}:${lineOf(doc.contents, path, lines)}: ${key}: ${message}`;
      }),
    );
  }
  const catalog = parsed.data.catalog;
  const on = parsed.data.oncall;
  const oncall: Settings['oncall'] = {
    userGroups: Object.entries(on?.userGroups ?? {}).map(([team, handle]) => ({ team: canonicalRef(team, { defaultKind: 'group' }), handle })),
    syncEveryMinutes: on?.syncEveryMinutes ?? NO_ONCALL.syncEveryMinutes,
    pageByServiceId: on?.pageByServiceId ?? NO_ONCALL.pageByServiceId,
  };
  const attestation = attestationSettings(parsed.data.attestation);
  const digest = digestSettings(parsed.data.digest);
  if (!catalog)
    return { ...NO_SETTINGS, file, catalog: { ...NO_SETTINGS.catalog, globalRule: kindRule([...DEFAULT_GLOBAL_KINDS]) }, oncall, attestation, digest };
  const globalRule = kindRule(catalog.rules ? catalog.rules.flatMap((r) => r.allow) : [...DEFAULT_GLOBAL_KINDS]);
  const base = dirname(file);
  return {
    file,
    catalog: {
      globalRule,
      locations: (catalog.locations ?? []).map((loc): IngestRoot => ({
        target: loc.type === 'file' ? resolve(base, loc.target) : loc.target,
        // A location the operator lists with no rules is trusted like SWITCHBOARD_CATALOG: any kind.
        rule: loc.rules ? unionRules(globalRule, kindRule(loc.rules.flatMap((r) => r.allow))) : ANY_KIND,
        // A git repository is cloned and fetched (src/catalog/sources/git.ts), then read like a folder.
        ...(loc.type === 'git' ? { source: { type: 'git' as const, ...(loc.branch ? { branch: loc.branch } : {}) } } : {}),
      })),
      // Like a listed location: trusted with any kind unless the operator narrows it.
      backstageRule: catalog.backstage?.rules ? kindRule(catalog.backstage.rules.flatMap((r) => r.allow)) : ANY_KIND,
      fetchAllow: catalog.fetch?.allow ?? [],
      limits: catalog.limits ?? {},
    },
    oncall,
    attestation,
    digest,
  };
}

/** What every ingest of this process uses: rules, the fetch allow-list and limits. */
export function ingestDefaults(settings: Settings): IngestOptions {
  const { globalRule, fetchAllow, limits } = settings.catalog;
  return { globalRule, fetchAllow, limits };
}

/** The line of the deepest node on `path` that exists (the parent of a missing key). */
function lineOf(root: unknown, path: PropertyKey[], lines: LineCounter): number {
  let node = root as Node | null | undefined;
  let offset = node?.range?.[0] ?? 0;
  for (const key of path) {
    let child: unknown;
    if (isMap(node)) child = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key)?.value;
    else if (isSeq(node) && typeof key === 'number') child = node.items[key];
    if (!child || typeof child !== 'object' || !('range' in child)) break;
    node = child as Node;
    offset = node.range?.[0] ?? offset;
  }
  return lines.linePos(offset).line;
}
