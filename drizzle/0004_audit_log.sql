CREATE TABLE `audit_head` (
	`id` integer PRIMARY KEY NOT NULL,
	`last_seq` integer NOT NULL,
	`last_hash` text NOT NULL,
	CONSTRAINT "audit_head_single_row" CHECK("audit_head"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE `audit_log` (
	`seq` integer PRIMARY KEY NOT NULL,
	`at` text NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`event` text NOT NULL,
	`target` text,
	`inputs` text NOT NULL,
	`detail` text NOT NULL,
	`thread` text,
	`workflow_id` text,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_workflow` ON `audit_log` (`workflow_id`,`seq`);