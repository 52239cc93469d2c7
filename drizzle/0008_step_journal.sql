CREATE TABLE `step_journal` (
	`key` text PRIMARY KEY NOT NULL,
	`result` text NOT NULL,
	`finished_at` integer NOT NULL
);
