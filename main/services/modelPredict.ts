/**
 * Prediction with a bundle (or a stored model): the bundle's preprocessing applied to a CSV's rows, then the
 * network on the app's own engine; optionally written as a CSV (contract csv: formula-safe; lib atomic write).
 */
import { type CsvValue, toCsv } from '../contract/index.ts'
import { encodeRecords, readCsvRecords } from '../data/records.ts'
import { initBackend } from '../engine/backend.ts'
import { predictProbabilities } from '../engine/export/trained.ts'
import { writeFileAtomic } from '../lib/atomic.ts'
import { loadModelFolder } from './modelBundle.ts'

export interface Prediction {
  predicted: string
  probabilities: number[]
}

let backendReady: Promise<unknown> | null = null

/** Predicts every row of the CSV at `dataPath` with the model folder at `modelDir` (both already access-checked). */
export async function predictCsv(modelDir: string, dataPath: string) {
  const { trained, pre } = loadModelFolder(modelDir)
  const { columns, records } = await readCsvRecords(dataPath)
  const { x, check } = encodeRecords(pre, columns, records)
  backendReady ??= initBackend('cpu')
  await backendReady
  const n = records.length
  const k = pre.classNames.length
  const probs = n ? predictProbabilities(trained, x, n) : new Float32Array(0)
  const predictions: Prediction[] = Array.from({ length: n }, (_, i) => {
    const p = Array.from(probs.subarray(i * k, (i + 1) * k))
    const best = p.reduce((b, v, j) => (v > p[b]! ? j : b), 0)
    return { predicted: pre.classNames[best]!, probabilities: p }
  })
  return { classNames: pre.classNames, predictions, pooledIntoOther: check.pooledIntoOther }
}

/** The predictions CSV: predicted, p_<class>… (one line per row, in the input's order). */
export function predictionsCsv(classNames: readonly string[], predictions: readonly Prediction[]): string {
  const header: CsvValue[] = ['predicted', ...classNames.map((c) => `p_${c}`)]
  return toCsv(
    header,
    predictions.map((p) => [p.predicted, ...p.probabilities]),
    '\n'
  )
}

/** Writes the predictions CSV at `out` atomically. */
export function writePredictions(out: string, classNames: readonly string[], predictions: readonly Prediction[]): void {
  writeFileAtomic(out, predictionsCsv(classNames, predictions))
}
