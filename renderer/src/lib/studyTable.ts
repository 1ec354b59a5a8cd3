/**
 * The study matrix and test table at any size (DOM-free): which variants a filter keeps (the baseline always
 * stays), their order (by average rank or as the study lists them), when the matrix turns variants into rows,
 * and which run a matrix cell's numbers come from (for its link to Compare).
 */
import {
  MODEL_LABELS,
  canonicalJson,
  normalizeGridValue,
  ratioLabel,
  relevantGrid,
  settingWord,
  type GridPoint,
  type ModelKind,
  type StudyCell,
  type StudyTest,
  type StudyVariant
} from '@contract'

/** Past this many variants the matrix puts variants in rows and datasets in columns: a long table reads, a wide one scrolls. */
export const TRANSPOSE_AFTER = 6

export const transposes = (variants: number): boolean => variants > TRANSPOSE_AFTER

/** A row of a comparison: a variant of the all-variants matrix (with its ratio and grid) or a tuned model (neither). */
export interface VariantRow {
  /** Index into the comparison's variants (matrix column, ranks, tests). */
  index: number
  label: string
  model: ModelKind
  compression: number | null
  grid: GridPoint | null
}

export const variantRows = (variants: readonly StudyVariant[]): VariantRow[] =>
  variants.map((v, index) => ({ index, label: v.label, model: v.model, compression: v.compression, grid: v.grid }))

/** Empty lists keep everything; grid values are canonical JSON (so [8, 16] and 0.125 compare as text). */
export interface VariantFilter {
  models: ModelKind[]
  ratios: number[]
  grid: Record<string, string[]>
}

export const emptyFilter = (): VariantFilter => ({ models: [], ratios: [], grid: {} })

export const filterActive = (f: VariantFilter): boolean => f.models.length > 0 || f.ratios.length > 0 || Object.values(f.grid).some((v) => v.length > 0)

/** A type (not an interface) so it passes as a select option, which has an index signature. */
export type Choice<T> = { label: string; value: T }

export interface FilterChoices {
  models: Choice<ModelKind>[]
  ratios: Choice<number>[]
  /** The grid settings some variant has, with their values (the ratio grid is the ratio filter). */
  settings: { name: string; word: string; values: Choice<string>[] }[]
}

/** What the filter bar offers: every model, ratio and grid value the variants have, in the study's order. */
export function filterChoices(variants: readonly StudyVariant[], grid: Record<string, readonly unknown[]>): FilterChoices {
  const models = [...new Set(variants.map((v) => v.model))]
  const ratios = [...new Set(variants.map((v) => v.compression))].sort((a, b) => a - b)
  const settings = Object.keys(grid)
    .filter((s) => s !== 'compressions' && variants.some((v) => s in v.grid))
    .map((name) => ({
      name,
      word: settingWord(name),
      values: grid[name]!.map((x) => normalizeGridValue(name, x)).map((value) => ({ label: valueLabel(value), value: canonicalJson(value) }))
    }))
  return {
    models: models.map((m) => ({ label: MODEL_LABELS[m], value: m })),
    ratios: ratios.map((r) => ({ label: ratioLabel(r), value: r })),
    settings
  }
}

/** A grid value as a person reads it: 0.125, true, [8,16]. */
export function valueLabel(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)
}

/**
 * Whether a filter keeps a row. A setting filters only the variants it applies to (the dense MLP has no κ, so a κ
 * filter leaves it in); a tuned model (no ratio, no grid) is filtered by its model only.
 */
export function keeps(row: VariantRow, f: VariantFilter): boolean {
  if (f.models.length && !f.models.includes(row.model)) return false
  if (f.ratios.length && row.compression !== null && !f.ratios.includes(row.compression)) return false
  for (const [setting, values] of Object.entries(f.grid)) {
    if (!values.length || !row.grid || !(setting in row.grid)) continue
    if (!values.includes(canonicalJson(row.grid[setting]))) return false
  }
  return true
}

export type SortKey = 'rank' | 'study'

/**
 * The rows a filter keeps (the baseline always, as the tests are against it), sorted: by average rank (1 = best;
 * rows without a rank last), ties and 'study' in the study's own order.
 */
export function shownRows(
  rows: readonly VariantRow[],
  f: VariantFilter,
  sort: SortKey,
  ranks: readonly number[] | null,
  baseline: number | null
): VariantRow[] {
  const kept = rows.filter((r) => r.index === baseline || keeps(r, f))
  if (sort === 'study' || !ranks) return kept
  const rank = (r: VariantRow) => ranks[r.index] ?? Infinity
  return [...kept].sort((a, b) => rank(a) - rank(b) || a.index - b.index)
}

/**
 * The run a matrix cell's numbers come from: on that dataset, the first finished cell whose grid holds the
 * variant's relevant settings. The analysis reads a variant from the first cell that ran it (variantTable in the
 * services), and a model trains only in the first cell with its relevant settings (planCells), so this is that cell.
 */
export function cellRunId(cells: readonly StudyCell[], datasetId: string, v: Pick<StudyVariant, 'model' | 'grid'>): string | null {
  const want = canonicalJson(v.grid)
  const c = cells.find((c) => c.datasetId === datasetId && c.status === 'finished' && c.runId && canonicalJson(relevantGrid(v.model, c.grid)) === want)
  return c?.runId ?? null
}

/** A variant's settings, short: "1/8 · κ 0.125 · λ 0" (the ratio, then the grid values by their short names). */
export function settingsText(v: Pick<StudyVariant, 'compression' | 'grid'>): string {
  const parts = [
    ...(v.compression !== 1 ? [ratioLabel(v.compression)] : []),
    ...Object.entries(v.grid)
      .filter(([k]) => k !== 'compressions')
      .map(([k, x]) => `${settingWord(k)} ${valueLabel(x)}`)
  ]
  return parts.join(' · ') || 'its one setting'
}

/** Each shown variant's test against the baseline in words, in the order its rows are shown (hidden rows, none). */
export function shownVerdicts(tests: readonly StudyTest[], rows: readonly VariantRow[]): { index: number; text: string }[] {
  const order = new Map(rows.map((r, i) => [r.index, i]))
  return tests
    .filter((t) => order.has(t.variant))
    .sort((a, b) => order.get(a.variant)! - order.get(b.variant)!)
    .map((t) => ({ index: t.variant, text: t.verdict }))
}
