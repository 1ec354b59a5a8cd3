import { describe, expect, it } from 'vitest'
import type { RunSummary } from '../../../main/contract/index.ts'
import { filterRuns, runDatasets } from '../../../renderer/src/lib/runsFilter.ts'
import { confusionOption, curvesOption, sparsityOption, sumMatrices } from '../../../renderer/src/lib/chartOptions.ts'
import { compression, dateTime, duration, pctMeanStd } from '../../../renderer/src/lib/format.ts'

const base = {
  preset: 'quick',
  seeds: 1,
  folds: null,
  backend: 'cpu',
  startedAt: null,
  finishedAt: null,
  bestAccuracy: null,
  bestModel: null,
  progress: 0,
  studyId: null
} as const
const runs: RunSummary[] = [
  {
    ...base,
    id: '1',
    name: 'iris quick',
    datasetId: 'd1',
    datasetName: 'iris',
    status: 'finished',
    models: ['iunet', 'mlp'],
    createdAt: '2026-01-01T00:00:00Z',
    error: null
  },
  {
    ...base,
    id: '2',
    name: 'digits big',
    datasetId: 'd2',
    datasetName: 'digits',
    status: 'failed',
    preset: 'standard',
    models: ['cnn'],
    createdAt: '2026-01-03T00:00:00Z',
    error: 'out of memory'
  },
  {
    ...base,
    id: '3',
    name: 'digits quick',
    datasetId: 'd2',
    datasetName: 'digits',
    status: 'running',
    models: ['omp'],
    createdAt: '2026-01-02T00:00:00Z',
    error: null
  }
]

describe('runs filter', () => {
  it('filters by status, dataset and every word of the text (name, model labels, errors), newest first', () => {
    expect(filterRuns(runs, { statuses: [], datasetId: null, text: '' }).map((r) => r.id)).toEqual(['2', '3', '1'])
    expect(filterRuns(runs, { statuses: ['failed', 'running'], datasetId: null, text: '' }).map((r) => r.id)).toEqual(['2', '3'])
    expect(filterRuns(runs, { statuses: [], datasetId: 'd2', text: 'quick' }).map((r) => r.id)).toEqual(['3'])
    expect(filterRuns(runs, { statuses: [], datasetId: null, text: 'memory' }).map((r) => r.id)).toEqual(['2'])
    expect(filterRuns(runs, { statuses: [], datasetId: null, text: 'dense mlp' }).map((r) => r.id)).toEqual(['1'])
    expect(runDatasets(runs)).toEqual([
      { id: 'd2', name: 'digits' },
      { id: 'd1', name: 'iris' }
    ])
  })
})

describe('chart options and formatting', () => {
  it('confusion heatmap: rows normalised by true class, counts kept, class names on both axes', () => {
    const m = sumMatrices([
      [
        [3, 1],
        [0, 4]
      ],
      [
        [1, 0],
        [2, 2]
      ]
    ])
    expect(m).toEqual([
      [4, 1],
      [2, 6]
    ])
    const o = confusionOption('t', ['cat', 'dog'], m, false) as { xAxis: { data: string[] }; yAxis: { data: string[] }; series: { data: number[][] }[] }
    expect(o.xAxis.data).toEqual(['cat', 'dog'])
    expect(o.yAxis.data).toEqual(['cat', 'dog'])
    expect(o.series[0]!.data).toContainEqual([0, 0, 0.8, 4])
    expect(o.series[0]!.data).toContainEqual([0, 1, 0.25, 2])
  })

  it('sparsity bars: share of weights kept per prunable layer (and the dense head), averaged over seeds', () => {
    const layer = (name: string, total: number, nonzero: number, prunable: boolean) => ({ name, total, nonzero, prunable })
    const o = sparsityOption([
      {
        name: 'IUNet',
        color: '#000',
        layers: [
          [layer('l0/w', 100, 10, true), layer('l0/b', 10, 10, false), layer('head/w', 20, 20, false)],
          [layer('l0/w', 100, 20, true), layer('l0/b', 10, 10, false), layer('head/w', 20, 20, false), layer('head/b', 2, 2, false)]
        ]
      }
    ]) as { yAxis: { data: string[] }; series: { data: (number | null)[] }[] }
    expect(o.yAxis.data).toEqual(['l0/w', 'head/w'])
    expect(o.series[0]!.data).toEqual([15, 100])
  })

  it('learning curves: a ± std band per curve in the per-epoch view (legend toggles it with its curve), none for best-so-far', () => {
    const points = [
      { epoch: 1, mean: 0.5, std: 0.1, n: 2 },
      { epoch: 2, mean: 0.7, std: 0.05, n: 2 }
    ]
    type S = { id: string; name: string; data: number[][] }
    const last = curvesOption([{ name: 'IUNet', color: '#000', points }], 'valAccuracy', 'last') as { series: S[]; legend: { data: string[] } }
    expect(last.series.map((x) => x.id)).toEqual(['main-IUNet', 'lo-IUNet', 'band-IUNet'])
    expect(last.series.every((x) => x.name === 'IUNet')).toBe(true)
    expect(last.series[1]!.data[0]).toEqual([1, 0.4])
    expect(last.series[2]!.data[0]).toEqual([1, 0.2])
    expect(last.legend.data).toEqual(['IUNet'])
    const best = curvesOption([{ name: 'IUNet', color: '#000', points }], 'valAccuracy', 'best') as { series: S[] }
    expect(best.series.map((x) => x.id)).toEqual(['main-IUNet'])
  })

  it('formats', () => {
    expect(pctMeanStd(null)).toBe('—')
    // The contract's ratioLabel names a ratio on every screen: "1/16", never "16×".
    expect(compression(16)).toBe('1/16 (6.3 % kept)')
    expect(compression(1)).toBe('dense')
    expect(dateTime('nonsense')).toBe('nonsense')
    expect([0.2, 59.6, 60, 125, 3600, 5399].map(duration)).toEqual(['1 s', '1 min', '1 min', '2 min 5 s', '1 h 0 min', '1 h 30 min'])
  })
})
