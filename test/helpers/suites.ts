/**
 * Suites that skip where their system packages are missing: native (the addon built from native/ with OpenBLAS),
 * slurm (slurm-wlm + munge), webgpu (the npm `webgpu` package finding an adapter, e.g. Mesa's llvmpipe). CI installs
 * all of them and sets IUNET_REQUIRE_SUITES=native,slurm,webgpu (.ci/run): there a suite that would skip fails
 * instead, naming what is missing, so a suite cannot drop out of CI unnoticed. Elsewhere it skips with the reason
 * printed.
 */
import { it } from 'vitest'

export const OPTIONAL_SUITES = ['native', 'slurm', 'webgpu'] as const
export type OptionalSuite = (typeof OPTIONAL_SUITES)[number]

/** The suites named in IUNET_REQUIRE_SUITES (comma-separated); an unknown name is an error, not ignored. */
export function requiredSuites(value: string | undefined = process.env.IUNET_REQUIRE_SUITES): Set<OptionalSuite> {
  const names = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const unknown = names.filter((n) => !(OPTIONAL_SUITES as readonly string[]).includes(n))
  if (unknown.length) throw new Error(`IUNET_REQUIRE_SUITES names unknown suites: ${unknown.join(', ')} (known: ${OPTIONAL_SUITES.join(', ')})`)
  return new Set(names as OptionalSuite[])
}

/** run: nothing is missing; skip: missing and not required; fail: missing although required. */
export function suiteVerdict(suite: OptionalSuite, missing: string | null, required: Set<OptionalSuite>): 'run' | 'skip' | 'fail' {
  if (missing === null) return 'run'
  return required.has(suite) ? 'fail' : 'skip'
}

/**
 * Whether `suite`'s tests must skip here; `missing` says why they cannot run (null: they can). Where the suite is
 * required, a failing test carrying the reason takes the place of the skipped ones.
 */
export function skipSuite(suite: OptionalSuite, missing: string | null): boolean {
  const verdict = suiteVerdict(suite, missing, requiredSuites())
  if (verdict === 'run') return false
  if (verdict === 'fail') {
    it(`the ${suite} suite runs (required by IUNET_REQUIRE_SUITES)`, () => {
      throw new Error(`the ${suite} suite would skip although IUNET_REQUIRE_SUITES requires it: ${missing}`)
    })
  } else console.warn(`${suite} tests skipped: ${missing}`)
  return true
}
