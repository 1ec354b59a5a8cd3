/**
 * Renderer-only number formatting (DOM-free): compact counts, local dates and a compression ratio in words. Shares,
 * mean ± std and durations are the contract's (format.ts), so every screen, the CLI and the model card agree.
 */
import { MISSING, ratioLabel } from '@contract'

/** 1234567 → "1.23 M"; small numbers verbatim. */
export function compact(x: number | null | undefined): string {
  if (x == null || !Number.isFinite(x)) return MISSING
  const a = Math.abs(x)
  if (a >= 1e9) return `${(x / 1e9).toFixed(2)} G`
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)} M`
  if (a >= 1e4) return `${(x / 1e3).toFixed(1)} k`
  return String(Math.round(x))
}

/** ISO date → "2026-11-25 03:07" (local time). */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return MISSING
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
