/**
 * The comparison's metrics table: columns, rows from run aggregates, the best value per column, CSV and JSON
 * (DOM-free; the view, the exports and the HTML report all use these).
 */
import { MODEL_LABELS, type MeanStd, type ModelAggregate, type RunDetail } from '@contract'
import { aggregateOf, entryLabel, runLetters, type Entry } from './entries'
import { compact, compression, numMeanStd, pctMeanStd } from './format'
import { replicatesOf, type Replicates } from './replicates'

export type Better = 'high' | 'low' | null

export interface MetricColumn {
  key: string
  label: string
  /** Longer explanation for a header tooltip / the report. */
  help: string
  better: Better
  /** Value as a mean ± std over the run's replicates (seeds, × folds with k-fold), or a single number. */
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
  pctCol('accuracy', 'Accuracy', 'Test accuracy, mean ± std over the seeds (× folds with k-fold).'),
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
  pctCol(
    'supernetValAccuracy',
    'Supernet val. acc.',
    'Validation accuracy of the supernetwork just before pruning (pruned models): exposes an unfitted or collapsed supernet.'
  ),
  {
    key: 'params',
    label: 'Params (dense)',
    help: 'All weights and biases of the architecture.',
    better: null,
    get: (a) => a.params,
    format: (v) => compact(asMs(v)?.mean)
  },
  {
    key: 'nonzeroParams',
    label: 'Nonzero params',
    help: 'Parameters left after pruning.',
    better: 'low',
    get: (a) => a.nonzeroParams,
    format: (v) => compact(asMs(v)?.mean)
  },
  {
    key: 'compression',
    label: 'Compression',
    help: 'Ratio r: OMP keeps 1/r of the encoder weights (the classifier stays dense).',
    better: null,
    get: (a) => a.compression,
    format: (v) => compression(asMs(v)?.mean ?? 1)
  },
  {
    key: 'flopsDense',
    label: 'FLOPs (dense)',
    help: 'Multiply-adds per example of the unpruned architecture.',
    better: null,
    get: (a) => a.flopsDense,
    format: (v) => compact(asMs(v)?.mean)
  },
  {
    key: 'flopsSparse',
    label: 'FLOPs (sparse)',
    help: 'Multiply-adds per example counting only nonzero weights.',
    better: 'low',
    get: (a) => a.flopsSparse,
    format: (v) => compact(asMs(v)?.mean)
  },
  {
    key: 'trainSeconds',
    label: 'Train time',
    help: 'Wall time to train the model (supernet + finetune for pruned models), per seed (and fold).',
    better: 'low',
    get: (a) => a.trainSeconds,
    format: (v) => numMeanStd(asMs(v), 's', 1)
  },
  {
    key: 'inferenceMsPerExample',
    label: 'Latency',
    help: 'Inference time per test example (dense kernels: pruning does not make it faster here).',
    better: 'low',
    get: (a) => a.inferenceMsPerExample,
    format: (v) => numMeanStd(asMs(v), 'ms', 3)
  }
]

/**
 * Columns shown together so a table fits a 1280 px window; every group keeps accuracy as the anchor, 'all' is
 * every column (the table then scrolls sideways under a sticky model column).
 */
export type ColumnGroup = 'quality' | 'cost' | 'all'
export const COLUMN_GROUPS: { key: ColumnGroup; label: string; columns: string[] }[] = [
  {
    key: 'quality',
    label: 'Accuracy & invariance',
    columns: ['accuracy', 'balancedAccuracy', 'macroF1', 'invariancePrediction', 'invarianceRepresentation', 'supernetValAccuracy']
  },
  // Dense FLOPs only under 'all': a pruned model's dense FLOPs are its dense counterpart's (sparse = dense there).
  {
    key: 'cost',
    label: 'Size & cost',
    columns: ['accuracy', 'params', 'nonzeroParams', 'compression', 'flopsSparse', 'trainSeconds', 'inferenceMsPerExample']
  },
  { key: 'all', label: 'All columns', columns: METRIC_COLUMNS.map((c) => c.key) }
]

export function columnsOf(group: ColumnGroup): MetricColumn[] {
  const keys = COLUMN_GROUPS.find((g) => g.key === group)?.columns ?? []
  return METRIC_COLUMNS.filter((c) => keys.includes(c.key))
}

export interface MetricRow {
  entry: Entry
  label: string
  runName: string
  /** Rows are only ranked against rows of the same dataset ("best" never crosses datasets). */
  datasetId: string
  datasetName: string
  /** What the run repeats (seeds, × folds) and the test that fits it; null while the run is not loaded. */
  replicates: Replicates | null
  /** Replicates behind this row's mean ± std: the results that finished (a live run has fewer than planned). */
  n: number
  aggregate: ModelAggregate | null
}

export function buildRows(entries: Entry[], runs: Record<string, RunDetail | undefined>): MetricRow[] {
  const letters = runLetters(entries)
  return entries.map((e) => {
    const run = runs[e.runId]
    const a = aggregateOf(run, e) ?? null
    return {
      entry: e,
      label: entryLabel(e, letters),
      runName: run?.name ?? e.runId,
      datasetId: run?.datasetId ?? '',
      datasetName: run?.datasetName ?? '',
      replicates: run ? replicatesOf(run.config) : null,
      n: a?.seeds ?? 0,
      aggregate: a
    }
  })
}

function meanOf(v: MeanStd | number | null): number | null {
  if (v == null) return null
  const m = typeof v === 'number' ? v : v.mean
  return Number.isFinite(m) ? m : null
}

/** True when the rows come from more than one dataset (then "best" is per dataset). */
export function spansDatasets(rows: MetricRow[]): boolean {
  return new Set(rows.map((r) => r.datasetId)).size > 1
}

/**
 * Row indices holding the best value of a column, ranked within each dataset (accuracies on different data are
 * not comparable); ties all count; a dataset with fewer than two values, or with one value everywhere, has none.
 */
export function bestRows(rows: MetricRow[], col: MetricColumn): Set<number> {
  const best = new Set<number>()
  if (!col.better) return best
  const byDataset = new Map<string, number[]>()
  rows.forEach((r, i) => byDataset.set(r.datasetId, [...(byDataset.get(r.datasetId) ?? []), i]))
  for (const idx of byDataset.values()) {
    const vals = idx
      .map((i) => ({ i, v: rows[i]!.aggregate ? meanOf(col.get(rows[i]!.aggregate!)) : null }))
      .filter((x): x is { i: number; v: number } => x.v != null)
    if (vals.length < 2) continue
    const target = col.better === 'high' ? Math.max(...vals.map((x) => x.v)) : Math.min(...vals.map((x) => x.v))
    if (vals.every((x) => x.v === target)) continue
    for (const x of vals) if (Math.abs(x.v - target) <= 1e-12 * Math.max(1, Math.abs(target))) best.add(x.i)
  }
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
  const head = ['run', 'dataset', 'model', 'model_label', 'compression', 'replicates', 'n']
  for (const c of METRIC_COLUMNS) {
    if (c.key === 'compression') continue
    const v = rows.find((r) => r.aggregate)?.aggregate
    const sample = v ? c.get(v) : null
    if (typeof sample === 'number') head.push(c.key)
    else head.push(`${c.key}_mean`, `${c.key}_std`)
  }
  const lines = [head.join(',')]
  for (const r of rows) {
    const cells: string[] = [
      r.runName,
      r.datasetName,
      r.entry.model,
      MODEL_LABELS[r.entry.model],
      String(r.entry.compression),
      r.replicates?.text ?? '',
      String(r.n)
    ]
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
      note: "mean ± std over each row's replicates (seeds, × folds with k-fold; n of them finished); shares in 0..1; compression r keeps 1/r of the encoder weights",
      rows: rows.map((r) => ({
        run: r.runName,
        runId: r.entry.runId,
        dataset: r.datasetName,
        model: r.entry.model,
        label: r.label,
        compression: r.entry.compression,
        replicates: r.replicates?.text ?? null,
        n: r.n,
        test: r.replicates?.test ?? null,
        metrics: r.aggregate
      }))
    },
    null,
    2
  )
}
