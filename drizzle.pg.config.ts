import { defineConfig } from 'drizzle-kit';

// The shared state on PostgreSQL (SWITCHBOARD_STATE_URL); the catalog never lives there.
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./src/db/pg-schema.ts'],
  out: './drizzle/pg',
});
