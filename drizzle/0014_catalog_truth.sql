CREATE TABLE `attestation_asks` (
	`round` text NOT NULL,
	`team_ref` text NOT NULL,
	`entities` text NOT NULL,
	`messages` text NOT NULL,
	`asked_at` integer NOT NULL,
	`reminded_at` integer,
	PRIMARY KEY(`round`, `team_ref`)
);
--> statement-breakpoint
CREATE TABLE `attestations` (
	`entity_ref` text PRIMARY KEY NOT NULL,
	`owner_ref` text NOT NULL,
	`verdict` text NOT NULL,
	`by_ref` text NOT NULL,
	`by_name` text,
	`at` integer NOT NULL,
	`proposed_owner` text,
	`change` text
);
--> statement-breakpoint
CREATE TABLE `questions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`query` text NOT NULL,
	`status` text NOT NULL,
	`entity_ref` text,
	`platform` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `questions_at` ON `questions` (`at`);--> statement-breakpoint
CREATE INDEX `questions_entity` ON `questions` (`entity_ref`,`at`);