/** Number formatting shared by tables, charts, exports and the report (DOM-free). */
import { ratioLabel, type MeanStd } from '@contract'

export function pct(x: number | null | undefined, digits = 1): string {
  return x == null || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)} %`
}

/** "95.1 ± 0.4 %" for shares in 0..1; the ± is the std over the replicates (seeds, × folds; n in the title). */
export function pctMeanStd(m: MeanStd | null | undefined, digits = 1): string {
  if (!m) return '—'
  return m.n > 1 ? `${(m.mean * 100).toFixed(digits)} ± ${(m.std * 100).toFixed(digits)} %` : `${(m.mean * 100).toFixed(digits)} %`
}

export function numMeanStd(m: MeanStd | null | undefined, unit = '', digits = 2): string {
  if (!m) return '—'
  const u = unit ? ` ${unit}` : ''
  return m.n > 1 ? `${fixed(m.mean, digits)} ± ${fixed(m.std, digits)}${u}` : `${fixed(m.mean, digits)}${u}`
}

function fixed(x: number, digits: number): string {
  return x.toFixed(digits)
}

/** 1234567 → "1.23 M"; small numbers verbatim. */
export function compact(x: number | null | undefined): string {
  if (x == null || !Number.isFinite(x)) return '—'
  const a = Math.abs(x)
  if (a >= 1e9) return `${(x / 1e9).toFixed(2)} G`
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)} M`
  if (a >= 1e4) return `${(x / 1e3).toFixed(1)} k`
  return String(Math.round(x))
}

export function seconds(s: number | null | undefined): string {
  if (s == null || !Number.isFinite(s)) return '—'
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`
  return `${Math.floor(m / 60)} h ${m % 60} min`
}

/** ISO date → "2026-11-25 03:07" (local time). */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

/** Compression ratio r keeps 1/r of the encoder's weights: "1/8 (12.5 % kept)", named by the contract's ratioLabel. */
export function compression(r: number): string {
  if (r <= 1) return ratioLabel(1)
  return `${ratioLabel(r)} (${(100 / r).toFixed(r > 100 ? 2 : 1)} % kept)`
}

/** A wall time for people: "40 s", "3 min 5 s", "1 h 12 min" (the wizard's estimate and the Training view's ETA). */
export function duration(s: number): string {
  const r = Math.max(1, Math.round(s))
  if (r < 60) return `${r} s`
  if (r < 3600) return r % 60 ? `${Math.floor(r / 60)} min ${r % 60} s` : `${r / 60} min`
  const m = Math.round(r / 60)
  return `${Math.floor(m / 60)} h ${m % 60} min`
}
