/**
 * The Studies screen's table logic: which variants a filter keeps (the baseline always), their order by average
 * rank, when the matrix turns, and which run a matrix cell links to — checked against the services' own choice of
 * the cell a variant's numbers come from (variantTable), on a hand-built κ × λ study with a failed cell.
 */
import { describe, expect, it } from 'vitest'
import {
  canonicalJson,
  gridPoints,
  relevantGrid,
  settingWord,
  type GridPoint,
  type ModelKind,
  type ModelResult,
  type StudyCell,
  type StudyVariant
} from '../../../main/contract/index.ts'
import { variantTable } from '../../../main/services/studyAnalysis.ts'
import {
  TRANSPOSE_AFTER,
  cellRunId,
  emptyFilter,
  filterActive,
  filterChoices,
  keeps,
  settingsText,
  shownRows,
  shownVerdicts,
  transposes,
  variantRows
} from '../../../renderer/src/lib/studyTable.ts'

const v = (model: ModelKind, compression: number, grid: GridPoint): StudyVariant => ({
  key: `${model}@${compression}|${canonicalJson(grid)}`,
  model,
  compression,
  grid,
  label: `${model} ${compression} ${canonicalJson(grid)}`
})

const variants: StudyVariant[] = [
  v('iunet', 8, { kappa: 0.125, lambda: 0 }),
  v('mlp', 1, {}),
  v('iunet', 16, { kappa: 0.125, lambda: 0 }),
  v('iunet', 8, { kappa: 1, lambda: 0 }),
  v('iunet', 16, { kappa: 1, lambda: 0 }),
  v('omp', 8, {})
]
const grid = { kappa: [0.125, 1], lambda: [0] }

describe('study table: filters and order', () => {
  it('offers the models, ratios and grid values the variants have (the ratio grid is the ratio filter)', () => {
    const c = filterChoices(variants, { ...grid, compressions: [8, 16] })
    expect(c.models.map((m) => m.value)).toEqual(['iunet', 'mlp', 'omp'])
    expect(c.ratios).toEqual([
      { label: 'dense', value: 1 },
      { label: '1/8', value: 8 },
      { label: '1/16', value: 16 }
    ])
    expect(c.settings.map((s) => [s.name, s.word, s.values.map((x) => x.value)])).toEqual([
      ['kappa', 'κ', ['0.125', '1']],
      ['lambda', 'λ', ['0']]
    ])
  })

  it('filters a setting only where it applies, by ratio and model, and always keeps the baseline', () => {
    const rows = variantRows(variants)
    const f = { ...emptyFilter(), grid: { kappa: [canonicalJson(1)] } }
    expect(filterActive(f)).toBe(true)
    expect(filterActive(emptyFilter())).toBe(false)
    // κ = 1 keeps the IUNet κ = 1 variants and the models without κ (MLP, OMP)
    expect(rows.filter((r) => keeps(r, f)).map((r) => r.index)).toEqual([1, 3, 4, 5])
    expect(rows.filter((r) => keeps(r, { ...emptyFilter(), ratios: [16] })).map((r) => r.index)).toEqual([2, 4])
    // the baseline (MLP, index 1) stays whatever the filter says
    expect(shownRows(rows, { ...emptyFilter(), models: ['omp'] }, 'study', null, 1).map((r) => r.index)).toEqual([1, 5])
    // a tuned model (no ratio, no grid) is filtered by its model only
    expect(keeps({ index: 0, label: 'x', model: 'iunet', compression: null, grid: null }, { models: [], ratios: [16], grid: { kappa: ['1'] } })).toBe(true)
  })

  it('sorts by average rank (ties and missing ranks in study order) or keeps the study order', () => {
    const rows = variantRows(variants)
    const ranks = [2.5, 1, 4, 2.5, 6, 5]
    expect(shownRows(rows, emptyFilter(), 'rank', ranks, null).map((r) => r.index)).toEqual([1, 0, 3, 2, 5, 4])
    expect(shownRows(rows, emptyFilter(), 'study', ranks, null).map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5])
    expect(shownRows(rows, emptyFilter(), 'rank', null, null).map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5])
  })

  it('turns the matrix past a few variants', () => {
    expect(transposes(TRANSPOSE_AFTER)).toBe(false)
    expect(transposes(TRANSPOSE_AFTER + 1)).toBe(true)
  })

  it('says a variant’s settings short: the ratio, then each grid value by its setting’s short name', () => {
    expect(settingsText({ compression: 8, grid: { kappa: 0.125, lambda: 0, compressions: [8] } })).toBe('1/8 · κ 0.125 · λ 0')
    expect(settingsText({ compression: 1, grid: {} })).toBe('its one setting')
  })

  it('shows each test’s words with its variant’s row: in the rows’ order, none for a hidden row', () => {
    const test = (variant: number, verdict: string) =>
      ({ variant, n: 2, wins: 1, ties: 0, losses: 1, meanDifference: 0, p: 1, pHolm: 1, significant: false, verdict }) as const
    const tests = [test(0, 'IUNet 1/8 vs Dense MLP: 1 win'), test(1, 'IUNet 1/8 · κ=1 vs Dense MLP: 2 wins'), test(3, 'OMP 1/8 vs Dense MLP')]
    const row = (index: number) => ({ index, label: `v${index}`, model: 'iunet' as const, compression: 8, grid: {} })
    // rows shown 1 then 0 (sorted by rank); variant 3 filtered away, variant 2 (the baseline) has no test
    expect(shownVerdicts(tests, [row(1), row(2), row(0)])).toEqual([
      { index: 1, text: 'IUNet 1/8 · κ=1 vs Dense MLP: 2 wins' },
      { index: 0, text: 'IUNet 1/8 vs Dense MLP: 1 win' }
    ])
  })

  it('names grid settings by their label up to its first space', () => {
    expect([settingWord('kappa'), settingWord('lambda'), settingWord('compressions'), settingWord('width'), settingWord('no.such')]).toEqual([
      'κ',
      'λ',
      'ratio',
      'Width',
      'no.such'
    ])
  })
})

describe('study table: a cell links to the run its numbers come from', () => {
  const result = (model: ModelKind, compression: number, seed: number): ModelResult =>
    ({ model, compression, seed, accuracy: 0.5, balancedAccuracy: 0.5, macroF1: 0.5 }) as ModelResult
  const datasets = [
    { id: 'a', name: 'iris' },
    { id: 'b', name: 'wine' }
  ]
  const points = gridPoints({ kappa: [0.125, 1], lambda: [0, 1] })
  // As planCells trains them: the MLP in the first cell only (its relevant grid is empty), IUNet in every cell.
  // On wine the first cell failed: the MLP has no numbers there; every other cell finished.
  const cells = datasets.flatMap((d, di) =>
    points.map((grid, pi) => {
      const failed = di === 1 && pi === 0
      const models: ModelKind[] = pi === 0 ? ['iunet', 'mlp'] : ['iunet']
      return {
        cell: {
          index: di * points.length + pi,
          key: `${d.id}|${canonicalJson(grid)}`,
          datasetId: d.id,
          datasetName: d.name,
          grid,
          runId: `run-${d.name}-${pi}`,
          status: failed ? 'failed' : 'finished'
        } satisfies StudyCell,
        results: failed ? null : models.flatMap((m) => [0, 1].map((seed) => result(m, m === 'iunet' ? 8 : 1, seed)))
      }
    })
  )
  const table = variantTable({
    datasets,
    points,
    models: ['iunet', 'mlp'],
    cells: cells.map((c) => ({ datasetIndex: datasets.findIndex((d) => d.id === c.cell.datasetId), grid: c.cell.grid, results: c.results }))
  })

  it('agrees with variantTable on every dataset × variant that has numbers', () => {
    let checked = 0
    datasets.forEach((d, di) =>
      table.variants.forEach((variant, j) => {
        const first = [...table.results[di]![j]!.values()][0]
        if (!first) return
        // the cell whose results hold the very objects the analysis read
        const source = cells.find((c) => c.results?.includes(first))!
        expect(
          cellRunId(
            cells.map((c) => c.cell),
            d.id,
            variant
          )
        ).toBe(source.cell.runId)
        expect(canonicalJson(relevantGrid(variant.model, source.cell.grid))).toBe(canonicalJson(variant.grid))
        checked++
      })
    )
    // 5 variants (4 IUNet points + the MLP) on iris, 3 IUNet points on wine (its first cell failed)
    expect(checked).toBe(5 + 3)
  })

  it('has no run for a variant on a dataset where no finished cell holds its settings', () => {
    const wineCells = cells
      .map((c) => c.cell)
      .filter((c) => c.datasetId === 'b' && c.status === 'finished' && canonicalJson(c.grid) !== canonicalJson(points[1]))
    const iunet = table.variants.find((x) => x.model === 'iunet' && canonicalJson(x.grid) === canonicalJson(points[1]))!
    expect(cellRunId(wineCells, 'b', iunet)).toBeNull()
    expect(cellRunId([], 'a', iunet)).toBeNull()
  })
})
