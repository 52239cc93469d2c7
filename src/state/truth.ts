/**
 * What keeps the catalog true, in the shared state: owners' answers to "Still yours?", the asks that
 * were sent, the weekly digest's posts, and the questions people asked (the catalog's gaps). Like BotState, two stores implement
 * it: the SQLite file (openTruth here) and PostgreSQL (openPgTruth in ./truth-postgres.ts).
 */
import { and, desc, eq, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import { openDb } from '../db/open.js';
import { attestationAsks, attestations, digestPosts, questions } from './schema.js';

export type Verdict = 'confirmed' | 'disowned';

export interface Attestation {
  entityRef: string;
  /** The owner the team confirmed or disowned. */
  ownerRef: string;
  verdict: Verdict;
  /** Who answered: a catalog user ref where known, else a chat account (`slack:U123`). */
  byRef: string;
  byName: string | null;
  /** Epoch ms. */
  at: number;
  /** Not ours: the team named instead. */
  proposedOwner: string | null;
  /** Not ours: the change opened (pull request or branch URL); null while it is a pending claim. */
  change: string | null;
}

export interface AttestationAsk {
  /** The round, e.g. `2026-Q4`. */
  round: string;
  teamRef: string;
  entities: string[];
  /** Where the ask was posted (message refs). */
  messages: string[];
  askedAt: number;
  remindedAt: number | null;
}

/** One channel's weekly digest: claimed before it is posted, `message` set once it was. */
export interface DigestPost {
  /** The channel: `slack:C0123ABCD`, `teams:19:…@thread.tacv2`. */
  channel: string;
  /** The posted message's ref; null while claimed and not (yet) posted. */
  message: string | null;
}

export type QuestionStatus = 'found' | 'ambiguous' | 'not_found';

export interface Question {
  query: string;
  status: QuestionStatus;
  entityRef: string | null;
  platform: string;
  /** Epoch ms; default now. */
  at?: number;
}

export interface QuestionCount {
  query: string;
  status: QuestionStatus;
  entityRef: string | null;
  count: number;
  /** Epoch ms of the latest. */
  lastAt: number;
}

export interface QuestionFilter {
  /** Epoch ms: only questions asked at or after it. */
  since: number;
  status?: QuestionStatus;
  /** Only questions answered about these entities. */
  entityRefs?: string[];
  /** Most asked first; default 50. */
  limit?: number;
}

export interface CatalogTruth {
  /** Records an answer; it replaces the entity's previous one. */
  recordAttestation(a: Attestation): Promise<void>;
  /** The latest answers for these entities (those never answered are absent). */
  attestations(entityRefs: string[]): Promise<Map<string, Attestation>>;
  /** Sets the change a disowning answer opened (its pending claim becomes a change). */
  settleClaim(entityRef: string, change: string): Promise<void>;
  /** Records an ask; false (and nothing written) when this team was already asked in this round. */
  recordAsk(ask: Omit<AttestationAsk, 'remindedAt'>): Promise<boolean>;
  ask(round: string, teamRef: string): Promise<AttestationAsk | undefined>;
  /** Sets where an ask was posted, once posted (it is recorded first, so a retried post is not a second ask). */
  setAskMessages(round: string, teamRef: string, messages: string[]): Promise<void>;
  asks(round: string): Promise<AttestationAsk[]>;
  /** Marks an ask reminded; false when it already was (a reminder goes once). */
  markReminded(round: string, teamRef: string, at?: number): Promise<boolean>;
  /**
   * Claims the team's digest of this week (`2026-W49`) in one channel: true the first time, and the
   * caller then posts; false when it was claimed before (posted, or being posted by an earlier attempt).
   */
  claimDigestPost(teamRef: string, week: string, channel: string, at?: number): Promise<boolean>;
  /** Records the posted message, or releases the claim (message null) when posting failed. */
  settleDigestPost(teamRef: string, week: string, channel: string, message: string | null): Promise<void>;
  /** The team's digest posts of this week, by channel. */
  digestPosts(teamRef: string, week: string): Promise<DigestPost[]>;
  recordQuestion(q: Question): Promise<void>;
  /** Questions grouped by (query, status, entity), most asked first. */
  questionCounts(filter: QuestionFilter): Promise<QuestionCount[]>;
  /** Forgets questions older than `maxAgeMs`. */
  pruneQuestions(maxAgeMs: number): Promise<number>;
}

export const normaliseQuery = (q: string) => q.trim().replace(/\s+/g, ' ').toLowerCase().slice(0, 200);

export const attestationOf = (r: typeof attestations.$inferSelect): Attestation => ({
  ...r,
  verdict: r.verdict as Verdict,
});

export const askOf = (r: typeof attestationAsks.$inferSelect): AttestationAsk => ({
  round: r.round,
  teamRef: r.teamRef,
  entities: JSON.parse(r.entities) as string[],
  messages: JSON.parse(r.messages) as string[],
  askedAt: r.askedAt,
  remindedAt: r.remindedAt,
});

export function openTruth(file: string, now: () => number = Date.now): CatalogTruth & { close(): void } {
  const { sqlite, orm } = openDb(file);
  return {
    async recordAttestation(a) {
      orm.insert(attestations).values(a).onConflictDoUpdate({ target: attestations.entityRef, set: a }).run();
    },
    async attestations(refs) {
      if (refs.length === 0) return new Map();
      const rows = orm.select().from(attestations).where(inArray(attestations.entityRef, refs)).all();
      return new Map(rows.map((r) => [r.entityRef, attestationOf(r)]));
    },
    async settleClaim(entityRef, change) {
      orm.update(attestations).set({ change }).where(eq(attestations.entityRef, entityRef)).run();
    },
    async recordAsk(ask) {
      const row = { ...ask, entities: JSON.stringify(ask.entities), messages: JSON.stringify(ask.messages) };
      return orm.insert(attestationAsks).values(row).onConflictDoNothing().run().changes === 1;
    },
    async ask(round, teamRef) {
      const row = orm
        .select()
        .from(attestationAsks)
        .where(and(eq(attestationAsks.round, round), eq(attestationAsks.teamRef, teamRef)))
        .get();
      return row && askOf(row);
    },
    async setAskMessages(round, teamRef, messages) {
      orm
        .update(attestationAsks)
        .set({ messages: JSON.stringify(messages) })
        .where(and(eq(attestationAsks.round, round), eq(attestationAsks.teamRef, teamRef)))
        .run();
    },
    async asks(round) {
      return orm.select().from(attestationAsks).where(eq(attestationAsks.round, round)).all().map(askOf);
    },
    async markReminded(round, teamRef, at = now()) {
      return (
        orm
          .update(attestationAsks)
          .set({ remindedAt: at })
          .where(and(eq(attestationAsks.round, round), eq(attestationAsks.teamRef, teamRef), isNull(attestationAsks.remindedAt)))
          .run().changes === 1
      );
    },
    async claimDigestPost(teamRef, week, channel, at = now()) {
      return orm.insert(digestPosts).values({ teamRef, week, channel, claimedAt: at }).onConflictDoNothing().run().changes === 1;
    },
    async settleDigestPost(teamRef, week, channel, message) {
      const row = and(eq(digestPosts.teamRef, teamRef), eq(digestPosts.week, week), eq(digestPosts.channel, channel));
      if (message === null) orm.delete(digestPosts).where(row).run();
      else orm.update(digestPosts).set({ message }).where(row).run();
    },
    async digestPosts(teamRef, week) {
      return orm
        .select({ channel: digestPosts.channel, message: digestPosts.message })
        .from(digestPosts)
        .where(and(eq(digestPosts.teamRef, teamRef), eq(digestPosts.week, week)))
        .all();
    },
    async recordQuestion(q) {
      orm
        .insert(questions)
        .values({ at: q.at ?? now(), query: normaliseQuery(q.query), status: q.status, entityRef: q.entityRef, platform: q.platform })
        .run();
    },
    async questionCounts(filter) {
      const count = sql<number>`count(*)`;
      return orm
        .select({ query: questions.query, status: questions.status, entityRef: questions.entityRef, count, lastAt: sql<number>`max(${questions.at})` })
        .from(questions)
        .where(questionWhere(filter))
        .groupBy(questions.query, questions.status, questions.entityRef)
        .orderBy(desc(count), desc(sql`max(${questions.at})`))
        .limit(filter.limit ?? 50)
        .all()
        .map((r) => ({ ...r, status: r.status as QuestionStatus, count: Number(r.count), lastAt: Number(r.lastAt) }));
    },
    async pruneQuestions(maxAgeMs) {
      return orm
        .delete(questions)
        .where(lt(questions.at, now() - maxAgeMs))
        .run().changes;
    },
    close: () => sqlite.close(),
  };
}

function questionWhere(filter: QuestionFilter) {
  return and(
    gte(questions.at, filter.since),
    filter.status ? eq(questions.status, filter.status) : undefined,
    filter.entityRefs ? inArray(questions.entityRef, filter.entityRefs.length ? filter.entityRefs : ['']) : undefined,
  );
}
