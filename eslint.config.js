// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/** Layers may only import downwards: cli, api -> pipeline -> db, sources, understand -> core. */
const forbid = (/** @type {string[]} */ layers, /** @type {string} */ why) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: layers.map((layer) => ({
        group: [`**/${layer}/*`, `**/${layer}`, `../${layer}/*`, `../../${layer}/*`],
        message: why,
      })),
    },
  ],
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'web/dist/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/config/**/*.ts'],
    rules: forbid(
      ['db', 'sources', 'understand', 'pipeline', 'api', 'cli', 'config'].filter(Boolean),
      'core and config import nothing of ours',
    ),
  },
  {
    files: ['src/sources/**/*.ts'],
    rules: forbid(['db', 'pipeline', 'api', 'cli', 'understand'], 'sources return posts and cursors; they never touch the database'),
  },
  {
    files: ['src/alerts/channels/**/*.ts', 'src/alerts/atom.ts'],
    rules: forbid(
      ['db', 'pipeline', 'api', 'cli'],
      'alert channels turn a message into a delivery; the outbox and the job that calls them live elsewhere',
    ),
  },
  {
    files: ['src/understand/**/*.ts'],
    rules: forbid(['db', 'pipeline', 'api', 'cli', 'sources'], 'understand is pure analysis over text'),
  },
  {
    files: ['src/db/**/*.ts'],
    rules: forbid(['pipeline', 'api', 'cli', 'sources', 'understand'], 'db knows only core'),
  },
  {
    files: ['src/pipeline/**/*.ts'],
    rules: forbid(['api', 'cli'], 'pipeline is called by api and cli, never the reverse'),
  },
  {
    files: ['src/alerts/**/*.ts'],
    rules: forbid(['api', 'cli'], 'alerts are judged and sent for the pipeline, the API and the CLI; they never call them'),
  },
  {
    files: ['src/api/**/*.ts'],
    rules: forbid(['cli', 'sources'], 'api reads through pipeline and db'),
  },
  {
    files: ['web/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/../src/**'], allowTypeImports: true, message: 'the dashboard takes only types from the server' }] },
      ],
    },
  },
  // Type-aware: a promise nobody awaits loses its error (and, in a handler, the order of effects).
  {
    files: ['src/**/*.ts', 'web/src/**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error', '@typescript-eslint/no-misused-promises': 'error' },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-restricted-imports': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
