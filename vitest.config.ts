import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/bench/**', 'test/reliability/**', 'node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default is one file at a time on 2 cores (cores - 1). Most files wait on timers, child
    // processes and Chromium: two at a time took the suite from 1,171 s to 807 s of wall time here, using
    // 1.3 cores on average (user + sys 1,036 s), every test passing.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    env: { TZ: 'Europe/Paris' },
  },
})
