/** Filtering and ordering the runs list (DOM-free). */
import { MODEL_LABELS, type RunStatus, type RunSummary } from '@contract'

export interface RunsFilter {
  statuses: RunStatus[]
  datasetId: string | null
  text: string
}

export function filterRuns(runs: RunSummary[], f: RunsFilter): RunSummary[] {
  const words = f.text.toLowerCase().split(/\s+/).filter(Boolean)
  return runs
    .filter((r) => !f.statuses.length || f.statuses.includes(r.status))
    .filter((r) => !f.datasetId || r.datasetId === f.datasetId)
    .filter((r) => {
      if (!words.length) return true
      const hay = [r.name, r.datasetName, r.status, r.preset, r.error ?? '', ...r.models, ...r.models.map((m) => MODEL_LABELS[m])].join(' ').toLowerCase()
      return words.every((w) => hay.includes(w))
    })
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
}

/** Distinct datasets of the runs, for the filter's options. */
export function runDatasets(runs: RunSummary[]): { id: string; name: string }[] {
  const m = new Map<string, string>()
  for (const r of runs) if (!m.has(r.datasetId)) m.set(r.datasetId, r.datasetName)
  return [...m.entries()].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name))
}

export const STATUS_TAG: Record<RunStatus, 'default' | 'info' | 'success' | 'error' | 'warning'> = {
  queued: 'default',
  running: 'info',
  finished: 'success',
  failed: 'error',
  cancelled: 'warning',
  interrupted: 'warning'
}
