import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConfig } from 'vitest/config'

// End-to-end: the built renderer in real Chromium against the real server and services.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    // A command a test runs without --data-dir (inspect, help) never reaches the user's ~/.iunet-workbench.
    env: { IUNET_DATA_DIR: join(tmpdir(), 'iunet-test-default-data') },
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false
  }
})
