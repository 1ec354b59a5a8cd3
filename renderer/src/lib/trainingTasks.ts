/**
 * The Training view's rows: one per task of the run (model × seed × fold, the contract's runTasks), keyed by the
 * contract's taskKey, with the state its epochs and results say it is in (DOM-free, so it is tested as is).
 */
import {
  phaseEpochs,
  phaseOf,
  runTasks,
  taskEpochs,
  taskId,
  taskKey,
  taskOf,
  type EpochMetrics,
  type ModelResult,
  type Phase,
  type RunConfig,
  type TaskId
} from '@contract'

export interface TaskState extends TaskId {
  /** The contract's taskKey: "model/seed" or "model/seed/fold". */
  key: string
  phase: Phase | 'queued'
  compression: number
  /** Epoch within the current phase, and that phase's length. */
  epoch: number
  totalEpochs: number
  /** Epochs reported so far over all phases, and how many the task will report. */
  doneEpochs: number
  expectedEpochs: number
  lastValAccuracy: number | null
  finished: boolean
}

/** Every epoch, grouped by the task it belongs to (a fold's epochs never join another fold's). */
export function epochsByTask(metrics: readonly EpochMetrics[]): Map<string, EpochMetrics[]> {
  const out = new Map<string, EpochMetrics[]>()
  for (const e of metrics) {
    const k = taskKey(taskOf(e))
    const list = out.get(k)
    if (list) list.push(e)
    else out.set(k, [e])
  }
  return out
}

/** Epochs of the phase a task is in (0 for a phase its model does not have). */
export function phaseLength(model: TaskId['model'], phase: string, c: Pick<RunConfig, 'epochs' | 'finetuneEpochs'>): number {
  const step = phaseOf(model, phase)
  return step ? phaseEpochs(step, c) : 0
}

/** One state per task of the run, in the queue's order, from the stored epochs and results. */
export function taskStates(config: RunConfig, byTask: Map<string, EpochMetrics[]>, results: readonly ModelResult[]): TaskState[] {
  const withResult = new Set(results.map((r) => taskKey(taskOf(r))))
  return runTasks(config).map((t) => {
    const key = taskKey(t)
    const hist = byTask.get(key) ?? []
    const last = hist[hist.length - 1]
    const finished = withResult.has(key)
    const expected = taskEpochs(t.model, config)
    return {
      ...t,
      key,
      phase: finished ? 'done' : (last?.phase ?? 'queued'),
      compression: last?.compression ?? 1,
      epoch: last?.epoch ?? 0,
      totalEpochs: last ? phaseLength(t.model, last.phase, config) : 0,
      doneEpochs: finished ? expected : Math.min(expected, hist.length),
      expectedEpochs: expected,
      lastValAccuracy: last?.valAccuracy ?? null,
      finished
    }
  })
}

/** The key of the task an event (progress, result) is about. */
export function eventTaskKey(e: { model: TaskId['model']; seed: number; fold?: number }): string {
  return taskKey(taskId(e.model, e.seed, e.fold))
}
