CREATE TABLE "attestation_asks" (
	"round" text NOT NULL,
	"team_ref" text NOT NULL,
	"entities" text NOT NULL,
	"messages" text NOT NULL,
	"asked_at" bigint NOT NULL,
	"reminded_at" bigint,
	CONSTRAINT "attestation_asks_round_team_ref_pk" PRIMARY KEY("round","team_ref")
);
--> statement-breakpoint
CREATE TABLE "attestations" (
	"entity_ref" text PRIMARY KEY NOT NULL,
	"owner_ref" text NOT NULL,
	"verdict" text NOT NULL,
	"by_ref" text NOT NULL,
	"by_name" text,
	"at" bigint NOT NULL,
	"proposed_owner" text,
	"change" text
);
--> statement-breakpoint
CREATE TABLE "questions" (
	"id" serial PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL,
	"query" text NOT NULL,
	"status" text NOT NULL,
	"entity_ref" text,
	"platform" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "questions_at" ON "questions" USING btree ("at");--> statement-breakpoint
CREATE INDEX "questions_entity" ON "questions" USING btree ("entity_ref","at");