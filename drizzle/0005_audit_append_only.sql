-- Custom migration (drizzle-kit generate --custom): drizzle-kit does not model triggers.
-- The audit trail is append-only: any UPDATE or DELETE through SQL aborts. Someone who drops these
-- triggers can still edit rows, which `switchboard audit --verify` then detects through the hash chain.
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log`
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log`
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
--> statement-breakpoint
-- The head's single row exists from the start; append() only updates it, so it is never deleted.
INSERT INTO `audit_head` (`id`, `last_seq`, `last_hash`) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
--> statement-breakpoint
CREATE TRIGGER `audit_head_no_delete` BEFORE DELETE ON `audit_head`
BEGIN
	SELECT RAISE(ABORT, 'audit_head cannot be deleted');
END;
