import { defineConfig } from 'vitest/config'
import base from './vitest.config.js'

// Replaces (not merges: mergeConfig concatenates arrays) the fast suite's include and exclude.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'packages/*/test/**/*.slow.test.ts',
      'actions/*/test/**/*.slow.test.ts',
      'test/**/*.slow.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**', 'test/fixtures/**'],
    testTimeout: 20 * 60_000,
    maxWorkers: 1,
  },
})
