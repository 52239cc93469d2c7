import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/** Bare Node built-in names ('fs', 'path', 'fs/promises', …) and their subpaths. */
const NODE_BUILTINS = builtinModules.filter((name) => !name.startsWith('_')).flatMap((name) => [name, `${name}/*`]);

export default tseslint.config(
  { ignores: ['node_modules/', 'drizzle/', 'bench/.work/', 'data/', '.tmp/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O packages, as Temporal's
    // samples lint it. `import type` stays allowed (types vanish at build). Tests run in Node and are exempt.
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Workflow code must not use Node built-ins; do I/O in an activity.', allowTypeImports: true },
            { group: NODE_BUILTINS, message: 'Workflow code must not use Node built-ins; do I/O in an activity.', allowTypeImports: true },
            {
              group: [
                'better-sqlite3',
                'drizzle-orm',
                'drizzle-orm/*',
                'pino',
                'pino/*',
                '@slack/*',
                '@microsoft/*',
                '@temporalio/client',
                '@temporalio/worker',
                '@temporalio/activity',
                '@temporalio/testing',
              ],
              message: 'Workflow code must not import I/O packages or the Temporal client/worker/activity SDKs; use an activity.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
);
