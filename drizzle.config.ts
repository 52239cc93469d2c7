import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: ['./src/catalog/store/schema.ts', './src/state/schema.ts', './src/audit/schema.ts', './src/deployments/schema.ts'],
  out: './drizzle',
});
