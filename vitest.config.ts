import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'main/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Training tests are CPU-bound; two forks match the two cores of the CI machine.
    pool: 'forks',
    maxWorkers: 2
  }
})
