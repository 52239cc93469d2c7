-- Custom migration (drizzle-kit generate --custom): drizzle-kit does not model triggers.
-- As on SQLite (drizzle/0005_audit_append_only.sql): the audit trail is append-only, any UPDATE or
-- DELETE through SQL aborts, and the head's single row exists from the start and is never deleted.
-- TRUNCATE is refused too (a statement trigger), which SQLite has no equivalent of.
CREATE FUNCTION switchboard_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION switchboard_audit_head_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_head cannot be deleted';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION switchboard_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION switchboard_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION switchboard_audit_append_only();
--> statement-breakpoint
INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
--> statement-breakpoint
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head FOR EACH ROW EXECUTE FUNCTION switchboard_audit_head_kept();
--> statement-breakpoint
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head FOR EACH STATEMENT EXECUTE FUNCTION switchboard_audit_head_kept();
