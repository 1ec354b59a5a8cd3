// Lint: typescript-eslint + eslint-plugin-vue, and the house's floors as import rules (eslint-plugin-boundaries).
// A folder imports only from the floors below it; see README "Architecture".
import js from '@eslint/js'
import boundaries from 'eslint-plugin-boundaries'
import prettier from 'eslint-config-prettier'
import vue from 'eslint-plugin-vue'
import globals from 'globals'
import tseslint from 'typescript-eslint'

/** Each main/ folder and what it may import (besides itself). */
const FLOORS = {
  contract: [],
  lib: [],
  data: ['contract', 'lib'],
  engine: ['contract', 'lib'],
  store: ['contract', 'lib'],
  workers: ['contract', 'lib', 'data', 'engine'],
  services: ['contract', 'lib', 'data', 'engine', 'store', 'workers'],
  transports: ['contract', 'services'],
  app: ['contract', 'services', 'transports'],
  // serve hosts the transports; every other command goes through the services like the UI.
  cli: ['contract', 'lib', 'services', 'transports'],
  renderer: ['contract'],
  preload: ['contract']
}

/** Packages only one floor may import. */
const OWNED_PACKAGES = { electron: ['app', 'preload'], 'better-sqlite3': ['store'] }

export default tseslint.config(
  {
    ignores: ['out/**', 'dist/**', 'node_modules/**', 'native/build/**', 'coverage/**', 'main/engine/tfgrad/gradients.generated.ts', 'test/e2e/screenshots/**']
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } }
  },
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' }
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      'vue/multi-word-component-names': 'off'
    }
  },
  {
    files: ['renderer/**/*.{ts,vue}'],
    languageOptions: { globals: { ...globals.browser } }
  },
  {
    // Only stores call the API: views, components and helpers read stores, so every call has one owner per section.
    files: ['renderer/src/**/*.{ts,vue}'],
    ignores: ['renderer/src/stores/**', 'renderer/src/api/**', 'renderer/src/main.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/api/client', '**/api/client.ts', '@/api/*'],
              message: "Only stores (renderer/src/stores) call the API: add an action to the section's store and call that."
            }
          ]
        }
      ]
    }
  },
  {
    files: ['main/**/*.ts', 'renderer/src/**/*.{ts,vue}', 'preload/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': [
        ...Object.keys(FLOORS)
          .filter((f) => f !== 'renderer' && f !== 'preload')
          .map((f) => ({ type: f, pattern: `main/${f}` })),
        { type: 'renderer', pattern: 'renderer/src' },
        { type: 'preload', pattern: 'preload' }
      ],
      'import/resolver': { node: { extensions: ['.ts', '.js', '.mjs', '.vue'] } }
    },
    rules: {
      'boundaries/dependencies': [
        2,
        {
          default: 'disallow',
          // Packages and node built-ins are checked too (who may import electron and better-sqlite3).
          checkAllOrigins: true,
          policies: [
            ...Object.entries(FLOORS).map(([from, below]) => ({
              from: { element: { type: from } },
              allow: { to: { element: { types: { anyOf: [from, ...below] } } } }
            })),
            // Every floor may use packages, except the packages one floor owns.
            { allow: { to: { module: { origin: ['external', 'core'] } } } },
            ...Object.entries(OWNED_PACKAGES).map(([pkg, owners]) => ({
              from: { element: { types: { noneOf: owners } } },
              disallow: { to: { module: { source: pkg } } }
            }))
          ]
        }
      ]
    }
  },
  prettier
)
