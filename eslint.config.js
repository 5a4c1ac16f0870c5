import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'data/', 'node_modules/', 'coverage/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    files: ['bench/**', 'soak/**', 'src/cli/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Plain Node scripts that run before the TypeScript build exists.
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: { 'no-console': 'off' },
  },
  {
    files: ['src/domain/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'discord.js',
                'discord-api-types*',
                'tiktok-live-connector',
                'pg',
                '@electric-sql/*',
                'drizzle-orm*',
                '../storage/*',
                '../discord/*',
                '../features/*',
                '../tiktok/*',
                'node:*',
              ],
              message: 'src/domain is pure: no adapters, drivers or Node APIs.',
            },
          ],
        },
      ],
    },
  },
);
