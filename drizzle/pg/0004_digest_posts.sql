CREATE TABLE "digest_posts" (
	"team_ref" text NOT NULL,
	"week" text NOT NULL,
	"channel" text NOT NULL,
	"message" text,
	"claimed_at" bigint NOT NULL,
	CONSTRAINT "digest_posts_team_ref_week_channel_pk" PRIMARY KEY("team_ref","week","channel")
);
