CREATE TABLE `chat_accounts` (
	`platform` text NOT NULL,
	`account` text NOT NULL,
	`chat_user_id` text NOT NULL,
	`email` text,
	`name` text,
	`tenant_id` text,
	`service_url` text NOT NULL,
	`personal` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`platform`, `account`)
);
--> statement-breakpoint
CREATE INDEX `chat_accounts_email` ON `chat_accounts` (`platform`,`email`);--> statement-breakpoint
CREATE TABLE `chat_conversations` (
	`ref` text PRIMARY KEY NOT NULL,
	`service_url` text NOT NULL,
	`tenant_id` text,
	`kind` text NOT NULL,
	`name` text,
	`updated_at` integer NOT NULL
);
