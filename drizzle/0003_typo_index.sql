CREATE TABLE `name_keys` (
	`key` integer NOT NULL,
	`entity_id` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `name_keys_key` ON `name_keys` (`key`);--> statement-breakpoint
CREATE INDEX `name_keys_entity` ON `name_keys` (`entity_id`);