/**
 * The live view of one run: its detail, every epoch's metrics, per-task progress (a task is model × seed × fold, as
 * the contract's runTasks lists them), run progress and ETA, and which fold the view shows. History comes from
 * `runs.get` + `runs.metrics` on open (a reload loses nothing); then `run.progress`, `run.status` and `run.result`
 * keep it live. Chart data changes are published at most 4× a second (`tick`).
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { foldCount, isLive, type EpochMetrics, type EventPayload, type RunDetail, type RunStatus } from '@contract'
import { api } from '../api/client'
import { epochsByTask, eventTaskKey, taskStates, type TaskState } from '../lib/trainingTasks'

export type { TaskState } from '../lib/trainingTasks'

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
  /** Every epoch so far, grouped by the contract's task key; read through `tick` so charts redraw at most 4 Hz. */
  const metrics = shallowRef(new Map<string, EpochMetrics[]>())
  const tick = ref(0)
  /** k-fold runs: the fold shown (0-based), or null for every fold. */
  const fold = ref<number | null>(null)

  const folds = computed(() => (detail.value ? foldCount(detail.value.config) : null))
  /** The tasks of the fold shown (all of them without k-fold or with "every fold"). */
  const shownTasks = computed(() => (fold.value === null ? tasks.value : tasks.value.filter((t) => t.fold === fold.value)))

  let flushTimer: ReturnType<typeof setTimeout> | null = null
  function scheduleFlush() {
    if (flushTimer) return
    flushTimer = setTimeout(() => {
      flushTimer = null
      tick.value++
    }, 250)
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
    fold.value = null
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
      metrics.value = epochsByTask(m)
      tasks.value = taskStates(d.config, metrics.value, d.results)
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
    const key = eventTaskKey(p)
    const task = tasks.value.find((t) => t.key === key)
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
      const list = metrics.value.get(key) ?? []
      list.push(p.metrics)
      metrics.value.set(key, list)
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
    if (!isLive(s.status)) {
      if (s.status === 'finished') runProgress.value = 1
      etaSeconds.value = null
      void refresh()
    }
  }
  function onResult(r: EventPayload<'run.result'>) {
    if (r.runId !== runId.value) return
    const key = eventTaskKey(r.result)
    const task = tasks.value.find((t) => t.key === key)
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
  const active = computed(() => isLive(status.value))
  return {
    runId,
    detail,
    loading,
    error,
    status,
    active,
    runError,
    runProgress,
    etaSeconds,
    tasks,
    shownTasks,
    fold,
    folds,
    metrics,
    tick,
    models,
    open,
    refresh,
    cancel
  }
})
