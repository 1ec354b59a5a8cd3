/**
 * What `iunet run --json` adds to the aggregates: the per-seed values, so anyone can run their own test (the paired
 * test of IUNet against the dense MLP comes with the run's detail, from the services).
 */
import type { ModelKind, ModelResult, RunDetail } from '../contract/index.ts'

export interface SeedValues {
  seed: number
  /** Repeated k-fold runs: the fold (one entry per seed × fold). */
  fold?: number
  accuracy: number
  balancedAccuracy: number
  macroF1: number
  invariance: number
  representationInvariance: number
  supernetValAccuracy: number | null
  trainSeconds: number
}

const sameCell = (r: ModelResult, model: ModelKind, compression: number) => r.model === model && r.compression === compression

/** One entry per seed (× fold with k-fold) of (model, compression), ordered by seed, then fold. */
export function perSeed(detail: RunDetail, model: ModelKind, compression: number): SeedValues[] {
  return detail.results
    .filter((r) => sameCell(r, model, compression))
    .sort((a, b) => a.seed - b.seed || (a.fold ?? 0) - (b.fold ?? 0))
    .map((r) => ({
      seed: r.seed,
      ...(r.fold === undefined ? {} : { fold: r.fold }),
      accuracy: r.accuracy,
      balancedAccuracy: r.balancedAccuracy,
      macroF1: r.macroF1,
      invariance: r.invariancePrediction,
      representationInvariance: r.invarianceRepresentation,
      supernetValAccuracy: r.supernetValAccuracy,
      trainSeconds: r.trainSeconds
    }))
}
