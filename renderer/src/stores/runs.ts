/** The runs list, kept fresh by status events; filtering, deleting, cancelling and rerunning runs. */
import { defineStore } from 'pinia'
import { computed, reactive, ref } from 'vue'
import type { RunSummary } from '@contract'
import { api } from '../api/client'
import { filterRuns, runDatasets, type RunsFilter } from '../lib/runsFilter'

export const useRunsStore = defineStore('runs', () => {
  const list = ref<RunSummary[]>([])
  const loaded = ref(false)
  const error = ref<string | null>(null)
  const filter = reactive<RunsFilter>({ statuses: [], datasetId: null, text: '' })
  const filtered = computed(() => filterRuns(list.value, filter))
  const datasets = computed(() => runDatasets(list.value))

  async function refresh() {
    try {
      list.value = await api.call('runs.list', {})
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    } finally {
      loaded.value = true
    }
  }

  async function remove(id: string) {
    await api.call('runs.delete', { id })
    list.value = list.value.filter((r) => r.id !== id)
  }

  async function cancel(id: string) {
    await api.call('runs.cancel', { id })
    await refresh()
  }

  /** Continues an interrupted or failed run from its checkpoints (finished models are kept). */
  async function resume(id: string): Promise<RunSummary> {
    const resumed = await api.call('runs.resume', { id })
    await refresh()
    return resumed
  }

  /** Starts a new run with exactly the settings of `id`; returns the new run. */
  async function rerun(id: string): Promise<RunSummary> {
    const detail = await api.call('runs.get', { id })
    const started = await api.call('runs.start', detail.config)
    await refresh()
    return started
  }

  function clearFilter() {
    filter.statuses = []
    filter.datasetId = null
    filter.text = ''
  }

  api.on('runs.changed', () => void refresh())
  // Progress of running runs moves with every epoch; only status changes refresh the whole list.
  api.on('run.progress', (p) => {
    const r = list.value.find((x) => x.id === p.runId)
    if (r && r.status === 'running') r.progress = Math.max(r.progress, Math.min(1, p.runProgress))
  })
  return { list, loaded, error, filter, filtered, datasets, refresh, remove, cancel, resume, rerun, clearFilter }
})
