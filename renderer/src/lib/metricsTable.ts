/**
 * The comparison's metrics table: columns, rows from run aggregates, the best value per column, CSV and JSON
 * (DOM-free; the view, the exports and the HTML report all use these).
 */
import { MODEL_LABELS, type MeanStd, type ModelAggregate, type RunDetail } from '@contract'
import { aggregateOf, entryLabel, runLetters, type Entry } from './entries'
import { compact, compression, numMeanStd, pctMeanStd } from './format'

export type Better = 'high' | 'low' | null

export interface MetricColumn {
  key: string
  label: string
  /** Longer explanation for a header tooltip / the report. */
  help: string
  better: Better
  /** Value as a mean ± std over seeds, or a single number. */
  get(a: ModelAggregate): MeanStd | number | null
  format(v: MeanStd | number | null): string
}

const asMs = (v: MeanStd | number | null): MeanStd | null => (v == null ? null : typeof v === 'number' ? { mean: v, std: 0, n: 1 } : v)

const pctCol = (key: keyof ModelAggregate, label: string, help: string, better: Better = 'high'): MetricColumn => ({
  key,
  label,
  help,
  better,
  get: (a) => (a[key] as MeanStd | null) ?? null,
  format: (v) => pctMeanStd(asMs(v))
})

export const METRIC_COLUMNS: MetricColumn[] = [
  pctCol('accuracy', 'Accuracy', 'Test accuracy, mean ± std over seeds.'),
  pctCol('balancedAccuracy', 'Balanced acc.', 'Mean per-class recall on the test split: the honest accuracy on imbalanced (tabular) data.'),
  pctCol('macroF1', 'Macro-F1', 'Unweighted mean of the per-class F1 scores.'),
  pctCol(
    'invariancePrediction',
    'Pred. consistency',
    'Share of test inputs whose prediction does not change under the ILO transformation. Read it next to accuracy: a model that predicts one class everywhere is 100 % consistent.'
  ),
  {
    key: 'invarianceRepresentation',
    label: 'Repr. consistency',
    help: 'Mean cosine similarity of the encoder outputs of x and t(x).',
    better: 'high',
    get: (a) => a.invarianceRepresentation,
    format: (v) => numMeanStd(asMs(v), '', 3)
  },
  pctCol('supernetValAccuracy', 'Supernet val. acc.', 'Validation accuracy of the supernetwork just before pruning (pruned models): exposes an unfitted or collapsed supernet.'),
  { key: 'params', label: 'Params (dense)', help: 'All weights and biases of the architecture.', better: null, get: (a) => a.params, format: (v) => compact(asMs(v)?.mean) },
  { key: 'nonzeroParams', label: 'Nonzero params', help: 'Parameters left after pruning.', better: 'low', get: (a) => a.nonzeroParams, format: (v) => compact(asMs(v)?.mean) },
  { key: 'compression', label: 'Compression', help: 'Ratio r: OMP keeps 1/r of the encoder weights (the classifier stays dense).', better: null, get: (a) => a.compression, format: (v) => compression(asMs(v)?.mean ?? 1) },
  { key: 'flopsDense', label: 'FLOPs (dense)', help: 'Multiply-adds per example of the unpruned architecture.', better: null, get: (a) => a.flopsDense, format: (v) => compact(asMs(v)?.mean) },
  { key: 'flopsSparse', label: 'FLOPs (sparse)', help: 'Multiply-adds per example counting only nonzero weights.', better: 'low', get: (a) => a.flopsSparse, format: (v) => compact(asMs(v)?.mean) },
  { key: 'trainSeconds', label: 'Train time', help: 'Wall time to train the model (supernet + finetune for pruned models), per seed.', better: 'low', get: (a) => a.trainSeconds, format: (v) => numMeanStd(asMs(v), 's', 1) },
  {
    key: 'inferenceMsPerExample',
    label: 'Latency',
    help: 'Inference time per test example (dense kernels: pruning does not make it faster here).',
    better: 'low',
    get: (a) => a.inferenceMsPerExample,
    format: (v) => numMeanStd(asMs(v), 'ms', 3)
  }
]

export interface MetricRow {
  entry: Entry
  label: string
  runName: string
  datasetName: string
  seeds: number
  aggregate: ModelAggregate | null
}

export function buildRows(entries: Entry[], runs: Record<string, RunDetail | undefined>): MetricRow[] {
  const letters = runLetters(entries)
  return entries.map((e) => {
    const run = runs[e.runId]
    const a = aggregateOf(run, e) ?? null
    return { entry: e, label: entryLabel(e, letters), runName: run?.name ?? e.runId, datasetName: run?.datasetName ?? '', seeds: a?.seeds ?? 0, aggregate: a }
  })
}

function meanOf(v: MeanStd | number | null): number | null {
  if (v == null) return null
  const m = typeof v === 'number' ? v : v.mean
  return Number.isFinite(m) ? m : null
}

/** Row indices holding the best value of a column (ties all count); empty when fewer than two rows have a value. */
export function bestRows(rows: MetricRow[], col: MetricColumn): Set<number> {
  const best = new Set<number>()
  if (!col.better) return best
  const vals = rows.map((r) => (r.aggregate ? meanOf(col.get(r.aggregate)) : null))
  const present = vals.filter((v): v is number => v != null)
  if (present.length < 2) return best
  const target = col.better === 'high' ? Math.max(...present) : Math.min(...present)
  if (present.every((v) => v === target)) return best
  vals.forEach((v, i) => {
    if (v != null && Math.abs(v - target) <= 1e-12 * Math.max(1, Math.abs(target))) best.add(i)
  })
  return best
}

/** Rows whose test accuracy is within 1.5× of chance: their consistency says nothing about invariance. */
export function nearChance(row: MetricRow, classes: number): boolean {
  if (!row.aggregate || classes < 2) return false
  return row.aggregate.balancedAccuracy.mean < 1.5 / classes
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** One line per row; mean and std in separate columns, raw numbers (shares as 0..1), so spreadsheets can compute. */
export function toCsv(rows: MetricRow[]): string {
  const head = ['run', 'dataset', 'model', 'model_label', 'compression', 'seeds']
  for (const c of METRIC_COLUMNS) {
    if (c.key === 'compression') continue
    const v = rows.find((r) => r.aggregate)?.aggregate
    const sample = v ? c.get(v) : null
    if (typeof sample === 'number') head.push(c.key)
    else head.push(`${c.key}_mean`, `${c.key}_std`)
  }
  const lines = [head.join(',')]
  for (const r of rows) {
    const cells: string[] = [r.runName, r.datasetName, r.entry.model, MODEL_LABELS[r.entry.model], String(r.entry.compression), String(r.seeds)]
    for (const c of METRIC_COLUMNS) {
      if (c.key === 'compression') continue
      const v = r.aggregate ? c.get(r.aggregate) : null
      const colIsScalar = head.includes(c.key)
      if (colIsScalar) cells.push(v == null ? '' : String(typeof v === 'number' ? v : v.mean))
      else if (v == null) cells.push('', '')
      else if (typeof v === 'number') cells.push(String(v), '0')
      else cells.push(String(v.mean), String(v.std))
    }
    lines.push(cells.map(csvCell).join(','))
  }
  return lines.join('\r\n') + '\r\n'
}

/** The table as JSON: every row with its run, model and the full aggregate (mean, std, n per metric). */
export function toJson(rows: MetricRow[], generatedAt: string): string {
  return JSON.stringify(
    {
      generatedAt,
      note: 'mean ± std over seeds (n = seeds); shares in 0..1; compression r keeps 1/r of the encoder weights',
      rows: rows.map((r) => ({ run: r.runName, runId: r.entry.runId, dataset: r.datasetName, model: r.entry.model, label: r.label, compression: r.entry.compression, seeds: r.seeds, metrics: r.aggregate }))
    },
    null,
    2
  )
}
