/**
 * The comparison cart: (run, model, compression) entries and the data behind them (run details, epoch metrics,
 * first-layer artifacts), loaded once per run and refreshed when a run in the cart changes.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { isLive, type EpochMetrics, type FirstLayerArtifact, type Req, type RunDetail } from '@contract'
import { api } from '../api/client'
import { entriesOfRun, entryKey, runLetters, sameEntry, type Entry } from '../lib/entries'
import { buildRows } from '../lib/metricsTable'
import type { CurveMetric } from '../lib/curves'

const STORAGE_KEY = 'iunet-compare-cart'

function loadCart(): Entry[] {
  try {
    const raw = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]') as unknown
    return Array.isArray(raw)
      ? (raw.filter((e) => e && typeof e.runId === 'string' && typeof e.model === 'string' && typeof e.compression === 'number') as Entry[])
      : []
  } catch {
    return []
  }
}

export const useCompareStore = defineStore('compare', () => {
  const cart = ref<Entry[]>(loadCart())
  const details = ref<Record<string, RunDetail>>({})
  const metrics = ref<Record<string, EpochMetrics[]>>({})
  const artifacts = ref<Record<string, FirstLayerArtifact[]>>({})
  const loading = ref(0)
  /** Learning-curve view: which metric, and best-so-far vs per-epoch ("last") values. */
  const curveMetric = ref<CurveMetric>('valAccuracy')
  const curveMode = ref<'best' | 'last'>('last')
  /** Final model's epochs, or the supernetwork's before pruning. */
  const curvePhase = ref<'final' | 'supernet'>('final')
  /** Per-epoch view: a ± std band around the mean, or each replicate's (seed × fold) own curve under it. */
  const curveSpread = ref<'band' | 'each'>('band')
  const error = ref<string | null>(null)
  /** Runs that were deleted since they entered the cart. */
  const missing = new Set<string>()

  const runIds = computed(() => [...new Set(cart.value.map((e) => e.runId))])
  const letters = computed(() => runLetters(cart.value))
  const rows = computed(() => buildRows(cart.value, details.value))

  function save() {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(cart.value))
  }

  async function loadRun(id: string, force = false): Promise<RunDetail | null> {
    if (details.value[id] && !force) return details.value[id]!
    loading.value++
    try {
      const [d, m, a] = await Promise.all([api.call('runs.get', { id }), api.call('runs.metrics', { id }), api.call('runs.artifacts', { id })])
      details.value = { ...details.value, [id]: d }
      metrics.value = { ...metrics.value, [id]: m }
      artifacts.value = { ...artifacts.value, [id]: a }
      error.value = null
      return d
    } catch (e) {
      if ((e as { code?: string }).code === 'not-found') missing.add(id)
      else error.value = (e as Error).message
      return null
    } finally {
      loading.value--
    }
  }

  /** Loads every run of the cart; entries of runs that no longer exist leave the cart. */
  async function loadCartRuns() {
    const ids = runIds.value
    await Promise.all(ids.map((id) => loadRun(id)))
    if (ids.some((id) => missing.has(id))) {
      cart.value = cart.value.filter((e) => !missing.has(e.runId))
      save()
    }
  }

  function add(entries: Entry[]) {
    const next = [...cart.value]
    for (const e of entries) if (!next.some((x) => sameEntry(x, e))) next.push(e)
    cart.value = next
    save()
  }

  /** Puts every model of a run in the cart (the Runs list's "open"). */
  async function addRun(id: string) {
    const d = await loadRun(id, true)
    if (d) add(entriesOfRun(d))
  }

  function remove(e: Entry) {
    cart.value = cart.value.filter((x) => entryKey(x) !== entryKey(e))
    save()
  }

  function clear() {
    cart.value = []
    save()
  }

  api.on('runs.changed', () => {
    // Results of a run still training arrive while the user looks at it.
    for (const id of runIds.value) {
      const d = details.value[id]
      if (d && isLive(d.status)) void loadRun(id, true)
    }
  })

  /** One stored model as an export bundle: written under the data folder (its folder answered), or as a zip. */
  async function writeModel(ref: Req<'models.export'>): Promise<string> {
    return (await api.call('models.export', ref)).dir
  }
  async function downloadModel(ref: Req<'models.download'>) {
    return api.call('models.download', ref)
  }

  return {
    writeModel,
    downloadModel,
    cart,
    curveMetric,
    curveMode,
    curvePhase,
    curveSpread,
    details,
    metrics,
    artifacts,
    loading,
    error,
    runIds,
    letters,
    rows,
    loadRun,
    loadCartRuns,
    add,
    addRun,
    remove,
    clear
  }
})
