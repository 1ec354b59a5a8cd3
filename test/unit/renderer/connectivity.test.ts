/** The tabular connectivity view's helpers on hand-built masks, and the locality figure in Compare's table and exports. */
import { describe, expect, it } from 'vitest'
import type { FirstLayerArtifact, ModelResult, PairedComparison } from '../../../main/contract/index.ts'
import { connectivityMatrix, connectivityReadings, histogramShares, replicateKey, type LocalityItem } from '../../../renderer/src/lib/connectivity.ts'
import { METRIC_COLUMNS, buildRows, toCsv, visibleColumns } from '../../../renderer/src/lib/metricsTable.ts'
import { entriesOfRun } from '../../../renderer/src/lib/entries.ts'
import { rawResults, rawResultsCsv } from '../../../renderer/src/lib/rawResults.ts'
import { pShort, verdicts } from '../../../renderer/src/lib/verdict.ts'
import { buildReport } from '../../../renderer/src/lib/report.ts'
import { agg, ms, run } from './fixtures.ts'

/** 3 units × 6 inputs: "colour" one-hot over columns 0–2, "x" column 3, "sex" one-hot over 4–5. */
const masked = (mask: number[], over: Partial<FirstLayerArtifact> = {}): FirstLayerArtifact => ({
  model: 'iunet',
  seed: 0,
  compression: 8,
  inputs: 6,
  units: 3,
  weights: new Array(18).fill(0),
  mask,
  features: {
    names: ['colour', 'x', 'sex'],
    groups: [
      [0, 3],
      [3, 1],
      [4, 2]
    ]
  },
  ...over
})
// prettier-ignore
const MASK = [
  1, 0, 1, 0, 0, 0, // unit 0: two of colour's columns → one feature
  0, 0, 0, 1, 0, 1, // unit 1: x and one column of sex → two features
  0, 0, 0, 0, 0, 0 //  unit 2: cut off from every input
]

describe('connectivity matrix (units × original features)', () => {
  it('groups one-hot columns back to their feature and counts the distinct features per unit', () => {
    const m = connectivityMatrix(masked(MASK), 64)!
    expect(m.names).toEqual(['colour', 'x', 'sex'])
    expect(m.widths).toEqual([3, 1, 2])
    expect(m.kept).toEqual([
      [2, 0, 0],
      [0, 1, 1],
      [0, 0, 0]
    ])
    expect(m.perUnit).toEqual([1, 2, 0])
  })

  it('draws only the first `count` units (the artifact keeps the most connected first)', () => {
    const m = connectivityMatrix(masked(MASK), 2)!
    expect(m.kept).toHaveLength(2)
    expect(m.perUnit).toEqual([1, 2])
  })

  it('refuses what it cannot draw honestly: no feature groups, sizes that do not add up, a group past the inputs', () => {
    expect(connectivityMatrix(masked(MASK, { features: undefined }), 8)).toBeNull()
    expect(connectivityMatrix(masked(MASK.slice(1)), 8)).toBeNull()
    expect(
      connectivityMatrix(
        masked(MASK, {
          features: {
            names: ['a', 'b'],
            groups: [
              [0, 3],
              [3, 4]
            ]
          }
        }),
        8
      )
    ).toBeNull()
  })

  it('histogram bars are shares of every unit; replicate keys tell folds apart', () => {
    expect(histogramShares([0, 3, 1])).toEqual([0, 0.75, 0.25])
    expect(histogramShares([0, 0])).toEqual([0, 0])
    expect([replicateKey({ seed: 1 }), replicateKey({ seed: 1, fold: 0 })]).toEqual(['1/', '1/0'])
  })
})

const item = (label: string, model: LocalityItem['model'], mean: number, std: number, share: number, n = 3, group = 'r@8'): LocalityItem => ({
  label,
  model,
  group,
  features: 6,
  meanFeatures: ms(mean, std, n),
  singleFeatureShare: ms(share, 0, n)
})

describe('the one-line reading', () => {
  it('says IUNet is more local when its units read fewer features beyond the spread', () => {
    const [line] = connectivityReadings([item('IUNet (pruned) 1/8', 'iunet', 1.4, 0.1, 0.62), item('OMP only 1/8', 'omp', 3.2, 0.2, 0.05)], () => '3 seeds')
    expect(line).toBe(
      'IUNet (pruned) 1/8: units read 1.4 of 6 features on average (62.0 % read one) vs 3.2 for OMP only 1/8 (5.0 %) over 3 seeds; a dense layer reads all 6. More local than OMP only 1/8.'
    )
  })

  it('says it is NOT more local when it is not, and "about as local" within the spread', () => {
    const [worse] = connectivityReadings([item('IUNet', 'iunet', 4.1, 0.1, 0.01), item('OMP', 'omp', 3.0, 0.1, 0.1)])
    expect(worse).toMatch(/NOT more local: less local than OMP\.$/)
    const [same] = connectivityReadings([item('IUNet', 'iunet', 4.05, 0.2, 0.01), item('OMP', 'omp', 4.2, 0.2, 0.0), item('no-PIS', 'no-pis', 5.0, 0.1, 0)])
    expect(same).toMatch(/More local than no-PIS; about as local as OMP\.$/)
  })

  it('one replicate: says there is no spread; alone: compares with the dense layer; without IUNet: the figures only', () => {
    expect(connectivityReadings([item('IUNet', 'iunet', 1, 0, 1, 1), item('OMP', 'omp', 3, 0, 0, 1)])[0]).toMatch(/no spread to judge a gap by\)\.$/)
    expect(connectivityReadings([item('IUNet', 'iunet', 6, 0, 0)])[0]).toContain('as many as the dense layer: no locality')
    expect(connectivityReadings([item('IUNet', 'iunet', 2, 0, 0.3)])[0]).toContain('fewer than the dense layer')
    expect(connectivityReadings([item('OMP', 'omp', 3, 0, 0)])[0]).toBe(
      'Features a unit reads on average, of 6: OMP 3.0 (0.0 % read one); a dense layer reads all 6. No IUNet here to compare with.'
    )
  })

  it('never compares across runs or ratios', () => {
    const lines = connectivityReadings([item('IUNet 1/4', 'iunet', 2, 0, 0.2, 3, 'r@4'), item('OMP 1/8', 'omp', 5, 0, 0, 3, 'r@8')])
    expect(lines).toHaveLength(2)
    expect(lines[0]).toContain('No OMP or no-PIS model at this ratio')
  })
})

describe('locality in the table, exports and the p-value', () => {
  const tab = run('t', [
    agg('iunet', 8, 0.9, { singleFeatureShare: ms(0.38, 0.05), meanFeatures: ms(1.7, 0.1) }),
    agg('mlp', 1, 0.88, { singleFeatureShare: ms(0, 0), meanFeatures: ms(6, 0) })
  ])
  const img = run('i', [agg('iunet', 8, 0.9), agg('mlp', 1, 0.88)])

  it('the one-feature column shows mean ± std for tabular runs and is left out when no row has it', () => {
    const col = METRIC_COLUMNS.find((c) => c.key === 'singleFeatureShare')!
    const rows = buildRows(entriesOfRun(tab), { t: tab })
    expect(col.format(col.get(rows[0]!.aggregate!))).toBe('38.0 ± 5.0 %')
    expect(visibleColumns('quality', rows).map((c) => c.key)).toContain('singleFeatureShare')
    expect(visibleColumns('quality', buildRows(entriesOfRun(img), { i: img })).map((c) => c.key)).not.toContain('singleFeatureShare')
    expect(toCsv(rows).split('\r\n')[0]).toContain(',singleFeatureShare_mean,singleFeatureShare_std,')
  })

  it('the metrics CSV neutralises a run name a spreadsheet would run as a formula', () => {
    const evil = run('e', [agg('mlp', 1, 0.9)], { name: '=HYPERLINK("http://x","y")' })
    expect(toCsv(buildRows(entriesOfRun(evil), { e: evil })).split('\r\n')[1]).toMatch(/^"'=HYPERLINK\(""http:\/\/x"",""y""\)",/)
  })

  it('IUNet rows carry the run’s paired test; the verdict says it in the CLI’s words and the caption gives p', () => {
    const c: PairedComparison = {
      model: 'iunet',
      compression: 8,
      baseline: 'mlp',
      metric: 'accuracy',
      seeds: [0, 1, 2],
      test: 'paired-t',
      meanDifference: 0.02,
      t: 3.1,
      df: 2,
      p: 0.0312,
      identical: false
    }
    const r = run('t', tab.aggregates, { comparisons: [c] })
    const rows = buildRows(entriesOfRun(r), { t: r })
    expect(rows.map((x) => x.comparison?.p ?? null)).toEqual([0.0312, null])
    const [v] = verdicts(rows, () => 'tabular')
    expect(v!.test).toBe(
      'IUNet (pruned) 1/8 vs Dense MLP: +2.0 pts accuracy over 3 paired seeds, t(2) = 3.10, p = 0.0312 (paired t-test, two-sided): significant at α = 0.05.'
    )
    expect(pShort(c, rows[0]!.label)).toBe('IUNet (pruned) 1/8 vs Dense MLP: p = 0.0312')
    expect(pShort({ ...c, p: null, t: null, seeds: [0] })).toBe('IUNet (pruned) 1/8 vs Dense MLP: no p (1 pair)')
    expect(pShort({ ...c, p: null, identical: true })).toBe('IUNet (pruned) 1/8 vs Dense MLP: identical on every pair')
  })

  it('per-replicate export: validation scores and the locality figure, histogram counts separated by spaces; null for old results', () => {
    const base = { seed: 0, compression: 8, accuracy: 0.9, balancedAccuracy: 0.9, macroF1: 0.9, invariancePrediction: 1, invarianceRepresentation: 1 }
    const rest = { supernetValAccuracy: null, trainSeconds: 1, params: 10, nonzeroParams: 5 }
    const withAll = {
      ...base,
      ...rest,
      model: 'iunet',
      validation: { accuracy: 0.8, balancedAccuracy: 0.75, macroF1: 0.7 },
      locality: { features: 3, units: 4, histogram: [0, 2, 1, 1], singleFeatureShare: 0.5, meanFeatures: 1.75 }
    } as ModelResult
    const old = { ...base, ...rest, model: 'mlp', compression: 1 } as ModelResult
    const rows = rawResults([run('t', [], { results: [withAll, old] })])
    const csv = rawResultsCsv(rows).split('\r\n')
    const head = csv[0]!.split(',')
    const cell = (line: string, name: string) => line.split(',')[head.indexOf(name)]
    for (const [name, want] of [
      ['validationAccuracy', '0.8'],
      ['validationBalancedAccuracy', '0.75'],
      ['validationMacroF1', '0.7'],
      ['singleFeatureShare', '0.5'],
      ['meanFeatures', '1.75'],
      ['localityHistogram', '0 2 1 1']
    ]) {
      expect(cell(csv[1]!, name!)).toBe(want)
      expect(cell(csv[2]!, name!)).toBe('')
    }
  })

  it('the report carries the connectivity readings, escaped, only when there are some', () => {
    const base = { title: 't', generatedAt: 'now', rows: [], verdicts: [], diff: [], runs: [], charts: [], images: [] }
    const html = buildReport({ ...base, connectivity: ['what it shows', 'IUNet <1/8>: more local'] })
    expect(html).toContain('<h2>First-layer connectivity (tabular features)</h2>\n<p>what it shows</p>\n<p>IUNet &lt;1/8&gt;: more local</p>')
    expect(buildReport(base)).not.toContain('First-layer connectivity')
  })
})
