/** The three answers the chat and the CLI give: who owns it, where is its runbook, what depends on it. */
import type { CatalogRepo } from '../store/repo.js';
import { canonicalRef } from '../ref.js';
import { candidateSummaries, freshnessOf, linksOf, membersOf, onCallFor, ownerOf, ownersOnCallFor, personOf, runbookOf, summarize } from './facts.js';
import { withClaims } from './identity.js';
import { resolveEntity } from './resolve.js';
import type { DepNode, DepsAnswer, Responsible, RunbookAnswer, WhoOwnsAnswer } from './types.js';

/**
 * Transitive dependents are counted up to this many; beyond it the answer says "10000+". The ownership
 * card stops at a smaller number: it answers in milliseconds at 100k entities, and "100+ dependents"
 * tells an incident responder what "4,312" would. `deps` gives the full count.
 */
export const BLAST_RADIUS_CAP = 10_000;
export const CARD_BLAST_RADIUS_CAP = 100;
/** Nodes listed per direction in `deps`; the count says how many more there are. */
const DEPS_LIST_LIMIT = 500;

export function whoOwns(repo: CatalogRepo, query: string, at: Date = new Date()): WhoOwnsAnswer {
  const resolution = resolveEntity(repo, query);
  if (resolution.status !== 'found') {
    return {
      query,
      status: resolution.status,
      entity: null,
      owner: null,
      onCall: [],
      runbook: null,
      links: [],
      dependencies: null,
      freshness: null,
      candidates: candidateSummaries(resolution.candidates),
    };
  }
  const row = resolution.entity;
  const owner = ownerOf(repo, row);
  const radius = repo.countDependents(row.ref, CARD_BLAST_RADIUS_CAP);
  return {
    query,
    status: 'found',
    entity: summarize(row),
    owner,
    onCall: onCallFor(repo, row, owner, at),
    runbook: runbookOf(row),
    links: linksOf(row),
    dependencies: {
      dependsOn: repo.countRelationTargets(row.ref, 'dependsOn') + repo.countRelationTargets(row.ref, 'consumesApi'),
      dependents: repo.countRelationTargets(row.ref, 'dependencyOf'),
      blastRadius: radius.count,
      blastRadiusCapped: radius.capped,
    },
    freshness: freshnessOf(row),
    candidates: [],
  };
}

/**
 * Who answers for the entity with exactly this ref (a bare name is a Component), for approvals; null
 * when there is none. People carry `sharedWith` when another User claims their chat account.
 */
export function responsible(repo: CatalogRepo, ref: string, at: Date = new Date()): Responsible | null {
  let exact: string;
  try {
    exact = canonicalRef(ref, { defaultKind: 'component' });
  } catch {
    return null;
  }
  const row = repo.entityByRef(exact);
  if (!row) return null;
  const owner = ownerOf(repo, row);
  const isGroup = owner?.kind === 'group' && owner.resolved;
  const ownerPerson = owner && owner.kind === 'user' ? withClaims(repo, personOf(repo, owner.ref)) : null;
  return {
    entity: summarize(row),
    owner: owner && {
      ref: owner.ref,
      kind: owner.kind,
      resolved: owner.resolved,
      displayName: owner.displayName,
      email: ownerPerson ? ownerPerson.email : owner.email,
      chatIds: ownerPerson?.chatIds ?? {},
      ...(ownerPerson?.sharedWith && { sharedWith: ownerPerson.sharedWith }),
    },
    members: isGroup ? membersOf(repo, owner.ref).map((p) => withClaims(repo, p)) : [],
    onCall: ownersOnCallFor(repo, row, owner, at),
  };
}

export function runbook(repo: CatalogRepo, query: string, at: Date = new Date()): RunbookAnswer {
  const resolution = resolveEntity(repo, query);
  if (resolution.status !== 'found') {
    return {
      query,
      status: resolution.status,
      entity: null,
      runbook: null,
      links: [],
      owner: null,
      onCall: [],
      freshness: null,
      candidates: candidateSummaries(resolution.candidates),
    };
  }
  const row = resolution.entity;
  const owner = ownerOf(repo, row);
  return {
    query,
    status: 'found',
    entity: summarize(row),
    runbook: runbookOf(row),
    links: linksOf(row).filter((l) => l.type !== 'other'),
    owner,
    onCall: onCallFor(repo, row, owner, at),
    freshness: freshnessOf(row),
    candidates: [],
  };
}

export function deps(repo: CatalogRepo, query: string, depth = 1): DepsAnswer {
  const resolution = resolveEntity(repo, query);
  const hops = Math.max(1, Math.min(Math.floor(depth), 10));
  if (resolution.status !== 'found') {
    return {
      query,
      status: resolution.status,
      entity: null,
      depth: hops,
      dependsOn: [],
      dependents: [],
      truncated: false,
      blastRadius: 0,
      blastRadiusCapped: false,
      freshness: null,
      candidates: candidateSummaries(resolution.candidates),
    };
  }
  const row = resolution.entity;
  const toNode = (n: { ref: string; depth: number; via: string }): DepNode => {
    const target = repo.entityByRef(n.ref);
    return {
      ref: n.ref,
      kind: target?.kind ?? n.ref.slice(0, n.ref.indexOf(':')),
      name: target?.name ?? n.ref.slice(n.ref.indexOf('/') + 1),
      title: target?.title ?? null,
      depth: n.depth,
      viaApi: n.via === 'apiConsumedBy' || n.via === 'apiProvidedBy',
      resolved: target !== undefined,
    };
  };
  const up = repo.dependencies(row.ref, hops, DEPS_LIST_LIMIT + 1);
  const down = repo.dependents(row.ref, hops, DEPS_LIST_LIMIT + 1);
  const radius = repo.countDependents(row.ref, BLAST_RADIUS_CAP);
  return {
    query,
    status: 'found',
    entity: summarize(row),
    depth: hops,
    dependsOn: up.slice(0, DEPS_LIST_LIMIT).map(toNode),
    dependents: down.slice(0, DEPS_LIST_LIMIT).map(toNode),
    truncated: up.length > DEPS_LIST_LIMIT || down.length > DEPS_LIST_LIMIT,
    blastRadius: radius.count,
    blastRadiusCapped: radius.capped,
    freshness: freshnessOf(row),
    candidates: [],
  };
}
