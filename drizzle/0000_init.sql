CREATE TABLE `codeowners_rules` (
	`source_id` integer NOT NULL,
	`repo_root` text NOT NULL,
	`ord` integer NOT NULL,
	`pattern` text NOT NULL,
	`owners` text NOT NULL,
	`section` text,
	`line` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `codeowners_rules_root` ON `codeowners_rules` (`repo_root`,`ord`);--> statement-breakpoint
CREATE INDEX `codeowners_rules_source` ON `codeowners_rules` (`source_id`);--> statement-breakpoint
CREATE TABLE `entities` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ref` text NOT NULL,
	`kind` text NOT NULL,
	`namespace` text NOT NULL,
	`name` text NOT NULL,
	`title` text,
	`spec_type` text,
	`lifecycle` text,
	`owner_ref` text,
	`parent_ref` text,
	`body` text NOT NULL,
	`source_id` integer NOT NULL,
	`line` integer NOT NULL,
	`stale` integer DEFAULT false NOT NULL,
	`ingested_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `entities_ref` ON `entities` (`ref`);--> statement-breakpoint
CREATE INDEX `entities_source` ON `entities` (`source_id`);--> statement-breakpoint
CREATE INDEX `entities_owner` ON `entities` (`owner_ref`);--> statement-breakpoint
CREATE TABLE `entity_terms` (
	`term` text NOT NULL,
	`entity_id` integer NOT NULL,
	`field` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `entity_terms_term` ON `entity_terms` (`term`);--> statement-breakpoint
CREATE INDEX `entity_terms_entity` ON `entity_terms` (`entity_id`);--> statement-breakpoint
CREATE TABLE `relations` (
	`source_ref` text NOT NULL,
	`type` text NOT NULL,
	`target_ref` text NOT NULL,
	`origin_id` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `relations_source_type` ON `relations` (`source_ref`,`type`,`target_ref`);--> statement-breakpoint
CREATE INDEX `relations_origin` ON `relations` (`origin_id`);--> statement-breakpoint
CREATE TABLE `sources` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`location` text NOT NULL,
	`kind` text NOT NULL,
	`root` text NOT NULL,
	`hash` text,
	`status` text NOT NULL,
	`errors` text,
	`ingested_at` integer NOT NULL,
	`last_good_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sources_location` ON `sources` (`location`);--> statement-breakpoint
CREATE INDEX `sources_root` ON `sources` (`root`);