/** The critical-difference diagram: cliques of variants less than a CD apart, and the chart they become. */
import { describe, expect, it } from 'vitest'
import { cdBar, cdDiagramOption, cliques } from '../../../renderer/src/lib/cdDiagram.ts'

describe('critical-difference diagram', () => {
  it('joins maximal runs of variants whose ranks span less than the CD', () => {
    // sorted ranks: b 1.2, a 1.5, d 2.6, c 3.9 ; CD 1.2 → {b, a} ([1.2, 1.5]; 2.6 − 1.2 ≥ 1.2), {d, c}? 3.9 − 2.6 = 1.3 ≥ 1.2: no;
    // {a, d}: 2.6 − 1.5 = 1.1 < 1.2 → yes
    expect(cliques([1.5, 1.2, 3.9, 2.6], 1.2)).toEqual([
      [1, 0],
      [0, 3]
    ])
    expect(cliques([1, 2, 3], 5)).toEqual([[0, 1, 2]])
    expect(cliques([1, 2, 3], 0.5)).toEqual([])
  })

  it('draws one tick per variant with its label and rank, the clique bars and the CD bar', () => {
    const o = cdDiagramOption({ labels: ['IUNet', 'MLP', 'OMP'], ranks: [1.2, 2.3, 2.5], cd: 1.5 }) as {
      series: { name: string; data: unknown[] }[]
      xAxis: { max: number }
    }
    const names = o.series.map((s) => s.name)
    expect(names.slice(0, 3)).toEqual(['IUNet', 'MLP', 'OMP'])
    expect(names).toContain('CD')
    expect(names.filter((n) => n.startsWith('not significantly different'))).toHaveLength(1)
    const cd = o.series.find((s) => s.name === 'CD')!
    expect(cd.data).toEqual([
      [1, 0.9],
      [1.75, 0.9],
      [2.5, 0.9]
    ])
    const first = o.series[0] as unknown as { data: number[][]; endLabel: { formatter: string } }
    expect(first.endLabel.formatter).toBe('IUNet (1.20)')
    // the best goes down from its rank to the first label row on the left
    expect(first.data).toEqual([
      [1.2, 0],
      [1.2, -1],
      [1, -1]
    ])
    expect(o.xAxis.max).toBe(3)
  })

  it('keeps a CD wider than the rank range inside the axis, drawn to its end with an arrow and labelled as such', () => {
    const o = cdDiagramOption({ labels: ['a', 'b', 'c'], ranks: [1.5, 2, 2.5], cd: 3.4 }) as { series: Record<string, unknown>[]; xAxis: { max: number } }
    const cd = o.series.find((s) => s.name === 'CD')! as { data: number[][]; label: { formatter: (p: { dataIndex: number }) => string } }
    expect(Math.max(...cd.data.map((p) => p[0]!))).toBe(o.xAxis.max)
    expect(cd.label.formatter({ dataIndex: 1 })).toBe('CD = 3.40, wider than the rank range: no two variants differ significantly')
    const narrow = cdBar(0.8, 3) as { data: number[][]; label: { formatter: (p: { dataIndex: number }) => string } }
    expect(narrow.data[2]).toEqual([1.8, 0.9])
    expect(narrow.label.formatter({ dataIndex: 1 })).toBe('CD = 0.80')
  })
})
