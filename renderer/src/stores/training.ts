/**
 * The live view of one run: its detail, every epoch's metrics, per-(model, seed) progress, run progress and ETA.
 * History comes from `runs.get` + `runs.metrics` on open (a reload loses nothing); then `run.progress`,
 * `run.status` and `run.result` keep it live. Chart data changes are published at most 4× a second (`tick`).
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { taskEpochs, phaseEpochs, phaseOf, type EpochMetrics, type EventPayload, type ModelKind, type Phase, type RunDetail, type RunStatus } from '@contract'
import { api } from '../api/client'

export interface TaskState {
  key: string
  model: ModelKind
  seed: number
  phase: Phase | 'queued'
  compression: number
  epoch: number
  totalEpochs: number
  /** Epochs reported so far over all phases, and how many the task will report. */
  doneEpochs: number
  expectedEpochs: number
  lastValAccuracy: number | null
  finished: boolean
}

export const taskKey = (model: string, seed: number) => `${model}|${seed}`
export const isActive = (s: RunStatus | undefined) => s === 'running' || s === 'queued'

export const useTrainingStore = defineStore('training', () => {
  const runId = ref<string | null>(null)
  const detail = ref<RunDetail | null>(null)
  const loading = ref(false)
  const error = ref<unknown>(null)
  const status = ref<RunStatus | null>(null)
  const runError = ref<string | null>(null)
  const runProgress = ref(0)
  const etaSeconds = ref<number | null>(null)
  const tasks = ref<TaskState[]>([])
  /** Every epoch so far, grouped by task key; read through `tick` so charts redraw at most 4 Hz. */
  const metrics = shallowRef(new Map<string, EpochMetrics[]>())
  const tick = ref(0)

  let flushTimer: ReturnType<typeof setTimeout> | null = null
  function scheduleFlush() {
    if (flushTimer) return
    flushTimer = setTimeout(() => {
      flushTimer = null
      tick.value++
    }, 250)
  }

  function phaseTotal(model: ModelKind, phase: string, d: RunDetail): number {
    const step = phaseOf(model, phase)
    return step ? phaseEpochs(step, d.config) : 0
  }

  let token = 0
  async function open(id: string) {
    if (runId.value === id && detail.value) return refresh()
    runId.value = id
    detail.value = null
    tasks.value = []
    metrics.value = new Map()
    runProgress.value = 0
    etaSeconds.value = null
    await refresh()
  }

  async function refresh() {
    const id = runId.value
    if (!id) return
    const t = ++token
    loading.value = true
    error.value = null
    try {
      const [d, m] = await Promise.all([api.call('runs.get', { id }), api.call('runs.metrics', { id })])
      if (t !== token) return
      detail.value = d
      status.value = d.status
      runError.value = d.error
      runProgress.value = d.progress
      const byTask = new Map<string, EpochMetrics[]>()
      for (const e of m) {
        const k = taskKey(e.model, e.seed)
        if (!byTask.has(k)) byTask.set(k, [])
        byTask.get(k)!.push(e)
      }
      metrics.value = byTask
      const withResult = new Set(d.results.map((r) => taskKey(r.model, r.seed)))
      const next: TaskState[] = []
      for (let seed = 0; seed < d.config.seeds; seed++) {
        for (const model of d.config.models) {
          const k = taskKey(model, seed)
          const hist = byTask.get(k) ?? []
          const last = hist[hist.length - 1]
          const finished = withResult.has(k)
          next.push({
            key: k,
            model,
            seed,
            phase: finished ? 'done' : (last?.phase ?? 'queued'),
            compression: last?.compression ?? 1,
            epoch: last?.epoch ?? 0,
            totalEpochs: last ? phaseTotal(model, last.phase, d) : 0,
            doneEpochs: finished ? taskEpochs(model, d.config) : hist.length,
            expectedEpochs: taskEpochs(model, d.config),
            lastValAccuracy: last?.valAccuracy ?? null,
            finished
          })
        }
      }
      tasks.value = next
      tick.value++
    } catch (e) {
      if (t === token) error.value = e
    } finally {
      if (t === token) loading.value = false
    }
  }

  function onProgress(p: EventPayload<'run.progress'>) {
    if (p.runId !== runId.value) return
    runProgress.value = p.runProgress
    etaSeconds.value = p.etaSeconds
    if (status.value === 'queued') status.value = 'running'
    const task = tasks.value.find((t) => t.model === p.model && t.seed === p.seed)
    if (task) {
      task.phase = p.phase
      task.compression = p.compression
      if (p.totalEpochs) {
        task.epoch = p.epoch
        task.totalEpochs = p.totalEpochs
      }
      if (p.phase === 'done') {
        task.finished = true
        task.doneEpochs = task.expectedEpochs
      }
    }
    if (p.metrics) {
      const k = taskKey(p.model, p.seed)
      const list = metrics.value.get(k) ?? []
      list.push(p.metrics)
      metrics.value.set(k, list)
      if (task) {
        task.doneEpochs = Math.min(task.expectedEpochs, task.doneEpochs + 1)
        task.lastValAccuracy = p.metrics.valAccuracy
      }
      scheduleFlush()
    }
  }
  function onStatus(s: EventPayload<'run.status'>) {
    if (s.runId !== runId.value) return
    status.value = s.status
    runError.value = s.error
    if (!isActive(s.status)) {
      if (s.status === 'finished') runProgress.value = 1
      etaSeconds.value = null
      void refresh()
    }
  }
  function onResult(r: EventPayload<'run.result'>) {
    if (r.runId !== runId.value) return
    const task = tasks.value.find((t) => t.model === r.result.model && t.seed === r.result.seed)
    if (task) {
      task.finished = true
      task.phase = 'done'
      task.doneEpochs = task.expectedEpochs
    }
    if (detail.value) detail.value.results.push(r.result)
  }

  async function cancel() {
    if (runId.value) await api.call('runs.cancel', { id: runId.value })
  }

  api.on('run.progress', onProgress)
  api.on('run.status', onStatus)
  api.on('run.result', onResult)

  const models = computed(() => detail.value?.config.models ?? [])
  return { runId, detail, loading, error, status, runError, runProgress, etaSeconds, tasks, metrics, tick, models, open, refresh, cancel }
})
