/**
 * The new-run wizard: the chosen dataset, the run config being edited (seeded from `runs.defaults` for a preset),
 * its problems (the contract's runConfigIssues: the schema's bounds and the rules the services apply, as messages
 * beside each field and sentences in the review), what it will train (the contract's run shape or study plan), the
 * time estimate and the augmentation preview; and starting the run. Several datasets, or lists of values for a few
 * settings (sweeps), make it a study (lib/wizardStudy.ts): started with studies.start instead of runs.start.
 */
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import {
  StudySpec,
  pathLabel,
  runConfigIssues,
  runShape,
  type AugmentPreview,
  type ConfigIssue,
  type DatasetDetail,
  type DatasetKind,
  type Preset,
  type RunConfig,
  type RunShape
} from '@contract'
import { api } from '../api/client'
import { buildStudySpec, defaultStudyName, gridOf, studyPlan, sweepIssue, type StudyPlan, type SweepKey } from '../lib/wizardStudy'
import { useDatasetsStore } from './datasets'

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
  /** The preset's defaults for the (first) dataset: a study sends only what differs from them. */
  const defaults = ref<RunConfig | null>(null)

  // ── study: several datasets and sweeps ──
  const datasetsStore = useDatasetsStore()
  /** Several datasets mode: `selectedIds` are the study's datasets, the first is `dataset` (its settings shown). */
  const multi = ref(false)
  const selectedIds = ref<string[]>([])
  /** Setting → the values typed for it ("0.0625, 0.125"); a key present means that setting is swept. */
  const sweeps = ref<Partial<Record<SweepKey, string>>>({})
  const studyName = ref('')
  const studyEstimate = ref<{ cells: number; tasks: number; seconds: number; basis: 'bench' | 'default' } | null>(null)

  const studyDatasets = computed<{ id: string; name: string; kind: DatasetKind; rows: number }[]>(() => {
    const d = dataset.value
    if (!multi.value) return d ? [{ id: d.id, name: d.name, kind: d.kind, rows: d.rows }] : []
    return selectedIds.value.flatMap((id) => {
      const s = datasetsStore.list.find((x) => x.id === id) ?? (d?.id === id ? d : undefined)
      return s ? [{ id: s.id, name: s.name, kind: s.kind, rows: s.rows }] : []
    })
  })
  const grid = computed(() => gridOf(sweeps.value))
  const isStudy = computed(() => studyDatasets.value.length > 1 || Object.keys(sweeps.value).length > 0)
  const defaultName = computed(() => defaultStudyName(studyDatasets.value, grid.value))

  /** Each study dataset's preset defaults (the services start every cell from its own dataset's), by id. */
  const datasetDefaults = ref<Record<string, RunConfig>>({})
  watch(
    [selectedIds, preset],
    async () => {
      const missing = selectedIds.value.filter((id) => datasetDefaults.value[`${id}|${preset.value}`] === undefined)
      for (const id of missing) {
        try {
          const d = await api.call('runs.defaults', { datasetId: id, preset: preset.value })
          datasetDefaults.value = { ...datasetDefaults.value, [`${id}|${preset.value}`]: d }
        } catch {
          /* a deleted dataset: it leaves the selection on the next refresh */
        }
      }
    },
    { deep: true }
  )
  /** What the run trains: the contract's run shape (tasks: model × seed × fold). */
  const shape = computed<RunShape | null>(() => (config.value ? runShape(config.value) : null))
  /** What the study trains, as the services will plan it (null while not a study, or with problems to fix). */
  const planned = computed<{ plan: StudyPlan | null; error: string | null }>(() => {
    if (!isStudy.value || !config.value || !valid.value) return { plan: null, error: null }
    const first = defaults.value ?? config.value
    const spec = StudySpec.safeParse(studySpec())
    if (!spec.success) return { plan: null, error: null }
    try {
      const withDefaults = studyDatasets.value.map((d) => ({
        id: d.id,
        name: d.name,
        defaults: datasetDefaults.value[`${d.id}|${preset.value}`] ?? { ...first, datasetId: d.id }
      }))
      return { plan: studyPlan(spec.data, withDefaults), error: null }
    } catch (e) {
      // A cell the services would refuse (cellConfig names it): shown in the review, Start stays possible to see it.
      return { plan: null, error: (e as Error).message }
    }
  })
  const plan = computed(() => planned.value.plan)
  const planError = computed(() => planned.value.error)
  /** Training tasks the wizard promises: the study's plan, or the run's shape. */
  const taskCount = computed(() => (isStudy.value ? (plan.value?.tasks ?? null) : (shape.value?.tasks.length ?? null)))

  function setMulti(on: boolean) {
    multi.value = on
    selectedIds.value = on && dataset.value ? [dataset.value.id] : []
  }
  /** Adds or removes a dataset of the study; removing the first makes the next one first (its defaults load). */
  async function toggleDataset(id: string) {
    if (!selectedIds.value.includes(id)) {
      selectedIds.value = [...selectedIds.value, id]
      if (!dataset.value) await chooseDataset(id)
      return
    }
    selectedIds.value = selectedIds.value.filter((x) => x !== id)
    if (dataset.value?.id !== id) return
    const next = selectedIds.value[0]
    if (next) await chooseDataset(next)
    else {
      dataset.value = null
      config.value = null
      defaults.value = null
    }
  }
  function setSweep(key: SweepKey, on: boolean) {
    const next = { ...sweeps.value }
    if (on) {
      const v = config.value?.[key]
      next[key] = v === undefined ? '' : Array.isArray(v) ? v.join(', ') : String(v)
    } else delete next[key]
    sweeps.value = next
  }

  async function chooseDataset(id: string) {
    if (dataset.value?.id === id && config.value) return
    loading.value = true
    error.value = null
    try {
      dataset.value = await api.call('datasets.get', { id })
      config.value = await api.call('runs.defaults', { datasetId: id, preset: preset.value })
      defaults.value = JSON.parse(JSON.stringify(config.value)) as RunConfig
      augment.value = null
    } catch (e) {
      error.value = e
      dataset.value = null
      config.value = null
      defaults.value = null
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
      defaults.value = JSON.parse(JSON.stringify(next)) as RunConfig
      config.value = keep ? { ...next, target: keep.target, split: keep.split, name: keep.name } : next
      error.value = null
    } catch (e) {
      error.value = e
    } finally {
      loading.value = false
    }
  }

  /**
   * Every problem of the config, as the services would refuse it (the contract's runConfigIssues on the study's
   * datasets): per field, the first message ("must be at least 1") and its sentence ("Epochs must be at least 1.").
   * Nothing typed is changed: a value out of range stays as typed and is named here.
   */
  const issueList = computed<ConfigIssue[]>(() => {
    const c = config.value
    if (!c) return [{ path: 'datasetId', message: 'choose a dataset', sentence: 'Choose a dataset first.' }]
    const all = studyDatasets.value.length ? studyDatasets.value : dataset.value ? [dataset.value] : []
    const swept = Object.keys(sweeps.value)
    // A swept setting's values replace its single value: its own checks stand in for the schema's.
    const out = runConfigIssues(c, all).issues.filter((i) => !swept.includes(i.path))
    for (const [k, text] of Object.entries(sweeps.value) as [SweepKey, string][]) {
      const message = sweepIssue(k, text)
      if (message) out.push({ path: k, message, sentence: `${pathLabel([k], 'settings')}, values to try: ${message}.` })
    }
    if (multi.value && !all.length) out.push({ path: 'datasetId', message: 'choose a dataset', sentence: 'Choose at least one dataset.' })
    return out
  })
  /** Field path ("epochs", "augment.translate", "split") → its first message, for the field to show. */
  const issues = computed<Record<string, string>>(() => {
    const out: Record<string, string> = {}
    for (const i of issueList.value) out[i.path] ??= i.message
    return out
  })
  function stepOf(path: string): number {
    return STEP_OF[path.split('.')[0]!] ?? 3
  }
  const stepValid = computed(() =>
    STEPS.map((_, i) => (i === 4 ? Object.keys(issues.value).length === 0 : !Object.keys(issues.value).some((k) => stepOf(k) === i)))
  )
  const valid = computed(() => config.value !== null && Object.keys(issues.value).length === 0)

  // The estimate follows the config (debounced: typing in a number field should not flood the services).
  let estimateTimer: ReturnType<typeof setTimeout> | undefined
  let estimateToken = 0
  watch(
    [config, sweeps, selectedIds, multi],
    () => {
      clearTimeout(estimateTimer)
      if (!valid.value || !config.value) {
        estimate.value = null
        studyEstimate.value = null
        return
      }
      const snapshot = JSON.parse(JSON.stringify(config.value)) as RunConfig
      const spec = isStudy.value ? studySpec() : null
      estimateTimer = setTimeout(async () => {
        const t = ++estimateToken
        try {
          // A study: the sum over its cells (each dataset's own defaults, each grid point).
          const e = spec ? await api.call('studies.estimate', spec) : await api.call('runs.estimate', snapshot)
          if (t === estimateToken) {
            estimate.value = { seconds: e.seconds, basis: e.basis }
            studyEstimate.value = spec ? (e as typeof studyEstimate.value) : null
            estimateError.value = null
          }
        } catch (e) {
          if (t === estimateToken) estimateError.value = (e as Error).message
        }
      }, 250)
    },
    { deep: true }
  )

  function studySpec() {
    return buildStudySpec({
      name: studyName.value || defaultName.value,
      datasets: studyDatasets.value,
      config: config.value!,
      defaults: defaults.value ?? config.value!,
      grid: grid.value
    })
  }

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

  /** Starts the run (or the study); answers where to go next: the run's training view or the study. */
  async function start(): Promise<{ section: 'training' | 'studies'; id: string } | null> {
    if (!config.value || !valid.value) return null
    starting.value = true
    startError.value = null
    try {
      if (isStudy.value) return { section: 'studies', id: (await api.call('studies.start', studySpec())).id }
      const cfg = JSON.parse(JSON.stringify(config.value)) as RunConfig
      if (!cfg.name?.trim()) delete cfg.name
      return { section: 'training', id: (await api.call('runs.start', cfg)).id }
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
    defaults.value = null
    augment.value = null
    multi.value = false
    selectedIds.value = []
    sweeps.value = {}
    studyName.value = ''
  }

  return {
    step,
    dataset,
    preset,
    config,
    loading,
    error,
    estimate,
    estimateError,
    augment,
    augmentError,
    augmentSeed,
    starting,
    startError,
    issues,
    stepValid,
    valid,
    stepOf,
    issueList,
    shape,
    taskCount,
    planError,
    datasetDefaults,
    chooseDataset,
    applyPreset,
    loadAugmentPreview,
    start,
    reset,
    clear,
    multi,
    selectedIds,
    sweeps,
    studyName,
    studyEstimate,
    studyDatasets,
    grid,
    isStudy,
    plan,
    defaultName,
    setMulti,
    toggleDataset,
    setSweep
  }
})
