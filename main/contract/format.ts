/**
 * How numbers read on every screen: percentages, mean ± std, durations. The CLI, the services' texts (the model
 * card) and the renderer import these, so a share or a duration is written one way everywhere. Missing or
 * non-finite values read "—".
 */

export const MISSING = '—'

const finite = (x: number | null | undefined): x is number => x !== null && x !== undefined && Number.isFinite(x)

/** A share 0..1 as a percentage number: 0.9512 → "95.1" (for tables whose header says %). */
export function percentNumber(x: number | null | undefined, digits = 1): string {
  return finite(x) ? (100 * x).toFixed(digits) : MISSING
}

/** A share 0..1 as a percentage: 0.9512 → "95.1 %". */
export function percent(x: number | null | undefined, digits = 1): string {
  return finite(x) ? `${percentNumber(x, digits)} %` : MISSING
}

/** A mean and its spread (std over n replicates); with n ≤ 1 there is no spread to show, so the mean alone. */
export interface MeanStdLike {
  mean: number
  std: number
  n?: number
}

/** Shares: "95.1 ± 0.4 %" ("95.1 ± 0.4" with `unit: false`); the mean alone when n ≤ 1. */
export function pctMeanStd(m: MeanStdLike | null | undefined, opts: { digits?: number; unit?: boolean } = {}): string {
  if (!m || !finite(m.mean)) return MISSING
  const d = opts.digits ?? 1
  const unit = opts.unit === false ? '' : ' %'
  const spread = m.n === undefined || m.n > 1
  return spread ? `${percentNumber(m.mean, d)} ± ${percentNumber(m.std, d)}${unit}` : `${percentNumber(m.mean, d)}${unit}`
}

/** Plain values: "1.23 ± 0.05 s"; the mean alone when n ≤ 1. */
export function numMeanStd(m: MeanStdLike | null | undefined, unit = '', digits = 2): string {
  if (!m || !finite(m.mean)) return MISSING
  const u = unit ? ` ${unit}` : ''
  const spread = m.n === undefined || m.n > 1
  return spread ? `${m.mean.toFixed(digits)} ± ${m.std.toFixed(digits)}${u}` : `${m.mean.toFixed(digits)}${u}`
}

/** A measured time: "4.2 s", "42 s", "2 min 3 s", "1 h 5 min". */
export function duration(seconds: number | null | undefined): string {
  if (!finite(seconds)) return MISSING
  const s = Math.max(0, seconds)
  if (s < 9.95) return `${s.toFixed(1)} s`
  const total = Math.round(s)
  if (total < 60) return `${total} s`
  const m = Math.floor(total / 60)
  if (m < 60) return `${m} min ${total % 60} s`
  return `${Math.floor(m / 60)} h ${m % 60} min`
}

/** An estimate or a time left, rounded as a person would say it: "1 s", "40 s", "12 min", "1 h 5 min". */
export function roughDuration(seconds: number | null | undefined): string {
  if (!finite(seconds)) return MISSING
  const s = Math.max(0, seconds)
  const total = Math.round(s)
  if (total < 60) return `${Math.max(1, total)} s`
  const m = Math.round(s / 60)
  if (m < 60) return `${m} min`
  return `${Math.floor(m / 60)} h ${m % 60} min`
}

/** A p-value: "0.0312", or "3.1e-5" below 1e-4. */
export function pValue(p: number | null | undefined): string {
  if (p === null || p === undefined || Number.isNaN(p)) return MISSING
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4)
}

/** A difference of shares in percentage points, signed: 0.006 → "+0.6 pts". */
export function pointsDiff(d: number | null | undefined): string {
  if (!finite(d)) return MISSING
  return `${d >= 0 ? '+' : ''}${(100 * d).toFixed(1)} pts`
}
