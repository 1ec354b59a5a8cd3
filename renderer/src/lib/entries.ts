/**
 * Comparison entries: one (run, model, compression) row of the comparison, its label and colour, and the
 * data it points at in a run's results (DOM-free).
 */
import { RECIPES, modelAtRatio, type ModelAggregate, type ModelKind, type ModelResult, type RunDetail } from '@contract'

export interface Entry {
  runId: string
  model: ModelKind
  compression: number
}

const KINDS = Object.keys(RECIPES) as ModelKind[]
/** Models OMP prunes (the recipe table says which). */
export const PRUNED_MODELS: readonly ModelKind[] = KINDS.filter((m) => RECIPES[m].prune)
/** Models with an MLP first layer (their first-layer weights and masks are stored as artifacts). */
export const MLP_FAMILY: readonly ModelKind[] = KINDS.filter((m) => RECIPES[m].arch === 'mlp')

/** Entry colours: same entry index → same colour everywhere (see palette.ts). */
export { PALETTE, entryColor } from './palette'

export function entryKey(e: Entry): string {
  return `${e.runId}|${e.model}|${e.compression}`
}

export function sameEntry(a: Entry, b: Entry): boolean {
  return a.runId === b.runId && a.model === b.model && a.compression === b.compression
}

/** "A", "B", … for the distinct runs of the cart, in order of first appearance. */
export function runLetters(entries: Entry[]): Map<string, string> {
  const m = new Map<string, string>()
  for (const e of entries) if (!m.has(e.runId)) m.set(e.runId, String.fromCharCode(65 + (m.size % 26)))
  return m
}

/** "IUNet (pruned) 1/8" (the contract's name of a ratio) plus " [B]" when the cart holds several runs. */
export function entryLabel(e: Entry, letters?: Map<string, string>): string {
  const base = modelAtRatio(e.model, e.compression)
  return letters && letters.size > 1 ? `${base} [${letters.get(e.runId) ?? '?'}]` : base
}

/** The (model, compression) rows a run can contribute, in the run's model order then by compression. */
export function entriesOfRun(run: Pick<RunDetail, 'id' | 'aggregates' | 'models'>): Entry[] {
  const order = (m: ModelKind) => {
    const i = run.models.indexOf(m)
    return i < 0 ? 99 : i
  }
  return [...run.aggregates]
    .sort((a, b) => order(a.model) - order(b.model) || a.compression - b.compression)
    .map((a) => ({ runId: run.id, model: a.model, compression: a.compression }))
}

export function aggregateOf(run: Pick<RunDetail, 'aggregates'> | undefined, e: Entry): ModelAggregate | undefined {
  return run?.aggregates.find((a) => a.model === e.model && a.compression === e.compression)
}

export function resultsOf(run: Pick<RunDetail, 'results'> | undefined, e: Entry): ModelResult[] {
  return (run?.results ?? [])
    .filter((r) => r.model === e.model && r.compression === e.compression)
    .sort((a, b) => a.seed - b.seed || (a.fold ?? 0) - (b.fold ?? 0))
}
