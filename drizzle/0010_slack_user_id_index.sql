-- Custom migration (drizzle-kit generate --custom): drizzle-kit does not model expression indexes.
-- Users by their switchboard.dev/slack-user-id annotation, so identity finds every User claiming a
-- Slack id with one index lookup (catalog/store/repo.ts usersBySlackId uses the same expression).
CREATE INDEX `entities_slack_user_id` ON `entities` (trim(json_extract(`body`, '$.metadata.annotations."switchboard.dev/slack-user-id"'))) WHERE lower(`kind`) = 'user';
