import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Renderer helpers (renderer/src/lib) import the contract by the alias the renderer build uses.
  resolve: { alias: { '@contract': resolve('main/contract/index.ts') } },
  test: {
    include: ['test/unit/**/*.test.ts', 'main/**/*.test.ts'],
    environment: 'node',
    // A command a test runs without --data-dir (inspect, help) never reaches the user's ~/.iunet-workbench.
    env: { IUNET_DATA_DIR: join(tmpdir(), 'iunet-test-default-data') },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Training tests are CPU-bound; two forks match the two cores of the CI machine.
    pool: 'forks',
    maxWorkers: 2
  }
})
