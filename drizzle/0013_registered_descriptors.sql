CREATE TABLE `registered_descriptors` (
	`path` text PRIMARY KEY NOT NULL,
	`content` text NOT NULL,
	`updated_at` integer NOT NULL
);
