CREATE TABLE `deliveries` (
	`key` text PRIMARY KEY NOT NULL,
	`seen_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `incident_posts` (
	`conversation` text NOT NULL,
	`entity_ref` text NOT NULL,
	`message_id` text,
	`posted_at` integer NOT NULL,
	PRIMARY KEY(`conversation`, `entity_ref`)
);
