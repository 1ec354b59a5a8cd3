/**
 * The studentized range distribution with infinite degrees of freedom (the range of k independent standard
 * normals), which is what the Nemenyi test needs (Demšar 2006, q_α = q_{α; k, ∞} / √2).
 *
 * No maintained JS distribution library provides it (@stdlib has none; jStat's `tukey` is a port of R's ptukey
 * /qtukey, unmaintained since 2020 and accurate only to ~1e-4 in the quantile), and Demšar's published table has
 * three decimals, far from the 1e-12 relative agreement with SciPy the tests assert. So it is computed here from its
 * definition, with the normal CDF from @stdlib:
 *   P(R ≤ q) = k ∫ φ(z) [Φ(z + q) − Φ(z)]^(k−1) dz
 * by the trapezoidal rule on [−10, 10] with h = 0.02 (for a smooth integrand with Gaussian tails the rule converges
 * geometrically; halving h changes the result by < 1e-13), inverted by Newton's method on a bisection bracket
 * (the density is the same integral differentiated in q) to 1e-12. Verified against SciPy `studentized_range.ppf(p, k, np.inf)` for
 * k = 2..20 (test/fixtures/stats/scipy-reference.json); e.g. q_{0.05;3,∞}/√2 = 2.3437 (Demšar's table: 2.343).
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf'

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI)
const LO = -10
const HI = 10
const STEPS = 1000 // h = 0.02

const phi = (z: number) => INV_SQRT_2PI * Math.exp(-0.5 * z * z)
const Phi = (z: number) => normalCdf(z, 0, 1)

function check(k: number) {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`k must be an integer ≥ 2, got ${k}`)
}

/** [P(R ≤ q), its density at q] for the range R of k standard normals. */
function cdfAndDensity(q: number, k: number): [number, number] {
  const h = (HI - LO) / STEPS
  let cdf = 0
  let pdf = 0
  for (let i = 0; i <= STEPS; i++) {
    const z = LO + i * h
    const w = (i === 0 || i === STEPS ? 0.5 : 1) * phi(z)
    const inner = Phi(z + q) - Phi(z)
    const pow = k === 2 ? 1 : Math.pow(inner, k - 2)
    cdf += w * pow * inner
    pdf += w * pow * phi(z + q)
  }
  return [Math.min(1, k * cdf * h), k * (k - 1) * pdf * h]
}

/** P(range of k standard normals ≤ q). */
export function studentizedRangeCdfInf(q: number, k: number): number {
  check(k)
  return q <= 0 ? 0 : cdfAndDensity(q, k)[0]
}

const cache = new Map<string, number>()

/** The p-quantile of the range of k standard normals (studentized range with df = ∞). */
export function studentizedRangeQuantileInf(p: number, k: number): number {
  check(k)
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`)
  const key = `${p}:${k}`
  const hit = cache.get(key)
  if (hit !== undefined) return hit
  let lo = 0
  let hi = 64
  let q = 3
  for (let iter = 0; iter < 200; iter++) {
    const [F, f] = cdfAndDensity(q, k)
    if (F < p) lo = q
    else hi = q
    const step = (F - p) / f
    let next = q - step
    if (!(next > lo && next < hi) || !Number.isFinite(next)) next = (lo + hi) / 2
    if (Math.abs(next - q) < 1e-12 * Math.max(1, q) || hi - lo < 1e-12) {
      q = next
      break
    }
    q = next
  }
  cache.set(key, q)
  return q
}
