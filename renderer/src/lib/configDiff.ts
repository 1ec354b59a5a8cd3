/** Which settings differ between runs: the config flattened to dotted keys, keeping only keys whose values differ (DOM-free). */
import type { RunConfig } from '@contract'

export type Flat = Record<string, string>

/** Keys that name or point at things rather than set how the model trains. */
const SKIP = new Set(['name', 'datasetId'])

export function flattenConfig(c: RunConfig | Record<string, unknown>, prefix = ''): Flat {
  const out: Flat = {}
  for (const [k, v] of Object.entries(c)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (!prefix && SKIP.has(k)) continue
    if (v === undefined) continue
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flattenConfig(v as Record<string, unknown>, key))
    else if (Array.isArray(v)) out[key] = v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ')
    else out[key] = v === null ? '—' : String(v)
  }
  return out
}

export interface DiffRow {
  key: string
  /** One value per run, in the order given ('—' when the run does not set the key). */
  values: string[]
}

/** Rows for keys whose values are not all equal; `dataset` (by name) counts as a setting. */
export function diffConfigs(runs: { config: RunConfig; datasetName?: string }[]): DiffRow[] {
  if (runs.length < 2) return []
  const flats = runs.map((r) => ({ dataset: r.datasetName ?? r.config.datasetId, ...flattenConfig(r.config) }) as Flat)
  const keys = [...new Set(flats.flatMap((f) => Object.keys(f)))]
  const rows: DiffRow[] = []
  for (const key of keys) {
    const values = flats.map((f) => f[key] ?? '—')
    if (new Set(values).size > 1) rows.push({ key, values })
  }
  return rows
}
