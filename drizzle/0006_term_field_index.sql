DROP INDEX `entity_terms_term`;--> statement-breakpoint
CREATE INDEX `entity_terms_term_field` ON `entity_terms` (`term`,`field`);