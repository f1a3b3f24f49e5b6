import { defineConfig, mergeConfig } from 'vitest/config'
import base from './vitest.config.js'

export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: [
        'packages/*/test/**/*.slow.test.ts',
        'actions/*/test/**/*.slow.test.ts',
        'test/**/*.slow.test.ts',
      ],
      exclude: ['**/node_modules/**', '**/dist/**', 'test/fixtures/**'],
      testTimeout: 20 * 60_000,
      maxWorkers: 1,
    },
  }),
)
