/** The catalog's truth (./truth.ts) on PostgreSQL, shared by every replica; same semantics as SQLite's. */
import { and, desc, eq, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { attestationAsks, attestations, digestPosts, questions } from '../db/pg-schema.js';
import { askOf, attestationOf, type CatalogTruth, normaliseQuery, type QuestionFilter, type QuestionStatus } from './truth.js';

export function openPgTruth(db: NodePgDatabase, now: () => number = Date.now): CatalogTruth {
  return {
    async recordAttestation(a) {
      await db.insert(attestations).values(a).onConflictDoUpdate({ target: attestations.entityRef, set: a });
    },
    async attestations(refs) {
      if (refs.length === 0) return new Map();
      const rows = await db.select().from(attestations).where(inArray(attestations.entityRef, refs));
      return new Map(rows.map((r) => [r.entityRef, attestationOf(r)]));
    },
    async settleClaim(entityRef, change) {
      await db.update(attestations).set({ change }).where(eq(attestations.entityRef, entityRef));
    },
    async recordAsk(ask) {
      const row = { ...ask, entities: JSON.stringify(ask.entities), messages: JSON.stringify(ask.messages) };
      const rows = await db.insert(attestationAsks).values(row).onConflictDoNothing().returning({ round: attestationAsks.round });
      return rows.length === 1;
    },
    async ask(round, teamRef) {
      const [row] = await db
        .select()
        .from(attestationAsks)
        .where(and(eq(attestationAsks.round, round), eq(attestationAsks.teamRef, teamRef)));
      return row && askOf(row);
    },
    async asks(round) {
      return (await db.select().from(attestationAsks).where(eq(attestationAsks.round, round))).map(askOf);
    },
    async setAskMessages(round, teamRef, messages) {
      await db
        .update(attestationAsks)
        .set({ messages: JSON.stringify(messages) })
        .where(and(eq(attestationAsks.round, round), eq(attestationAsks.teamRef, teamRef)));
    },
    async markReminded(round, teamRef, at = now()) {
      const rows = await db
        .update(attestationAsks)
        .set({ remindedAt: at })
        .where(and(eq(attestationAsks.round, round), eq(attestationAsks.teamRef, teamRef), isNull(attestationAsks.remindedAt)))
        .returning({ round: attestationAsks.round });
      return rows.length === 1;
    },
    async claimDigestPost(teamRef, week, channel, at = now()) {
      const rows = await db.insert(digestPosts).values({ teamRef, week, channel, claimedAt: at }).onConflictDoNothing().returning({ week: digestPosts.week });
      return rows.length === 1;
    },
    async settleDigestPost(teamRef, week, channel, message) {
      const row = and(eq(digestPosts.teamRef, teamRef), eq(digestPosts.week, week), eq(digestPosts.channel, channel));
      if (message === null) await db.delete(digestPosts).where(row);
      else await db.update(digestPosts).set({ message }).where(row);
    },
    async digestPosts(teamRef, week) {
      return db
        .select({ channel: digestPosts.channel, message: digestPosts.message })
        .from(digestPosts)
        .where(and(eq(digestPosts.teamRef, teamRef), eq(digestPosts.week, week)));
    },
    async recordQuestion(q) {
      await db.insert(questions).values({ at: q.at ?? now(), query: normaliseQuery(q.query), status: q.status, entityRef: q.entityRef, platform: q.platform });
    },
    async questionCounts(filter) {
      const count = sql<number>`count(*)`;
      const lastAt = sql<number>`max(${questions.at})`;
      const rows = await db
        .select({ query: questions.query, status: questions.status, entityRef: questions.entityRef, count, lastAt })
        .from(questions)
        .where(where(filter))
        .groupBy(questions.query, questions.status, questions.entityRef)
        .orderBy(desc(count), desc(lastAt))
        .limit(filter.limit ?? 50);
      // count(*) and max(bigint) come back from node-postgres as strings.
      return rows.map((r) => ({ ...r, status: r.status as QuestionStatus, count: Number(r.count), lastAt: Number(r.lastAt) }));
    },
    async pruneQuestions(maxAgeMs) {
      const gone = await db
        .delete(questions)
        .where(lt(questions.at, now() - maxAgeMs))
        .returning({ id: questions.id });
      return gone.length;
    },
  };
}

function where(filter: QuestionFilter) {
  return and(
    gte(questions.at, filter.since),
    filter.status ? eq(questions.status, filter.status) : undefined,
    filter.entityRefs ? inArray(questions.entityRef, filter.entityRefs.length ? filter.entityRefs : ['']) : undefined,
  );
}
