/**
 * The catalog's reads on the request path (resolve, owners, relations, dependents, CODEOWNERS,
 * people), over the prepared statements. Rows come back plain; the query modules turn them into
 * answers.
 */
import type { CodeownersRuleRow, EntityRow } from './rows.js';
import type { Statements } from './statements.js';
import type { ChatPlatform } from '../queries/types.js';

const DEPENDENT_TYPES = ['dependencyOf', 'providesApi', 'apiConsumedBy'] as const;
const DEPENDENCY_TYPES = ['dependsOn', 'consumesApi', 'apiProvidedBy'] as const;
const MEMO_LIMIT = 20_000;

export function createReads(s: Statements) {
  // Answers derived from rows that many queries share (people, schedules), kept until the data changes:
  // data_version moves when another connection commits; our own ingest calls invalidate().
  let version = s.dataVersion.get() as number;
  const memo = new Map<string, unknown>();

  return {
    /** `compute()` once per key until the catalog changes. */
    cached<T>(key: string, compute: () => T): T {
      const now = s.dataVersion.get() as number;
      if (now !== version || memo.size > MEMO_LIMIT) {
        memo.clear();
        version = now;
      }
      if (memo.has(key)) return memo.get(key) as T;
      const value = compute();
      memo.set(key, value);
      return value;
    },
    invalidate: () => memo.clear(),
    entityByRef: (ref: string) => s.entityByRef.get(ref) as EntityRow | undefined,
    entityById: (id: number) => s.entityById.get(id) as EntityRow | undefined,
    entitiesByTerm: (term: string) => s.entitiesByTerm.all(term) as (EntityRow & { field: string })[],
    refsByPrefix: (prefix: string, limit: number) =>
      s.refsByPrefix.all(prefix, prefix + '\uffff', limit) as { ref: string; name: string; title: string | null }[],
    idsByTermPrefix: (prefix: string, limit: number) => (s.termsByPrefix.all(prefix, prefix + '\uffff', limit) as { id: number }[]).map((r) => r.id),
    idsByNameKeys: (keys: number[], limit: number) => (s.idsByNameKeys.all(JSON.stringify(keys), limit) as { id: number }[]).map((r) => r.id),
    trigramDocCount: (trigram: string) => (s.trigramDocCounts.get(trigram) as { doc: number } | undefined)?.doc ?? 0,
    searchIds: (match: string, limit: number) => (s.searchMatch.all(match, limit) as { id: number }[]).map((r) => r.id),
    searchRow: (id: number) => s.searchRow.get(id) as { name: string; title: string; aliases: string; tags: string } | undefined,
    relationTargets: (ref: string, type: string) => (s.relationTargets.all(ref, type) as { ref: string }[]).map((r) => r.ref),
    relationTargetsOfKind: (ref: string, type: string, kind: string) =>
      (s.relationTargetsOfKind.all(ref, type, `${kind}:`, `${kind};`) as { ref: string }[]).map((r) => r.ref),
    countRelationTargets: (ref: string, type: string) => (s.countRelationTargets.get(ref, type) as { n: number }).n,
    /** Entities that depend on `ref`, directly or through APIs, up to `depth` hops (capped at `limit`). */
    dependents: (ref: string, depth: number, limit: number) =>
      s.transitive.all(ref, ...DEPENDENT_TYPES, depth, limit) as { ref: string; depth: number; via: string }[],
    dependencies: (ref: string, depth: number, limit: number) =>
      s.transitive.all(ref, ...DEPENDENCY_TYPES, depth, limit) as { ref: string; depth: number; via: string }[],
    /** Transitive dependents, counted up to `cap`: `{ count, capped }` where capped means "or more". */
    countDependents(ref: string, cap: number): { count: number; capped: boolean } {
      // The walk passes through APIs, which are not counted, so reaching cap + 1 entities may take more
      // rows than that. A first walk of 4/3 of it settles most capped answers (APIs are about a fifth of
      // a walk) at two thirds of the cost of the full bound; only a walk that ended short of cap + 1
      // entities at its limit is walked again, as far as the full bound.
      const bound = 2 * cap + 2;
      const first = Math.min(bound, Math.ceil(((cap + 2) * 4) / 3));
      let { n, walked } = s.countTransitive.get(ref, ...DEPENDENT_TYPES, first) as { n: number; walked: number };
      if (n <= cap && walked >= first && first < bound)
        ({ n, walked } = s.countTransitive.get(ref, ...DEPENDENT_TYPES, bound) as { n: number; walked: number });
      return { count: Math.min(n, cap), capped: n > cap || walked >= bound };
    },
    hasCodeowners: (repoRoot: string) => s.codeownersRoot.get(repoRoot) !== undefined,
    codeownersRules: (repoRoot: string) => s.codeownersRules.all(repoRoot) as CodeownersRuleRow[],
    userRefByEmail: (email: string) => (s.userByEmail.get(email.toLowerCase()) as { ref: string } | undefined)?.ref,
    /** Refs of every User whose spec.profile.email is this address (case-insensitive). */
    usersByEmail: (email: string) => (s.usersByEmail.all(email.trim().toLowerCase()) as { ref: string }[]).map((r) => r.ref),
    /** Refs of every User whose annotation for the platform (CHAT_ID_ANNOTATIONS) names this id; Entra ids are GUIDs, compared without case. */
    usersByChatId: (platform: ChatPlatform, id: string) =>
      ((platform === 'slack' ? s.usersBySlackId.all(id.trim()) : s.usersByTeamsId.all(id.trim().toLowerCase())) as { ref: string }[]).map((r) => r.ref),
    stats: () => ({
      entities: (s.entityCount.get() as { n: number }).n,
      stale: (s.staleCount.get() as { n: number }).n,
      lastIngestAt: (s.lastIngest.get() as { at: number | null }).at,
    }),
  };
}
