/**
 * CI's closing line (.ci/summary.sh over the log of `npm test`) and what CI requires of the optional suites.
 * test/fixtures/ci/npm-test.log joins the summaries of three real vitest 4 runs, colour codes included, under npm's
 * script headers: one with a failing test, a skipped one, a todo and a file that failed to import; one with skips;
 * one all passed.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { OPTIONAL_SUITES, requiredSuites, suiteVerdict } from '../../helpers/suites.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const summary = (log: string) => {
  const r = spawnSync('bash', [path.join(root, '.ci/summary.sh')], { input: log, encoding: 'utf8' })
  expect(r.status, r.stderr).toBe(0)
  return r.stdout.trim()
}

describe('.ci/summary.sh', () => {
  it('sums passed, failed and skipped over every vitest run of a captured log, and names failed test files', () => {
    const log = readFileSync(path.join(root, 'test/fixtures/ci/npm-test.log'), 'utf8')
    // 1 failed | 2 passed | 1 skipped | 1 todo, then 2 passed | 12 skipped, then 97 passed; 2 test files failed.
    expect(summary(log)).toBe('101 passed, 1 failed, 13 skipped (3 vitest runs; 2 test files failed)')
  })

  it('says so when no vitest run is in the log (npm test stopped at lint or typecheck)', () => {
    expect(summary('> eslint .\n\n/x.ts\n  1:1  error  bad\n')).toBe('0 passed, 0 failed, 0 skipped (0 vitest runs)')
  })

  it('.ci/run prints it, exits with npm test status, and requires every optional suite', () => {
    const run = readFileSync(path.join(root, '.ci/run'), 'utf8')
    expect(run).toMatch(/npm test 2>&1 \| tee "\$log" \|\| status=\$\?/)
    expect(run).toMatch(/\.ci\/summary\.sh "\$log"\nexit "\$status"/)
    const required = /^export IUNET_REQUIRE_SUITES=(.*)$/m.exec(run)?.[1]
    expect([...requiredSuites(required)].sort()).toEqual([...OPTIONAL_SUITES].sort())
  })
})

describe('required suites (IUNET_REQUIRE_SUITES)', () => {
  it('a suite that can run runs; a missing one skips, or fails where it is required', () => {
    const required = requiredSuites('native, webgpu')
    expect(suiteVerdict('native', null, required)).toBe('run')
    expect(suiteVerdict('native', 'not built', required)).toBe('fail')
    expect(suiteVerdict('slurm', 'no sbatch', required)).toBe('skip')
    // Nothing named, nothing required (undefined would read IUNET_REQUIRE_SUITES, which CI sets).
    expect(requiredSuites('').size).toBe(0)
  })

  it('an unknown suite name is an error, not ignored', () => {
    expect(() => requiredSuites('native,slrum')).toThrow(/unknown suites: slrum/)
  })
})
