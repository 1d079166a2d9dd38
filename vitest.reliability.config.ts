import { defineConfig } from 'vitest/config'

/**
 * `npm run test:reliability`: the long suite (crash safety, Chorus Pro faults, hostile input,
 * security, two instances). Files run one after another: each one measures timing and memory of a
 * real service, and two at once on a small machine would measure each other.
 */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts', 'test/reliability/global-setup.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
    env: { TZ: 'Europe/Paris' },
  },
})
