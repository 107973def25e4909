// Type-aware lint with a deliberately small rule set: promises that nobody awaits, names nobody uses,
// and type-only imports spelled as such. Widen it one rule at a time, with the code fixed in the same change.
import tseslint from 'typescript-eslint';

// The globals browser code may use; Node's (process, Buffer) are not among them.
const BROWSER_GLOBALS = ['window', 'document', 'navigator', 'location', 'history', 'localStorage', 'fetch', 'EventSource',
  'URL', 'URLSearchParams', 'FormData', 'Blob', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval',
  'requestAnimationFrame', 'ResizeObserver', 'matchMedia', 'console', 'Intl', 'HTMLElement', 'Event', 'CustomEvent'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'var/**', 'test-output/**', 'dashboards/generated/**'] },
  {
    files: ['**/*.ts'],
    ignores: ['src/web/client/**'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', {
        args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true,
      }],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // Browser code (bundled by src/web/bundle.ts): checked against tsconfig.web.json, with the browser's globals.
    files: ['src/web/client/**/*.ts', 'src/web/client/**/*.tsx'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: false, project: './tsconfig.web.json', tsconfigRootDir: import.meta.dirname },
      globals: Object.fromEntries(BROWSER_GLOBALS.map((g) => [g, 'readonly'])),
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', {
        args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true,
      }],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
    },
  },
);
