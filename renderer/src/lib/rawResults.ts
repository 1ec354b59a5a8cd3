/**
 * The raw results behind a comparison: one row per run × model × compression × seed (× fold with repeated
 * k-fold), so anyone can run their own tests on the exported numbers.
 */
import { MODEL_LABELS, toCsv, type CsvValue, type RunDetail } from '@contract'

export interface RawResultRow {
  runId: string
  run: string
  dataset: string
  model: string
  label: string
  compression: number
  seed: number
  /** Repeated k-fold runs only; null otherwise. */
  fold: number | null
  accuracy: number
  balancedAccuracy: number
  macroF1: number
  invariancePrediction: number
  invarianceRepresentation: number
  supernetValAccuracy: number | null
  /** Scores on the validation split at the kept epoch (what a fair selection reads); null when none were logged. */
  validationAccuracy: number | null
  validationBalancedAccuracy: number | null
  validationMacroF1: number | null
  /** Tabular MLP-family models: the first layer's locality over every unit; null otherwise. */
  singleFeatureShare: number | null
  meanFeatures: number | null
  /** Units reading exactly 0, 1, … features (the CSV writes the counts separated by spaces). */
  localityHistogram: number[] | null
  trainSeconds: number
  params: number
  nonzeroParams: number
}

/** Every stored result of the given runs, in run order, then model, compression, seed and fold. */
export function rawResults(runs: readonly RunDetail[]): RawResultRow[] {
  return runs.flatMap((d) =>
    [...d.results]
      .sort((a, b) => a.model.localeCompare(b.model) || a.compression - b.compression || a.seed - b.seed || (a.fold ?? 0) - (b.fold ?? 0))
      .map((r) => ({
        runId: d.id,
        run: d.name,
        dataset: d.datasetName,
        model: r.model,
        label: MODEL_LABELS[r.model],
        compression: r.compression,
        seed: r.seed,
        fold: r.fold ?? null,
        accuracy: r.accuracy,
        balancedAccuracy: r.balancedAccuracy,
        macroF1: r.macroF1,
        invariancePrediction: r.invariancePrediction,
        invarianceRepresentation: r.invarianceRepresentation,
        supernetValAccuracy: r.supernetValAccuracy,
        validationAccuracy: r.validation?.accuracy ?? null,
        validationBalancedAccuracy: r.validation?.balancedAccuracy ?? null,
        validationMacroF1: r.validation?.macroF1 ?? null,
        singleFeatureShare: r.locality?.singleFeatureShare ?? null,
        meanFeatures: r.locality?.meanFeatures ?? null,
        localityHistogram: r.locality?.histogram ?? null,
        trainSeconds: r.trainSeconds,
        params: r.params,
        nonzeroParams: r.nonzeroParams
      }))
  )
}

const COLUMNS: (keyof RawResultRow)[] = [
  'runId',
  'run',
  'dataset',
  'model',
  'label',
  'compression',
  'seed',
  'fold',
  'accuracy',
  'balancedAccuracy',
  'macroF1',
  'invariancePrediction',
  'invarianceRepresentation',
  'supernetValAccuracy',
  'validationAccuracy',
  'validationBalancedAccuracy',
  'validationMacroF1',
  'singleFeatureShare',
  'meanFeatures',
  'localityHistogram',
  'trainSeconds',
  'params',
  'nonzeroParams'
]

export function rawResultsCsv(rows: readonly RawResultRow[]): string {
  return toCsv(
    COLUMNS,
    rows.map((r) => COLUMNS.map((c) => (Array.isArray(r[c]) ? (r[c] as number[]).join(' ') : (r[c] as CsvValue))))
  )
}

export function rawResultsJson(rows: readonly RawResultRow[], generatedAt: string): string {
  return JSON.stringify(
    {
      generatedAt,
      note: 'one row per model × compression × seed (× fold with repeated k-fold); shares in 0..1; validation* = the validation split at the kept epoch; singleFeatureShare, meanFeatures and localityHistogram (units reading 0, 1, … features) = the tabular first layer over every unit',
      rows
    },
    null,
    2
  )
}
