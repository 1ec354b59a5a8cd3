import { describe, expect, it } from 'vitest'
import {
  COLUMN_GROUPS,
  METRIC_COLUMNS,
  bestRows,
  buildRows,
  columnsOf,
  nearChance,
  spansDatasets,
  toCsv,
  toJson
} from '../../../renderer/src/lib/metricsTable.ts'
import { entriesOfRun, entryLabel, runLetters } from '../../../renderer/src/lib/entries.ts'
import { agg, ms, run } from './fixtures.ts'

const col = (key: string) => METRIC_COLUMNS.find((c) => c.key === key)!
const r1 = run('r1', [agg('mlp', 1, 0.9), agg('iunet', 8, 0.93), agg('iunet', 4, 0.93)], { models: ['iunet', 'mlp'] })

describe('metrics table', () => {
  it('entries follow the run model order, then compression; labels name the ratio and, with several runs, the run', () => {
    const es = entriesOfRun(r1)
    expect(es.map((e) => `${e.model}@${e.compression}`)).toEqual(['iunet@4', 'iunet@8', 'mlp@1'])
    expect(entryLabel(es[0]!)).toBe('IUNet (pruned) 1/4')
    expect(entryLabel(es[2]!)).toBe('Dense MLP')
    const letters = runLetters([...es, { runId: 'r2', model: 'mlp', compression: 1 }])
    expect(entryLabel({ runId: 'r2', model: 'mlp', compression: 1 }, letters)).toBe('Dense MLP [B]')
  })

  it('highlights the best value by direction, all ties, and nothing for a single row or a column without direction', () => {
    const rows = buildRows(entriesOfRun(r1), { r1 })
    expect([...bestRows(rows, col('accuracy'))]).toEqual([0, 1])
    expect([...bestRows(rows, col('nonzeroParams'))]).toEqual([1])
    expect(bestRows(rows, col('params')).size).toBe(0)
    // Same value everywhere: nothing stands out.
    expect(bestRows(rows, col('invariancePrediction')).size).toBe(0)
    expect(bestRows(rows.slice(0, 1), col('accuracy')).size).toBe(0)
    // Missing values (dense models have no supernet accuracy) are skipped.
    expect(rows[2]!.aggregate!.supernetValAccuracy).toBeNull()
  })

  it('tints the best value within each dataset, never across datasets', () => {
    // Digits (ds1): CNN 0.97 beats MLP 0.90. Vehicle (ds2): IUNet 0.70 beats MLP 0.65, far below the digits CNN.
    const digits = run('d', [agg('cnn', 1, 0.97), agg('mlp', 1, 0.9)])
    const vehicle = run('v', [agg('iunet', 8, 0.7), agg('mlp', 1, 0.65)], { datasetId: 'ds2', datasetName: 'vehicle' })
    const rows = buildRows([...entriesOfRun(digits), ...entriesOfRun(vehicle)], { d: digits, v: vehicle })
    expect(rows.map((r) => r.datasetId)).toEqual(['ds1', 'ds1', 'ds2', 'ds2'])
    expect(spansDatasets(rows)).toBe(true)
    expect(spansDatasets(rows.slice(0, 2))).toBe(false)
    expect([...bestRows(rows, col('accuracy'))].sort()).toEqual([0, 2])
    // Lower is better: fewest nonzero parameters per dataset (dense 1000 vs pruned 125 on vehicle; a tie on digits).
    expect([...bestRows(rows, col('nonzeroParams'))]).toEqual([2])
    // A dataset with a single row has nothing to be best against; the other dataset still gets its best.
    const one = buildRows([...entriesOfRun(digits), { runId: 'v', model: 'mlp', compression: 1 }], { d: digits, v: vehicle })
    expect([...bestRows(one, col('accuracy'))]).toEqual([0])
  })

  it('column groups each keep accuracy, together cover every column but dense FLOPs, and "all" is every column in order', () => {
    const groups = COLUMN_GROUPS.filter((g) => g.key !== 'all')
    for (const g of groups) expect(columnsOf(g.key)[0]!.key).toBe('accuracy')
    // Only the redundant dense FLOPs wait for 'all' (a pruned model's dense FLOPs are its dense counterpart's).
    const covered = new Set(groups.flatMap((g) => columnsOf(g.key).map((c) => c.key)))
    expect(METRIC_COLUMNS.map((c) => c.key).filter((k) => !covered.has(k))).toEqual(['flopsDense'])
    expect(columnsOf('all')).toEqual(METRIC_COLUMNS)
    // Params, FLOPs and time are in the cost group (they were off-screen in one wide table).
    expect(columnsOf('cost').map((c) => c.key)).toEqual(expect.arrayContaining(['params', 'flopsSparse', 'trainSeconds', 'inferenceMsPerExample']))
  })

  it('formats mean ± std as percent, and a single seed without ±', () => {
    expect(col('accuracy').format(ms(0.9312, 0.0123))).toBe('93.1 ± 1.2 %')
    expect(col('accuracy').format(ms(0.9312, 0, 1))).toBe('93.1 %')
    expect(col('compression').format(8)).toBe('1/8 (12.5 % kept)')
    expect(col('compression').format(1)).toBe('dense')
  })

  it('flags near-chance models, whose consistency is trivially high', () => {
    const dead = buildRows([{ runId: 'x', model: 'mlp', compression: 1 }], { x: run('x', [agg('mlp', 1, 0.12, { balancedAccuracy: ms(0.1) })]) })[0]!
    expect(nearChance(dead, 10)).toBe(true)
    expect(nearChance(buildRows(entriesOfRun(r1), { r1 })[0]!, 2)).toBe(false)
  })

  it('CSV has raw mean and std columns, quotes commas, one line per row; JSON keeps the aggregates', () => {
    const r = run('r1', [agg('mlp', 1, 0.9)], { name: 'a, "quoted" run' })
    const rows = buildRows(entriesOfRun(r), { r1: r })
    const csv = toCsv(rows)
    const lines = csv.trim().split('\r\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^run,dataset,model,model_label,compression,replicates,n,accuracy_mean,accuracy_std,/)
    expect(lines[0]).toContain(',params,nonzeroParams,')
    expect(lines[1]).toMatch(/^"a, ""quoted"" run",digits,mlp,Dense MLP,1,3 seeds,3,0\.9,0\.01,/)
    const json = JSON.parse(toJson(rows, 'now')) as { rows: { model: string; metrics: { accuracy: { mean: number } } }[] }
    expect(json.rows[0]!.metrics.accuracy.mean).toBe(0.9)
  })
})
