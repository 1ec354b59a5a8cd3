/**
 * The grid-effect figures: the diverging colour scale (centred on 0, monotone away from it, black or white text
 * that always contrasts ≥ 4.5 : 1), the heatmap layout of two settings, the lines of one setting and the marginal
 * lines of three (per-dataset values averaged over the other settings), the line chart's option, the tuned
 * comparison's budgets and choices in words.
 */
import { describe, expect, it } from 'vitest'
import type { GridEffect, GridEffectPoint, TunedVariant } from '../../../main/contract/index.ts'
import { contrast, divergingColor, divergingGradient, symmetricBound, textOn } from '../../../renderer/src/lib/diverging.ts'
import { effectAxis, effectKind, effectLineOption, effectLines, effectValues, heatmapOf, perDatasetText } from '../../../renderer/src/lib/gridEffects.ts'
import { budgets, choiceCounts, choiceLines } from '../../../renderer/src/lib/tuned.ts'
import { deltaE } from '../../../renderer/src/lib/palette.ts'

const point = (variant: number, grid: Record<string, unknown>, perDataset: (number | null)[]): GridEffectPoint => {
  const xs = perDataset.filter((x): x is number => x !== null)
  return {
    variant,
    grid,
    meanDifference: xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null,
    wins: xs.filter((x) => x > 0).length,
    ties: xs.filter((x) => x === 0).length,
    losses: xs.filter((x) => x < 0).length,
    n: xs.length,
    averageRank: variant,
    perDataset
  }
}

// Points in spec order (κ major), the κ = 1, λ = 1 point missing (its cell has not finished).
const twoSettings: GridEffect = {
  model: 'iunet',
  compression: 8,
  label: 'IUNet (pruned) 1/8',
  baseline: 0,
  settings: [
    { name: 'kappa', values: [0.125, 1] },
    { name: 'lambda', values: [0, 1] }
  ],
  points: [
    point(1, { kappa: 0.125, lambda: 0 }, [0.02, -0.04]),
    point(2, { kappa: 0.125, lambda: 1 }, [0.1, null]),
    point(3, { kappa: 1, lambda: 0 }, [-0.2, -0.1])
  ],
  marginals: []
}

describe('diverging colour scale', () => {
  it('is the neutral centre at 0 (and without a value), the end colours at ±bound and beyond', () => {
    expect(divergingColor(0, 0.1)).toBe('#f7f7f7')
    expect(divergingColor(null, 0.1)).toBe('#f7f7f7')
    expect(divergingColor(0.1, 0.1)).toBe('#2166ac')
    expect(divergingColor(-0.3, 0.1)).toBe('#b2182b')
    expect(divergingColor(0, 0.1, true)).toBe('#303036')
    expect(divergingColor(0.1, 0.1, true)).toBe('#6aaed6')
    expect(divergingGradient()).toMatch(/^linear-gradient\(to right, #b2182b, .*#f7f7f7, .*#2166ac\)$/)
  })

  it('moves steadily away from the centre as |x| grows, on both sides and in both themes', () => {
    for (const dark of [false, true]) {
      const centre = divergingColor(0, 1, dark)
      for (const sign of [1, -1]) {
        const d = Array.from({ length: 21 }, (_, i) => deltaE(centre, divergingColor((sign * i) / 20, 1, dark)))
        for (let i = 1; i < d.length; i++) expect(d[i]!).toBeGreaterThan(d[i - 1]!)
      }
    }
  })

  it('writes black or white, whichever contrasts more, never under 4.5 : 1', () => {
    for (const dark of [false, true])
      for (let i = -40; i <= 40; i++) {
        const bg = divergingColor(i / 40, 1, dark)
        expect(contrast(bg, textOn(bg))).toBeGreaterThanOrEqual(4.5)
      }
    expect(textOn('#2166ac')).toBe('#ffffff')
    expect(textOn('#f7f7f7')).toBe('#000000')
    // WCAG's own extremes: black on white is 21 : 1
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 10)
  })

  it('bounds differences symmetrically at the largest |x|, rounded up to a whole point, at least 1 point', () => {
    expect(symmetricBound([0.012, -0.231, null])).toBe(0.24)
    expect(symmetricBound([0.2])).toBe(0.2)
    expect(symmetricBound([0, null])).toBe(0.01)
  })
})

describe('grid effect figures', () => {
  it('lays two settings out as rows × columns, a missing grid point as null', () => {
    expect(effectKind(twoSettings)).toBe('heatmap')
    const h = heatmapOf(twoSettings)
    expect(h.rows.word).toBe('κ')
    expect(h.cols.values.map((c) => c.label)).toEqual(['0', '1'])
    expect(h.cells.map((row) => row.map((p) => p?.variant ?? null))).toEqual([
      [1, 2],
      [3, null]
    ])
    expect(effectValues(twoSettings)).toHaveLength(3)
  })

  it('lists each dataset’s difference for the hover', () => {
    expect(perDatasetText([0.1, null], ['iris', 'wine'])).toEqual(['iris: +10.0 pts', 'wine: no pair'])
  })

  it('draws one setting as a line of its points, with their records', () => {
    const one: GridEffect = {
      ...twoSettings,
      settings: [{ name: 'tau', values: [0.1, 0.5] }],
      points: [point(1, { tau: 0.1 }, [0.02, 0.04]), point(2, { tau: 0.5 }, [-0.1, 0])]
    }
    expect(effectKind(one)).toBe('line')
    const [line] = effectLines(one, 2)
    expect(line!.word).toBe('τ')
    expect(line!.values.map((v) => [v.label, v.record])).toEqual([
      ['0.1', { wins: 2, ties: 0, losses: 0, n: 2 }],
      ['0.5', { wins: 0, ties: 1, losses: 1, n: 2 }]
    ])
  })

  it('draws three settings as each one’s marginal line, per dataset averaged over the other settings', () => {
    const three: GridEffect = {
      ...twoSettings,
      settings: [
        { name: 'kappa', values: [0.125, 1] },
        { name: 'lambda', values: [0] },
        { name: 'tau', values: [0.1, 0.5] }
      ],
      points: [
        point(1, { kappa: 0.125, lambda: 0, tau: 0.1 }, [0.02, null]),
        point(2, { kappa: 0.125, lambda: 0, tau: 0.5 }, [0.06, 0.01]),
        point(3, { kappa: 1, lambda: 0, tau: 0.1 }, [-0.1, -0.2])
      ],
      marginals: [
        {
          setting: 'kappa',
          values: [
            { value: 0.125, meanDifference: 0.0275, averageRank: 1.5 },
            { value: 1, meanDifference: -0.15, averageRank: 3 }
          ]
        },
        { setting: 'lambda', values: [{ value: 0, meanDifference: -0.035, averageRank: 2 }] },
        {
          setting: 'tau',
          values: [
            { value: 0.1, meanDifference: -0.065, averageRank: 2 },
            { value: 0.5, meanDifference: 0.035, averageRank: 2 }
          ]
        }
      ]
    }
    expect(effectKind(three)).toBe('marginals')
    const lines = effectLines(three, 2)
    expect(lines.map((l) => l.word)).toEqual(['κ', 'λ', 'τ'])
    const kappa = lines[0]!.values
    // κ = 0.125: iris (0.02 + 0.06) / 2, wine only the second point has one; κ = 1: the one point
    expect(kappa[0]!.perDataset[0]).toBeCloseTo(0.04, 12)
    expect(kappa[0]!.perDataset[1]).toBeCloseTo(0.01, 12)
    expect(kappa[1]!.perDataset).toEqual([-0.1, -0.2])
    expect(kappa.map((v) => [v.meanDifference, v.record])).toEqual([
      [0.0275, null],
      [-0.15, null]
    ])
  })

  it('gives the lines’ axis headroom and a dozen ticks at most', () => {
    expect([0.03, 0.2, 0.3, 0.8].map(effectAxis)).toEqual([
      { bound: 6, step: 2 },
      { bound: 25, step: 5 },
      { bound: 40, step: 10 },
      { bound: 100, step: 25 }
    ])
    for (let b = 0.01; b <= 1; b += 0.01) {
      const a = effectAxis(b)
      expect(a.bound).toBeGreaterThanOrEqual(b * 100 + 2 - 1e-9)
      expect((2 * a.bound) / a.step).toBeLessThanOrEqual(12)
    }
  })

  it('builds a line option on the shared ±bound axis, points coloured on the scale, the per-dataset values in the tooltip', () => {
    const line = effectLines({ ...twoSettings, settings: [{ name: 'kappa', values: [0.125, 1] }], points: twoSettings.points.slice(0, 1) }, 2)[0]!
    const o = effectLineOption(line, { datasets: ['iris', '<b>wine</b>'], bound: 0.24, baseline: 'Dense MLP', marginal: false, dark: false }) as {
      yAxis: { min: number; max: number; interval: number }
      series: { data: { value: number; itemStyle: { color: string } }[] }[]
      tooltip: { formatter: (p: { dataIndex: number }) => string }
    }
    // ±24 pts and 2 pts of headroom, up to the next tick of 10
    expect([o.yAxis.min, o.yAxis.max, o.yAxis.interval]).toEqual([-30, 30, 10])
    expect(o.series[0]!.data.map((d) => d.value)).toEqual([-1])
    expect(o.series[0]!.data[0]!.itemStyle.color).toBe(divergingColor(-0.01, 0.24))
    const tip = o.tooltip.formatter({ dataIndex: 0 })
    expect(tip).toContain('-1.0 pts vs Dense MLP · 1/0/1 W/T/L over 2')
    expect(tip).toContain('iris: +2.0 pts')
    // a dataset name is text from a file: escaped before it reaches the HTML tooltip
    expect(tip).toContain('&lt;b&gt;wine&lt;/b&gt;: -4.0 pts')
  })
})

describe('tuned comparison in words', () => {
  const tv = (model: TunedVariant['model'], settings: number, over: string[], choices: TunedVariant['choices']): TunedVariant => ({
    model,
    label: model,
    settings,
    over,
    choices,
    missingValidation: 0
  })
  const iunet = tv(
    'iunet',
    4,
    ['κ', 'λ'],
    [
      [
        { seed: 0, variant: 3, validation: 0.9, test: 0.8 },
        { seed: 1, variant: 5, validation: 0.8, test: 0.7 }
      ],
      [{ seed: 0, fold: 1, variant: 5, validation: 0.95, test: 0.9 }]
    ]
  )
  const mlp = tv('mlp', 1, [], [[{ seed: 0, variant: 1, validation: 0.9, test: 0.85 }], []])

  it('says each model’s budget and whether the budgets differ', () => {
    expect(budgets([iunet, mlp], (v) => v.model)).toEqual({ text: 'iunet: 4 settings (κ × λ) · mlp: 1 setting', unequal: true })
    expect(budgets([mlp], (v) => v.model).unequal).toBe(false)
  })

  it('counts how often validation chose each setting, most often first', () => {
    expect(choiceCounts(iunet)).toEqual([
      { variant: 5, count: 2 },
      { variant: 3, count: 1 }
    ])
  })

  it('names a cell’s choices per replicate', () => {
    expect(choiceLines(iunet.choices[1]!, (j) => `variant ${j}`)).toEqual(['seed 0 · fold 2: variant 5 (validation 95.0 %, test 90.0 %)'])
  })
})
