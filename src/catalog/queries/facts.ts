/** The facts an answer is made of, each read from the store by index: owner, people, on-call, links. */
import { dirname, isAbsolute, relative, sep } from 'node:path';
import { ANNOTATIONS, CHAT_ID_ANNOTATIONS, type Entity, LINK_TYPES } from '../entity.js';
import { normalizeOwner, ownersForPath } from '../ingest/codeowners.js';
import { onCallAt, scheduleSpecSchema } from '../oncall.js';
import { canonicalRef } from '../ref.js';
import type { CatalogRepo, EntityRow } from '../store/repo.js';
import {
  CHAT_PLATFORMS,
  type CandidateSummary,
  type ChatIds,
  type EntitySummary,
  type Freshness,
  type Link,
  type OnCall,
  type Owner,
  type Person,
} from './types.js';
import type { Candidate } from './resolve.js';

// One answer reads the same descriptor several times (summary, links, runbook, schedule): parse it once.
const parsed = new WeakMap<EntityRow, Entity>();
export function bodyOf(row: EntityRow): Entity {
  let body = parsed.get(row);
  if (!body) {
    body = JSON.parse(row.body) as Entity;
    parsed.set(row, body);
  }
  return body;
}

export function summarize(row: EntityRow): EntitySummary {
  const body = bodyOf(row);
  return {
    ref: row.ref,
    kind: row.kind,
    name: row.name,
    title: row.title,
    description: body.metadata.description ?? null,
    type: row.specType,
    lifecycle: row.lifecycle,
    system: row.kind.toLowerCase() === 'system' || row.kind.toLowerCase() === 'domain' ? null : row.parentRef,
    stale: row.stale === 1,
  };
}

export function candidateSummaries(candidates: Candidate[]): CandidateSummary[] {
  return candidates.map(({ entity, score }) => ({ ref: entity.ref, kind: entity.kind, name: entity.name, title: entity.title, score }));
}

/**
 * Paths inside the working directory are shown relative to it; URLs and other paths as stored; a
 * Backstage origin (`url:https://…`) as its URL, other Backstage location types (`file:…`) as written.
 */
export function displayLocation(location: string): string {
  if (/^url:/i.test(location)) return location.slice(4);
  if (/^[a-z][a-z0-9+.-]+:/i.test(location)) return location;
  const rel = relative(process.cwd(), location);
  return rel && !rel.startsWith('..') ? rel.split(sep).join('/') : location;
}

export function freshnessOf(row: EntityRow): Freshness {
  return {
    ingestedAt: new Date(row.ingestedAt).toISOString(),
    source: displayLocation(row.sourceLocation),
    line: row.line,
    stale: row.stale === 1,
  };
}

function annotationOf(body: Entity, key: string): string | null {
  const v = body.metadata.annotations?.[key]?.trim();
  return v ? v : null;
}

/** A User's chat ids from its annotations, one per platform that has one. */
function chatIdsOf(body: Entity): ChatIds {
  const ids: ChatIds = {};
  for (const platform of CHAT_PLATFORMS) {
    const id = annotationOf(body, CHAT_ID_ANNOTATIONS[platform])?.trim();
    if (id) ids[platform] = id;
  }
  return ids;
}

export function personOf(repo: CatalogRepo, ref: string): Person {
  return repo.cached(`person:${ref}`, () => readPerson(repo, ref));
}

function readPerson(repo: CatalogRepo, ref: string): Person {
  const row = repo.entityByRef(ref);
  if (!row) return { ref, displayName: ref.replace(/^user:(default\/)?/, ''), email: null, chatIds: {} };
  const body = bodyOf(row);
  const profile = (body.spec?.profile ?? {}) as { displayName?: string; email?: string };
  return {
    ref,
    displayName: profile.displayName ?? row.title ?? row.name,
    email: profile.email ?? null,
    chatIds: chatIdsOf(body),
  };
}

/** Every member of a group (hasMember, from spec.members and from Users' spec.memberOf), uncapped. */
export function membersOf(repo: CatalogRepo, groupRef: string): Person[] {
  return repo.relationTargets(groupRef, 'hasMember').map((m) => personOf(repo, m));
}

/** Members listed in an answer; `memberCount` says how many there are in all. */
const MAX_MEMBERS = 50;

/**
 * The owner of an entity: spec.owner; else its system's, then that system's domain's (inherited);
 * else the CODEOWNERS rule matching the descriptor's path in its repository. A group answers for itself.
 */
export function ownerOf(repo: CatalogRepo, row: EntityRow): Owner | null {
  const found = findOwnerRef(repo, row);
  if (!found) return null;
  // Everything a team owns shares its owner card: read it once per catalog version.
  const details = repo.cached(`owner:${found.ref}`, () => ownerDetails(repo, found.ref));
  return { ref: found.ref, inherited: found.via !== 'spec' && found.via !== 'self', via: found.via, ...details };
}

function ownerDetails(repo: CatalogRepo, ref: string): Omit<Owner, 'ref' | 'inherited' | 'via'> {
  const kind = ref.slice(0, ref.indexOf(':'));
  const ownerRow = repo.entityByRef(ref);
  if (!ownerRow) {
    return { kind, resolved: false, displayName: ref.replace(/^\w+:(default\/)?/, ''), email: null, slackChannel: null, members: [], memberCount: 0 };
  }
  const body = bodyOf(ownerRow);
  const profile = (body.spec?.profile ?? {}) as { displayName?: string; email?: string };
  const memberRefs = kind === 'group' ? repo.relationTargets(ref, 'hasMember') : [];
  return {
    kind,
    resolved: true,
    displayName: profile.displayName ?? ownerRow.title ?? ownerRow.name,
    email: profile.email ?? null,
    slackChannel: annotationOf(body, ANNOTATIONS.slackChannel),
    members: memberRefs.slice(0, MAX_MEMBERS).map((m) => personOf(repo, m)),
    memberCount: memberRefs.length,
  };
}

function findOwnerRef(repo: CatalogRepo, row: EntityRow): { ref: string; via: Owner['via'] } | null {
  if (row.ownerRef) return { ref: row.ownerRef, via: 'spec' };
  if (row.kind.toLowerCase() === 'group') return { ref: row.ref, via: 'self' };
  // Walk up spec.system → spec.domain → spec.subdomainOf; the visited set stops a cycle.
  const visited = new Set([row.ref]);
  let parentRef = row.parentRef;
  while (parentRef && !visited.has(parentRef)) {
    visited.add(parentRef);
    const parent = repo.entityByRef(parentRef);
    if (!parent) break;
    if (parent.ownerRef) return { ref: parent.ownerRef, via: parent.kind.toLowerCase() === 'domain' ? 'domain' : 'system' };
    parentRef = parent.parentRef;
  }
  const fromCodeowners = codeownersOwner(repo, row);
  return fromCodeowners ? { ref: fromCodeowners, via: 'codeowners' } : null;
}

/** The first owner of the CODEOWNERS rule matching the descriptor's path in the nearest repository. */
function codeownersOwner(repo: CatalogRepo, row: EntityRow): string | null {
  if (!isAbsolute(row.sourceLocation)) return null;
  for (let dir = dirname(row.sourceLocation); ; dir = dirname(dir)) {
    if (repo.hasCodeowners(dir)) {
      const rules = repo.codeownersRules(dir).map((r) => ({
        pattern: r.pattern,
        owners: JSON.parse(r.owners) as string[],
        line: r.line,
        section: r.section,
      }));
      const path = relative(dir, row.sourceLocation).split(sep).join('/');
      const match = ownersForPath(rules, path);
      for (const token of match?.owners ?? []) {
        const owner = normalizeOwner(token);
        if (!owner) continue;
        if (owner.kind === 'email') return repo.userRefByEmail(owner.name) ?? `user:default/${owner.name.split('@')[0]}`;
        return canonicalRef(owner.name, { defaultKind: owner.kind, defaultNamespace: row.namespace });
      }
      return null;
    }
    if (dirname(dir) === dir) return null;
  }
}

/**
 * Who is on call for an entity at `at`: the schedule named on the entity, else on its owner group,
 * else the schedules its owner owns.
 */
export function onCallFor(repo: CatalogRepo, row: EntityRow, owner: Owner | null, at: Date): OnCall[] {
  return shiftsOf(repo, schedulesFor(repo, row, owner), at);
}

/**
 * The on-call with authority over an entity (break-glass): the schedules `onCallFor` reads, keeping
 * only those whose spec.owner is the entity's owner. A schedule of another team that a descriptor
 * points at still shows on the card, but makes nobody on call for this entity's owner.
 */
export function ownersOnCallFor(repo: CatalogRepo, row: EntityRow, owner: Owner | null, at: Date): OnCall[] {
  if (!owner) return [];
  const owned = schedulesFor(repo, row, owner).filter((ref) => repo.entityByRef(ref)?.ownerRef === owner.ref);
  return shiftsOf(repo, owned, at);
}

function shiftsOf(repo: CatalogRepo, scheduleRefs: string[], at: Date): OnCall[] {
  const out: OnCall[] = [];
  for (const ref of scheduleRefs) {
    const schedule = repo.cached(`schedule:${ref}`, () => {
      const row = repo.entityByRef(ref);
      const spec = row && scheduleSpecSchema.safeParse(bodyOf(row).spec);
      return row && spec?.success ? { namespace: row.namespace, spec: spec.data, window: undefined as ShiftWindow | undefined } : null;
    });
    if (!schedule) continue;
    // Who is on call changes only at a handoff: reuse the answer while `at` stays inside every shift.
    const t = at.getTime();
    if (!schedule.window || t < schedule.window.from || t >= schedule.window.until) {
      schedule.window = shiftWindow(onCallAt(schedule.spec, at), schedule.spec.rotations.length);
    }
    for (const shift of schedule.window.shifts) {
      const userRef = canonicalRef(shift.user, { defaultKind: 'user', defaultNamespace: schedule.namespace });
      const person = personOf(repo, userRef);
      out.push({
        user: userRef,
        displayName: person.displayName,
        email: person.email,
        chatIds: person.chatIds,
        rotation: shift.rotation,
        from: shift.from.toISOString(),
        until: shift.until ? shift.until.toISOString() : null,
        override: shift.override,
        source: ref,
      });
    }
  }
  return out;
}

interface ShiftWindow {
  from: number;
  until: number;
  shifts: ReturnType<typeof onCallAt>;
}

/**
 * The span in which these shifts all hold. Reused only when every rotation has someone with a known
 * handoff: a rotation with nobody now could start inside the span.
 */
function shiftWindow(shifts: ReturnType<typeof onCallAt>, rotations: number): ShiftWindow {
  const reusable = shifts.length === rotations && shifts.every((s) => s.until !== null);
  return {
    from: reusable ? Math.max(...shifts.map((s) => s.from.getTime())) : Infinity,
    until: reusable ? Math.min(...shifts.map((s) => (s.until as Date).getTime())) : -Infinity,
    shifts,
  };
}

function schedulesFor(repo: CatalogRepo, row: EntityRow, owner: Owner | null): string[] {
  const named = (r: EntityRow) => {
    const v = annotationOf(bodyOf(r), ANNOTATIONS.oncallSchedule);
    if (!v) return [];
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .flatMap((s) => {
        try {
          return [canonicalRef(s, { defaultKind: 'schedule', defaultNamespace: r.namespace })];
        } catch {
          return [];
        }
      });
  };
  const own = named(row);
  if (own.length) return own;
  if (!owner) return [];
  return repo.cached(`owner-schedules:${owner.ref}`, () => {
    const ownerRow = owner.ref === row.ref ? row : repo.entityByRef(owner.ref);
    const ownersNamed = ownerRow ? named(ownerRow) : [];
    if (ownersNamed.length) return ownersNamed;
    // Schedules that name the owner, even when the owner itself is not in the catalog.
    return repo.relationTargetsOfKind(owner.ref, 'ownerOf', 'schedule');
  });
}

const LINK_TYPE_HINTS: [RegExp, Link['type']][] = [
  [/runbook|playbook/i, 'runbook'],
  [/dashboard|grafana|datadog|metrics|monitor/i, 'dashboard'],
  [/repo|source|github|gitlab|bitbucket/i, 'repo'],
  [/doc|wiki|readme|confluence|handbook/i, 'docs'],
];

function linkType(link: { url: string; title?: string; icon?: string; type?: string }): Link['type'] {
  const declared = link.type?.toLowerCase();
  if (declared && (LINK_TYPES as readonly string[]).includes(declared)) return declared as Link['type'];
  const text = `${link.type ?? ''} ${link.title ?? ''} ${link.icon ?? ''}`;
  for (const [pattern, type] of LINK_TYPE_HINTS) if (pattern.test(text)) return type;
  for (const [pattern, type] of LINK_TYPE_HINTS) if (pattern.test(link.url)) return type;
  return 'other';
}

export function linksOf(row: EntityRow): Link[] {
  const body = bodyOf(row);
  const links: Link[] = (body.metadata.links ?? []).map((l) => ({ url: l.url, title: l.title ?? l.url, type: linkType(l) }));
  const runbook = annotationOf(body, ANNOTATIONS.runbook);
  if (runbook && !links.some((l) => l.url === runbook)) links.unshift({ url: runbook, title: 'Runbook', type: 'runbook' });
  // Backstage records where a descriptor lives as `url:<address>`; it is the repository link people want.
  const source = annotationOf(body, 'backstage.io/source-location') ?? annotationOf(body, 'backstage.io/managed-by-location');
  const sourceUrl = source?.replace(/^url:/, '');
  if (sourceUrl && /^https?:/i.test(sourceUrl) && !links.some((l) => l.type === 'repo')) {
    links.push({ url: sourceUrl, title: 'Source', type: 'repo' });
  }
  return links;
}

/** The runbook: the annotation, else a link of type runbook, else a link whose title says runbook. */
export function runbookOf(row: EntityRow): { url: string; title: string } | null {
  const body = bodyOf(row);
  const annotated = annotationOf(body, ANNOTATIONS.runbook);
  if (annotated) return { url: annotated, title: 'Runbook' };
  const links = body.metadata.links ?? [];
  const typed = links.find((l) => l.type?.toLowerCase() === 'runbook');
  const titled = links.find((l) => /runbook/i.test(l.title ?? ''));
  const link = typed ?? titled;
  return link ? { url: link.url, title: link.title ?? 'Runbook' } : null;
}
