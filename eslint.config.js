// Lint rules: typescript-eslint's recommended set over the TypeScript sources, plus the few rules that
// catch real bugs in async server code (floating promises are caught by tests and review instead, since
// type-aware linting would double the time of `npm test` on two cores). The renderer's .vue files get
// eslint-plugin-vue's essential rules for Vue 3 (the ones that catch bugs; layout is left to review), with TypeScript in their <script> blocks.
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'engine/proto/generated/**', 'renderer/dist/**', 'engine/dist/**'] },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/essential'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'always'],
    },
  },
);
