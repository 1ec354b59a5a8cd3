/**
 * The wizard as a study: several datasets and/or lists of values for a few settings (a grid) turn the run being
 * edited into a StudySpec. Pure, so the store and the tests agree on what is sent.
 */
import {
  MODEL_LABELS,
  RunConfig,
  gridPoints,
  issueMessage,
  planStudy,
  relevantGrid,
  type ModelKind,
  type StudyShape,
  type StudySpec,
  type StudySpecInput
} from '@contract'

/** The settings the wizard can sweep, in the order the grid varies them (the last one fastest). */
export const SWEEPABLE = ['kappa', 'lambda', 'compressions', 'width', 'depth', 'learningRate'] as const
export type SweepKey = (typeof SWEEPABLE)[number]
export const SWEEP_LABELS: Record<SweepKey, string> = {
  kappa: 'κ',
  lambda: 'λ',
  compressions: 'compression',
  width: 'width',
  depth: 'depth',
  learningRate: 'learning rate'
}

/** "0.0625, 0.125 1" → numbers; null when a part is not a number. */
export function parseValues(text: string): number[] | null {
  const parts = text.split(/[\s,;]+/).filter(Boolean)
  const out = parts.map(Number)
  return out.every((v) => Number.isFinite(v)) ? out : null
}

/** What is wrong with a sweep's values (checked by the run config's own rule for the setting), or null. */
export function sweepIssue(key: SweepKey, text: string): string | null {
  const values = parseValues(text)
  if (values === null) return 'list numbers, separated by commas'
  if (!values.length) return 'give at least one value'
  if (new Set(values).size !== values.length) return 'each value once'
  const schema = RunConfig.shape[key]
  for (const v of values) {
    const r = schema.safeParse(key === 'compressions' ? [v] : v)
    const issue = r.success ? undefined : r.error.issues[0]
    if (!r.success) return `${v}: ${issue ? issueMessage(issue) : 'not allowed'}`
  }
  return null
}

/** The grid of the sweeps that are on and valid (a compression value is one ratio per cell). */
export function gridOf(sweeps: Partial<Record<SweepKey, string>>): Record<string, number[]> {
  const grid: Record<string, number[]> = {}
  for (const k of SWEEPABLE) {
    const text = sweeps[k]
    if (text === undefined || sweepIssue(k, text)) continue
    grid[k] = parseValues(text)!
  }
  return grid
}

/** Set by the study itself, or belonging to one dataset (each dataset keeps its stored target and columns). */
const NOT_SETTINGS = new Set(['datasetId', 'models', 'seeds', 'preset', 'name', 'target', 'columns'])

/**
 * The settings the user changed from the first dataset's preset defaults (nested groups key by key): every
 * dataset starts from its own defaults (batch size, epochs and row cap depend on its size) and gets these on top.
 */
export function changedSettings(config: RunConfig, defaults: RunConfig, skip: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const c = config as unknown as Record<string, unknown>
  const d = defaults as unknown as Record<string, unknown>
  for (const [k, v] of Object.entries(c)) {
    if (NOT_SETTINGS.has(k) || skip.includes(k) || v === undefined) continue
    const base = d[k]
    if (v && typeof v === 'object' && !Array.isArray(v) && base && typeof base === 'object') {
      const inner: Record<string, unknown> = {}
      for (const [ik, iv] of Object.entries(v)) if (JSON.stringify(iv) !== JSON.stringify((base as Record<string, unknown>)[ik])) inner[ik] = iv
      if (Object.keys(inner).length) out[k] = inner
    } else if (JSON.stringify(v) !== JSON.stringify(base)) out[k] = v
  }
  return out
}

export interface StudyPlan {
  datasets: { id: string; name: string }[]
  /** Grid points (1 without a grid). */
  points: number
  /** The contract's plan (planStudy): the cells the services store and the training tasks they hold. */
  shape: StudyShape
  cells: number
  tasks: number
  /** Models that a grid setting does not change, with how often each trains per dataset (a Dense MLP over κ: once). */
  shared: { model: ModelKind; perDataset: number }[]
}

/**
 * What a study will train, as the services plan it (the contract's planStudy over each dataset's own defaults): a
 * model trains only in the first cell whose relevant settings it has not trained with yet.
 */
export function studyPlan(spec: StudySpec, datasets: readonly { id: string; name: string; target?: string; defaults: RunConfig }[]): StudyPlan {
  const shape = planStudy(spec, datasets)
  const points = gridPoints(spec.grid)
  const shared = spec.models.flatMap((model) => {
    const variants = new Set(points.map((p) => JSON.stringify(relevantGrid(model, p)))).size
    return variants < points.length ? [{ model, perDataset: variants }] : []
  })
  return { datasets: datasets.map((d) => ({ id: d.id, name: d.name })), points: points.length, shape, cells: shape.cells.length, tasks: shape.tasks, shared }
}

/** "Dense MLP trains once per dataset: no swept setting changes it." */
export function sharedText(shared: StudyPlan['shared']): string {
  return shared
    .map((s) =>
      s.perDataset === 1
        ? `${MODEL_LABELS[s.model]} trains once per dataset: no swept setting changes it.`
        : `${MODEL_LABELS[s.model]} trains ${s.perDataset} times per dataset: only some swept settings change it.`
    )
    .join(' ')
}

/** "κ ∈ {0.0625, 0.125} × compression ∈ {4, 8}" */
export function describeGrid(grid: Record<string, number[]>): string {
  return Object.entries(grid)
    .map(([k, v]) => `${SWEEP_LABELS[k as SweepKey] ?? k} ∈ {${v.join(', ')}}`)
    .join(' × ')
}

/** The default study name: the datasets and what is swept. */
export function defaultStudyName(datasets: { name: string }[], grid: Record<string, number[]>): string {
  const names = datasets.length <= 3 ? datasets.map((d) => d.name).join(' + ') : `${datasets.length} datasets`
  const swept = Object.keys(grid).map((k) => `${SWEEP_LABELS[k as SweepKey] ?? k} sweep`)
  return [names, ...swept].join(' · ').slice(0, 200)
}

/**
 * The spec sent to studies.start: the datasets by id (with the target chosen in the wizard only when there is one
 * dataset), the models, seeds and preset, the changed settings, and the grid (swept settings are not in settings).
 */
export function buildStudySpec(o: {
  name: string
  datasets: { id: string; name: string }[]
  config: RunConfig
  defaults: RunConfig
  grid: Record<string, number[]>
}): StudySpecInput {
  const single = o.datasets.length === 1
  return {
    name: o.name.trim() || defaultStudyName(o.datasets, o.grid),
    datasets: o.datasets.map((d) => ({ id: d.id, ...(single && o.config.target ? { target: o.config.target } : {}) })),
    models: [...o.config.models],
    seeds: o.config.seeds,
    preset: o.config.preset,
    settings: changedSettings(o.config, o.defaults, Object.keys(o.grid)),
    grid: o.grid
  }
}
