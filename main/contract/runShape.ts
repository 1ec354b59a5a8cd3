/**
 * A run's shape, told once: which training tasks a config has (model × seed × fold), which results each yields
 * (one per compression ratio for pruned models), their keys and labels, how many there are, each task's epoch
 * budget, and what the replicates of an aggregate are (seeds, or seeds × folds). The services plan from it, the
 * workers key checkpoints by it, and every view (wizard, Training, Compare, Runs, export, CLI) counts and names
 * tasks with it, so no two places can disagree about what a run trains.
 *
 * With repeated k-fold (`split.kfold = k`) the seed picks the repeat's partition (r × k CV, r = seeds) and the fold
 * its test part; every task of a (seed, fold) sees the same data, so the models are paired on it.
 */
import { phaseEpochs, RECIPES } from './recipes.ts'
import type { EpochMetrics, FirstLayerArtifact, ModelResult, RunStatus } from './results.ts'
import { MODEL_LABELS, type ModelKind, type RunConfig, type SplitConfig } from './runConfig.ts'

/** What a run's shape depends on. */
export type ShapeConfig = Pick<RunConfig, 'models' | 'seeds' | 'split' | 'compressions'>
type Budget = Pick<RunConfig, 'epochs' | 'finetuneEpochs' | 'compressions'>

/** One training task: a model trained on one seed's (and, with k-fold, one fold's) data. */
export interface TaskId {
  model: ModelKind
  seed: number
  /** k-fold runs only: the fold (0..k−1) that is the test part. */
  fold?: number
}

/** One result of a task: the model at one compression ratio (1 for unpruned models). */
export interface ResultId extends TaskId {
  compression: number
}

/** What the fold count depends on: a config's split, or a summary's `{ split: { kfold } }`. */
export type FoldSource = { split: Pick<SplitConfig, 'kfold'> }

/** Folds per seed: k with repeated k-fold, else none. */
export function foldCount(c: FoldSource): number | null {
  return c.split.kfold ?? null
}

/** The folds of each seed: 0..k−1 with k-fold, else one entry without a fold. */
export function foldsOf(c: FoldSource): (number | undefined)[] {
  const k = foldCount(c)
  return k ? Array.from({ length: k }, (_, f) => f) : [undefined]
}

/** The compression ratios a run prunes to: each once, in the order given. */
export function ratiosOf(c: Pick<RunConfig, 'compressions'>): number[] {
  return [...new Set(c.compressions)]
}

/** The ratios a task of `model` yields a result at: every ratio when pruned, else 1 (dense). */
export function taskRatios(model: ModelKind, c: Pick<RunConfig, 'compressions'>): number[] {
  return RECIPES[model].prune ? ratiosOf(c) : [1]
}

/** A task (or result) with its fold only when it has one: the form results and checkpoints are stored in. */
export function taskId(model: ModelKind, seed: number, fold: number | undefined): TaskId {
  return fold === undefined ? { model, seed } : { model, seed, fold }
}

/** Every training task of a run: seed-major, then fold, then the models in the order given (the queue order). */
export function runTasks(c: ShapeConfig): TaskId[] {
  const out: TaskId[] = []
  for (let seed = 0; seed < c.seeds; seed++) for (const fold of foldsOf(c)) for (const model of c.models) out.push(taskId(model, seed, fold))
  return out
}

/** Every result a finished run stores: each task at each of its ratios. */
export function runResults(c: ShapeConfig): ResultId[] {
  return runTasks(c).flatMap((t) => taskRatios(t.model, c).map((compression) => ({ ...t, compression })))
}

/** "model/seed" or "model/seed/fold": the key of a task, of its epochs and of its checkpoint folder. */
export function taskKey(t: TaskId): string {
  return t.fold === undefined ? `${t.model}/${t.seed}` : `${t.model}/${t.seed}/${t.fold}`
}

/** "model/seed[/fold]@ratio": the key of one result. */
export function resultKey(r: ResultId): string {
  return `${taskKey(r)}@${r.compression}`
}

/** The task a result (or an epoch, an artifact) belongs to. */
export function taskOf(r: TaskId): TaskId {
  return taskId(r.model, r.seed, r.fold)
}

/** The one name of a compression ratio on every screen: "1/8" (keep one weight in 8); "dense" for 1. */
export function ratioLabel(r: number): string {
  return r === 1 ? 'dense' : `1/${Number(r.toPrecision(6))}`
}

/** "IUNet (pruned) 1/8" for a pruned model at a ratio; the model's label alone for unpruned ones. */
export function modelAtRatio(model: ModelKind, compression: number): string {
  return RECIPES[model].prune ? `${MODEL_LABELS[model]} ${ratioLabel(compression)}` : MODEL_LABELS[model]
}

/** "fold 2/3" (folds counted from 1 for people; stored from 0). */
export function foldLabel(fold: number, k: number | null): string {
  return k ? `fold ${fold + 1}/${k}` : `fold ${fold + 1}`
}

/** "seed 1 · fold 2/3", or "seed 1" without k-fold: where a task's data came from. */
export function replicateLabel(t: Pick<TaskId, 'seed' | 'fold'>, c?: FoldSource): string {
  return t.fold === undefined ? `seed ${t.seed}` : `seed ${t.seed} · ${foldLabel(t.fold, c ? foldCount(c) : null)}`
}

/** "IUNet (pruned) · seed 1 · fold 2/3": one task, as progress lines, rows and errors name it. */
export function taskLabel(t: TaskId, c?: FoldSource): string {
  return `${MODEL_LABELS[t.model]} · ${replicateLabel(t, c)}`
}

/** "IUNet (pruned) 1/8 · seed 1 · fold 2/3": one result. */
export function resultLabel(r: ResultId, c?: FoldSource): string {
  return `${modelAtRatio(r.model, r.compression)} · ${replicateLabel(r, c)}`
}

/** Epochs a task reports over all its phases (pruned models finetune once per ratio). */
export function taskEpochs(model: ModelKind, c: Budget): number {
  const ratios = ratiosOf(c).length
  return RECIPES[model].phases.reduce((n, p) => n + phaseEpochs(p, c) * (p.perRatio ? ratios : 1), 0)
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** Everything a view needs to count and describe a run, derived from its config alone. */
export interface RunShape {
  tasks: TaskId[]
  results: ResultId[]
  /** Folds per seed (null: one split per seed). */
  folds: number | null
  ratios: number[]
  /** Replicates behind each aggregate: seeds × folds (n of a mean ± std). */
  replicates: number
  /** Epochs reported by the whole run (the denominator of its progress). */
  epochs: number
}

export function runShape(c: ShapeConfig & Budget): RunShape {
  const tasks = runTasks(c)
  const folds = foldCount(c)
  return {
    tasks,
    results: runResults(c),
    folds,
    ratios: ratiosOf(c),
    replicates: c.seeds * (folds ?? 1),
    epochs: tasks.reduce((n, t) => n + taskEpochs(t.model, c), 0)
  }
}

/** "3 seeds" or "2 seeds × 3 folds": what a mean ± std is over. */
export function replicatesText(c: Pick<RunConfig, 'seeds'> & FoldSource): string {
  const k = foldCount(c)
  return k ? `${plural(c.seeds, 'seed')} × ${plural(k, 'fold')}` : plural(c.seeds, 'seed')
}

/** "12 training tasks (2 models × 2 seeds × 3 folds)". */
export function tasksText(c: ShapeConfig): string {
  const k = foldCount(c)
  const parts = [plural(c.models.length, 'model'), plural(c.seeds, 'seed'), ...(k ? [plural(k, 'fold')] : [])]
  return `${plural(runTasks(c).length, 'training task')} (${parts.join(' × ')})`
}

/**
 * The paired test of one model against another over a run's replicates: Student's paired t-test over seeds, or with
 * k-fold the corrected resampled t-test (Nadeau & Bengio 2003), whose variance term accounts for the overlap of
 * training sets between folds.
 */
export function pairedTestName(c: FoldSource): 'paired t-test' | 'corrected resampled t-test' {
  return foldCount(c) ? 'corrected resampled t-test' : 'paired t-test'
}

/** What a task's worker returned, marked with the task's fold (the engine knows seeds only). */
export function withFold<T extends ModelResult | FirstLayerArtifact | EpochMetrics>(x: T, fold: number | undefined): T {
  return fold === undefined ? x : { ...x, fold }
}

// ───────────── statuses ─────────────

/** A run that is queued or training: it may change any moment, and cannot be deleted or resumed. */
export function isLive(s: RunStatus | null | undefined): boolean {
  return s === 'queued' || s === 'running'
}

/** A run that stopped before it finished and can continue from its checkpoints. */
export function isResumable(s: RunStatus | null | undefined): boolean {
  return s === 'interrupted' || s === 'failed'
}
