-- Custom migration (drizzle-kit generate --custom): drizzle-kit does not model FTS5 virtual tables.
-- Trigram full-text index over each entity's names, titles, aliases and tags; rowid = entities.id.
CREATE VIRTUAL TABLE `entity_search` USING fts5(`name`, `title`, `aliases`, `tags`, tokenize = 'trigram');
--> statement-breakpoint
-- Per-trigram document counts, so fuzzy search can start from the rarest trigrams of a query.
CREATE VIRTUAL TABLE `entity_search_vocab` USING fts5vocab(`entity_search`, 'row');
