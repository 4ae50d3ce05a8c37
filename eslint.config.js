// `npm run lint` (part of `npm test`): ESLint's and typescript-eslint's recommended rules
// everywhere, and the rules of hooks in the renderer. Type-aware rules are left out: they
// would make lint take minutes on two cores, and `npm run typecheck` already runs tsc strict.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/', 'dist/', 'artifacts/', 'test-results/', '.demo-data/', '.tmp/', '.scratch/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_`-prefixed names mark parameters a signature needs but the body does not read.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}', 'src/preload/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The rules of hooks, with missing effect dependencies as errors, so that each
    // `eslint-disable-line react-hooks/exhaustive-deps` marks a deliberate choice. The plugin's
    // React Compiler rules (refs, set-state-in-effect, …) are left off: this app is not built
    // with the compiler, and they flag patterns (a ref read while rendering a canvas, a reset in
    // an effect) that are correct without it.
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
