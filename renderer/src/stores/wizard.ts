/**
 * The new-run wizard: the chosen dataset, the run config being edited (seeded from `runs.defaults` for a preset),
 * its validation (the contract's own RunConfig schema plus rules the services would reject later), the time
 * estimate and the augmentation preview; and starting the run.
 */
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { IMAGE_ONLY_MODELS, MODEL_LABELS, RunConfig, type AugmentPreview, type DatasetDetail, type Preset, type RunSummary } from '@contract'
import { api } from '../api/client'

export const STEPS = ['Dataset', 'Target & split', 'Models', 'Settings', 'Review'] as const
/** Which step owns a config field (first path segment), for "Next" and for showing errors where they are fixed. */
const STEP_OF: Record<string, number> = { datasetId: 0, target: 1, split: 1, columns: 1, models: 2 }

export const useWizardStore = defineStore('wizard', () => {
  const step = ref(0)
  const dataset = ref<DatasetDetail | null>(null)
  const preset = ref<Preset>('quick')
  const config = ref<RunConfig | null>(null)
  const loading = ref(false)
  const error = ref<unknown>(null)
  const estimate = ref<{ seconds: number; basis: 'bench' | 'default' } | null>(null)
  const estimateError = ref<string | null>(null)
  const augment = ref<AugmentPreview | null>(null)
  const augmentError = ref<string | null>(null)
  const augmentSeed = ref(0)
  const starting = ref(false)
  const startError = ref<unknown>(null)

  async function chooseDataset(id: string) {
    if (dataset.value?.id === id && config.value) return
    loading.value = true
    error.value = null
    try {
      dataset.value = await api.call('datasets.get', { id })
      config.value = await api.call('runs.defaults', { datasetId: id, preset: preset.value })
      augment.value = null
    } catch (e) {
      error.value = e
      dataset.value = null
      config.value = null
    } finally {
      loading.value = false
    }
  }

  /** Applies a preset's settings; the dataset, target and split the user chose stay. */
  async function applyPreset(p: Preset) {
    preset.value = p
    if (!dataset.value) return
    loading.value = true
    try {
      const next = await api.call('runs.defaults', { datasetId: dataset.value.id, preset: p })
      const keep = config.value
      config.value = keep ? { ...next, target: keep.target, split: keep.split, name: keep.name } : next
      error.value = null
    } catch (e) {
      error.value = e
    } finally {
      loading.value = false
    }
  }

  /** Field path ("epochs", "augment.translate", "split") → message, for every problem in the config. */
  const issues = computed<Record<string, string>>(() => {
    const c = config.value
    if (!c) return { datasetId: 'choose a dataset' }
    const out: Record<string, string> = {}
    const r = RunConfig.safeParse(c)
    if (!r.success) {
      for (const i of r.error.issues) {
        const key = i.path.length ? i.path.join('.') : 'config'
        // A refine on the split object reports on "split": show it once, on the split.
        out[key] ??= /received (null|undefined)/.test(i.message) ? 'required' : /received NaN/.test(i.message) ? 'must be a number' : i.message
      }
    }
    if (dataset.value?.kind !== 'image') {
      const bad = c.models.filter((m) => IMAGE_ONLY_MODELS.includes(m))
      if (bad.length) out.models = `${bad.map((m) => MODEL_LABELS[m]).join(', ')} needs image data`
    }
    if (c.split.kfold !== null && c.split.kfold !== undefined && dataset.value && c.split.kfold > dataset.value.rows) out['split.kfold'] = 'more folds than rows'
    if (new Set(c.compressions).size !== c.compressions.length) out.compressions = 'each ratio once'
    return out
  })
  function stepOf(path: string): number {
    return STEP_OF[path.split('.')[0]!] ?? 3
  }
  const stepValid = computed(() => STEPS.map((_, i) => (i === 4 ? Object.keys(issues.value).length === 0 : !Object.keys(issues.value).some((k) => stepOf(k) === i))))
  const valid = computed(() => config.value !== null && Object.keys(issues.value).length === 0)

  // The estimate follows the config (debounced: typing in a number field should not flood the services).
  let estimateTimer: ReturnType<typeof setTimeout> | undefined
  let estimateToken = 0
  watch(
    config,
    () => {
      clearTimeout(estimateTimer)
      if (!valid.value || !config.value) {
        estimate.value = null
        return
      }
      const snapshot = JSON.parse(JSON.stringify(config.value)) as RunConfig
      estimateTimer = setTimeout(async () => {
        const t = ++estimateToken
        try {
          const e = await api.call('runs.estimate', snapshot)
          if (t === estimateToken) {
            estimate.value = e
            estimateError.value = null
          }
        } catch (e) {
          if (t === estimateToken) estimateError.value = (e as Error).message
        }
      }, 250)
    },
    { deep: true }
  )

  let augmentToken = 0
  async function loadAugmentPreview() {
    const d = dataset.value
    const c = config.value
    if (!d || !c || d.kind !== 'image') return
    if (Object.keys(issues.value).some((k) => k.startsWith('augment'))) return
    const t = ++augmentToken
    try {
      const a = await api.call('datasets.augmentPreview', { id: d.id, augment: { ...c.augment }, count: 6, views: 5, seed: augmentSeed.value })
      if (t === augmentToken) {
        augment.value = a
        augmentError.value = null
      }
    } catch (e) {
      if (t === augmentToken) augmentError.value = (e as Error).message
    }
  }

  async function start(): Promise<RunSummary | null> {
    if (!config.value || !valid.value) return null
    starting.value = true
    startError.value = null
    try {
      const cfg = JSON.parse(JSON.stringify(config.value)) as RunConfig
      if (!cfg.name?.trim()) delete cfg.name
      return await api.call('runs.start', cfg)
    } catch (e) {
      startError.value = e
      return null
    } finally {
      starting.value = false
    }
  }

  function reset() {
    step.value = 0
    startError.value = null
  }
  /** Forget the dataset (e.g. it was deleted). */
  function clear() {
    reset()
    dataset.value = null
    config.value = null
    augment.value = null
  }

  return {
    step, dataset, preset, config, loading, error, estimate, estimateError, augment, augmentError, augmentSeed, starting, startError,
    issues, stepValid, valid, stepOf, chooseDataset, applyPreset, loadAugmentPreview, start, reset, clear
  }
})
