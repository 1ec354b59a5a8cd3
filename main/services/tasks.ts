/**
 * The training tasks of a run: one per model × seed, and with repeated k-fold (`split.kfold = k`) one per
 * model × seed × fold, where the seed picks the repeat's partition (r × k CV with r = seeds) and the fold its test
 * part. Every task of a (seed, fold) sees the same data, so models are paired on it.
 */
import type { EpochMetrics, FirstLayerArtifact, ModelKind, ModelResult, RunConfig } from '../contract/index.ts'

export interface TrainingTask {
  model: ModelKind
  seed: number
  /** k-fold runs only. */
  fold?: number
}

/** Folds per seed: k with k-fold, else one (no fold). */
export function foldsOf(config: Pick<RunConfig, 'split'>): (number | undefined)[] {
  const k = config.split.kfold
  return k ? Array.from({ length: k }, (_, f) => f) : [undefined]
}

/** Seed-major, then fold, then the models in the order given (the order tasks are queued). */
export function trainingTasks(config: Pick<RunConfig, 'seeds' | 'models' | 'split'>): TrainingTask[] {
  const out: TrainingTask[] = []
  for (let seed = 0; seed < config.seeds; seed++) {
    for (const fold of foldsOf(config)) for (const model of config.models) out.push(fold === undefined ? { model, seed } : { model, seed, fold })
  }
  return out
}

/** "model/seed" or "model/seed/fold": the key of a task, of its results and of its checkpoint. */
export function taskKey(t: { model: ModelKind; seed: number; fold?: number }): string {
  return t.fold === undefined ? `${t.model}/${t.seed}` : `${t.model}/${t.seed}/${t.fold}`
}

/** Human name of a task for error messages. */
export function taskLabel(t: TrainingTask): string {
  return t.fold === undefined ? `seed ${t.seed}` : `seed ${t.seed}, fold ${t.fold}`
}

/** Marks what a task's worker returned with the task's fold (the engine knows seeds only). */
export function withFold<T extends ModelResult | FirstLayerArtifact | EpochMetrics>(x: T, fold: number | undefined): T {
  return fold === undefined ? x : { ...x, fold }
}
