CREATE TABLE "audit_head" (
	"id" integer PRIMARY KEY NOT NULL,
	"last_seq" integer NOT NULL,
	"last_hash" text NOT NULL,
	"keyed_from" integer,
	"keyed_at" text,
	"key_id" text,
	"mac" text,
	CONSTRAINT "audit_head_single_row" CHECK ("audit_head"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"seq" integer PRIMARY KEY NOT NULL,
	"at" text NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"event" text NOT NULL,
	"target" text,
	"inputs" text NOT NULL,
	"detail" text NOT NULL,
	"thread" text,
	"workflow_id" text,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chat_accounts" (
	"platform" text NOT NULL,
	"account" text NOT NULL,
	"chat_user_id" text NOT NULL,
	"email" text,
	"name" text,
	"tenant_id" text,
	"service_url" text NOT NULL,
	"personal" text,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "chat_accounts_platform_account_pk" PRIMARY KEY("platform","account")
);
--> statement-breakpoint
CREATE TABLE "chat_conversations" (
	"ref" text PRIMARY KEY NOT NULL,
	"service_url" text NOT NULL,
	"tenant_id" text,
	"kind" text NOT NULL,
	"name" text,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deliveries" (
	"key" text PRIMARY KEY NOT NULL,
	"seen_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deployments" (
	"id" serial PRIMARY KEY NOT NULL,
	"service_ref" text NOT NULL,
	"version" text NOT NULL,
	"environment" text NOT NULL,
	"commit" text,
	"url" text,
	"status" text NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incident_posts" (
	"conversation" text NOT NULL,
	"entity_ref" text NOT NULL,
	"message_id" text,
	"posted_at" bigint NOT NULL,
	CONSTRAINT "incident_posts_conversation_entity_ref_pk" PRIMARY KEY("conversation","entity_ref")
);
--> statement-breakpoint
CREATE TABLE "step_journal" (
	"key" text PRIMARY KEY NOT NULL,
	"result" text NOT NULL,
	"finished_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_log_workflow" ON "audit_log" USING btree ("workflow_id","seq");--> statement-breakpoint
CREATE INDEX "chat_accounts_email" ON "chat_accounts" USING btree ("platform","email");--> statement-breakpoint
CREATE INDEX "deployments_service_env" ON "deployments" USING btree ("service_ref","environment","at");