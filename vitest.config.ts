import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'actions/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // Slow suites (a real diskimage-builder build, a qemu boot) run through vitest.slow.config.ts.
    exclude: ['**/node_modules/**', '**/dist/**', '**/*.slow.test.ts', 'test/fixtures/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more workers only thrash, and several suites spawn python and git processes.
    pool: 'forks',
    maxWorkers: 2,
    server: {
      deps: {
        // @actions/workflow-parser imports its JSON schema without `with { type: 'json' }`
        // (actions/languageservices#387); inlining lets vite transform that import.
        inline: ['@actions/workflow-parser'],
      },
    },
  },
})
