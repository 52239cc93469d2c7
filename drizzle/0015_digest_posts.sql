CREATE TABLE `digest_posts` (
	`team_ref` text NOT NULL,
	`week` text NOT NULL,
	`channel` text NOT NULL,
	`message` text,
	`claimed_at` integer NOT NULL,
	PRIMARY KEY(`team_ref`, `week`, `channel`)
);
