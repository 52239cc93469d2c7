-- Custom migration (drizzle-kit generate --custom): drizzle-kit does not model expression indexes.
-- Users by their graph.microsoft.com/user-id annotation (the Entra object id Teams reports), so identity
-- finds every User claiming a Teams account with one index lookup (catalog/store/statements.ts
-- usersByTeamsId uses the same expression; Entra ids are GUIDs, compared lower-cased).
CREATE INDEX `entities_teams_user_id` ON `entities` (lower(trim(json_extract(`body`, '$.metadata.annotations."graph.microsoft.com/user-id"')))) WHERE lower(`kind`) = 'user';
