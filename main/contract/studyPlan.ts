/**
 * A study spec → its cells: the grid's cartesian product per dataset, each grid point applied (dotted setting
 * names reach nested settings) over the spec's settings and the preset's defaults, validated as a RunConfig; in
 * each cell only the models whose relevant settings are new train. Pure, so the wizard, the services, the CLI and
 * the Slurm task agree on what a cell is and how many tasks it trains.
 */
import { ApiError, describeZodError } from './errors.ts'
import { RECIPES } from './recipes.ts'
import { RunConfig, type ModelKind } from './runConfig.ts'
import { runTasks } from './runShape.ts'
import type { GridPoint, StudySpec } from './studies.ts'

/** JSON with object keys sorted: the same value always gives the same text (keys, ids). */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(v)
}

/** A grid value as the setting takes it: a bare number for `compressions` is that one ratio. */
export function normalizeGridValue(setting: string, value: unknown): unknown {
  return setting === 'compressions' && typeof value === 'number' ? [value] : value
}

/** Cartesian product in the spec's key order, the last key varying fastest; one empty point without a grid. */
export function gridPoints(grid: Record<string, readonly unknown[]>): GridPoint[] {
  let points: GridPoint[] = [{}]
  for (const [k, values] of Object.entries(grid)) points = points.flatMap((p) => values.map((v) => ({ ...p, [k]: normalizeGridValue(k, v) })))
  return points
}

const FIXED = new Set(['datasetId', 'models', 'seeds', 'preset', 'name'])

/** Sets a dotted setting on a copy of `config` (objects along the way are copied, never shared). */
export function applySetting(config: Record<string, unknown>, setting: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = setting.split('.')
  if (!head) throw new ApiError('invalid-request', `Empty setting name in the study spec.`)
  if (!rest.length) return { ...config, [head]: value }
  const inner = config[head]
  if (!inner || typeof inner !== 'object' || Array.isArray(inner)) throw new ApiError('invalid-request', `"${setting}": "${head}" is not a group of settings.`)
  return { ...config, [head]: applySetting(inner as Record<string, unknown>, rest.join('.'), value) }
}

/** Settings over defaults: nested objects merged key by key, anything else replaced. */
export function mergeSettings(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base }
  for (const [k, v] of Object.entries(over)) {
    const b = out[k]
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? mergeSettings(b as Record<string, unknown>, v as Record<string, unknown>)
        : v
  }
  return out
}

/**
 * The grid settings that change a model's results: κ only matters with PIS, λ/τ/the projection head only with ILO,
 * compression ratios only when pruned. A dense MLP over a κ grid is one variant, not one per κ.
 */
export function relevantGrid(model: ModelKind, grid: GridPoint): GridPoint {
  const r = RECIPES[model]
  const ignored = new Set([...(r.pis ? [] : ['kappa']), ...(r.ilo ? [] : ['lambda', 'tau', 'projectionHead']), ...(r.prune ? [] : ['compressions'])])
  return Object.fromEntries(Object.entries(grid).filter(([k]) => !ignored.has(k)))
}

/**
 * One dataset's cells: each grid point's run config, where a model trains only in the first cell whose
 * relevant grid settings it has (a dense MLP over a κ grid trains once, not once per κ: its numbers could not
 * differ, and the analysis reads each variant from the first cell that has it). A grid point left with no model
 * to train has no cell.
 */
export function planCells(
  spec: StudySpec,
  defaults: RunConfig,
  points: GridPoint[],
  dataset: { id: string; name: string; target?: string }
): { grid: GridPoint; config: RunConfig }[] {
  const trained = new Set<string>()
  return points.flatMap((grid) => {
    const config = cellConfig(spec, defaults, grid, dataset)
    const models = config.models.filter((m) => {
      const key = `${m}|${canonicalJson(relevantGrid(m, grid))}`
      return trained.has(key) ? false : (trained.add(key), true)
    })
    return models.length ? [{ grid, config: { ...config, models } }] : []
  })
}

/** The run config of one cell; throws an ApiError naming the cell and every bad field. */
export function cellConfig(spec: StudySpec, defaults: RunConfig, point: GridPoint, dataset: { id: string; name: string; target?: string }): RunConfig {
  for (const k of [...Object.keys(spec.settings), ...Object.keys(point)]) {
    if (FIXED.has(k.split('.')[0]!))
      throw new ApiError('invalid-request', `"${k}" is set by the study itself (datasets, models, seeds, preset); remove it from settings/grid.`)
  }
  let c = mergeSettings(defaults as unknown as Record<string, unknown>, spec.settings)
  for (const [k, v] of Object.entries(point)) c = applySetting(c, k, v)
  c = {
    ...c,
    datasetId: dataset.id,
    models: spec.models,
    seeds: spec.seeds,
    preset: spec.preset,
    name: `${spec.name} · ${dataset.name}${describePoint(point) ? ` · ${describePoint(point)}` : ''}`
  }
  if (dataset.target) c.target = dataset.target
  const parsed = RunConfig.strict().safeParse(c)
  if (!parsed.success) {
    const e = describeZodError('study cell', parsed.error, 'settings')
    throw new ApiError(
      'invalid-request',
      `Study "${spec.name}", dataset "${dataset.name}"${describePoint(point) ? `, ${describePoint(point)}` : ''}: ${e.details?.join('; ')}`,
      e.details
    )
  }
  return parsed.data
}

/** "kappa=0.125, compressions=[8,16]" */
export function describePoint(point: GridPoint): string {
  return Object.entries(point)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ')
}

export const cellKey = (datasetId: string, point: GridPoint) => `${datasetId}|${canonicalJson(point)}`

/** A study's planned cells over its datasets and how many training tasks they hold (what the wizard shows). */
export interface StudyShape {
  cells: { datasetId: string; grid: GridPoint; config: RunConfig }[]
  tasks: number
}

/**
 * Every cell of a study over its datasets, each dataset with its own preset defaults: the plan the services store
 * and the count the wizard shows are this one function's answer.
 */
export function planStudy(spec: StudySpec, datasets: readonly { id: string; name: string; target?: string; defaults: RunConfig }[]): StudyShape {
  const points = gridPoints(spec.grid)
  const cells = datasets.flatMap((d) => planCells(spec, d.defaults, points, d).map((c) => ({ datasetId: d.id, ...c })))
  return { cells, tasks: cells.reduce((n, c) => n + runTasks(c.config).length, 0) }
}
