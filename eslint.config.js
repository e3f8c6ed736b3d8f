// ESLint flat config: typescript-eslint's recommended rules for .ts/.mjs/.js, eslint-plugin-svelte's
// recommended rules for .svelte and rune modules (*.svelte.ts). Layering is checked separately by
// scripts/check-boundaries.mjs; formatting by Prettier (`prettier --check .`).
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

export default ts.config(
  {
    ignores: ['dist/', 'release/', 'test-output/', '.vite/', 'scratch/', 'node_modules/', 'resources/'],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      // A leading underscore marks a binding left unused on purpose (an omitted field, a callback's unused argument).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // The only control characters in our regexes are the ones we strip from model and label text on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['native/**', 'electron/**', 'scripts/**', 'bench/**', 'bin/**', 'tests/**', '*.config.{js,ts}', 'renderer/vite.config.ts'],
    languageOptions: { globals: globals.node },
  },
  {
    // tests/e2e pass functions to page.evaluate, which run in the page.
    files: ['renderer/**', 'tests/**'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
    rules: {
      // CONVENTIONS 9: state is $state.raw replaced wholesale; our Maps and Sets are private caches, locals, or
      // copies assigned whole, so SvelteMap/SvelteSet would add reactivity that nothing reads.
      'svelte/prefer-svelte-reactivity': 'off',
      // Unkeyed lists of plain strings (advice lines) may repeat, and a keyed each throws on duplicate keys.
      'svelte/require-each-key': 'off',
      // {' '} keeps a space between inline elements explicit, where a formatter cannot move it.
      'svelte/no-useless-mustaches': 'off',
    },
  },
);
