CREATE TABLE `deployments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`service_ref` text NOT NULL,
	`version` text NOT NULL,
	`environment` text NOT NULL,
	`commit` text,
	`url` text,
	`status` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `deployments_service_env` ON `deployments` (`service_ref`,`environment`,`at`);