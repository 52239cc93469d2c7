ALTER TABLE `audit_head` ADD `keyed_from` integer;--> statement-breakpoint
ALTER TABLE `audit_head` ADD `keyed_at` text;--> statement-breakpoint
ALTER TABLE `audit_head` ADD `key_id` text;--> statement-breakpoint
ALTER TABLE `audit_head` ADD `mac` text;