import { defineConfig } from 'vitest/config'

// End-to-end: the built renderer in real Chromium against the real server and services.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false
  }
})
