/**
 * How a grid of settings moves a model at a ratio against the baseline, as figures (DOM-free): a heatmap for two
 * settings (rows × columns, each cell a grid point), a line per setting for one, and for three or more each
 * setting's marginal effect (its values averaged over the other settings) — with the per-dataset values behind
 * every number for the hover. The numbers are the services' (studies.get gridEffects); this only lays them out.
 */
import { pointsDiff, settingWord, canonicalJson, type GridEffect, type GridEffectPoint } from '@contract'
import { escapeHtml } from './html'
import { divergingColor } from './diverging'
import { valueLabel } from './studyTable'

export type EffectKind = 'heatmap' | 'line' | 'marginals'

export const effectKind = (e: Pick<GridEffect, 'settings'>): EffectKind =>
  e.settings.length === 2 ? 'heatmap' : e.settings.length === 1 ? 'line' : 'marginals'

export interface Axis {
  name: string
  word: string
  values: { label: string; key: string }[]
}

const axisOf = (s: GridEffect['settings'][number]): Axis => ({
  name: s.name,
  word: settingWord(s.name),
  values: s.values.map((v) => ({ label: valueLabel(v), key: canonicalJson(v) }))
})

/** Two settings: the first in rows, the second in columns; a grid point that has no result is null. */
export function heatmapOf(e: GridEffect): { rows: Axis; cols: Axis; cells: (GridEffectPoint | null)[][] } {
  const [a, b] = e.settings as [GridEffect['settings'][number], GridEffect['settings'][number]]
  const rows = axisOf(a)
  const cols = axisOf(b)
  const at = new Map(e.points.map((p) => [`${canonicalJson(p.grid[a.name])}|${canonicalJson(p.grid[b.name])}`, p]))
  return { rows, cols, cells: rows.values.map((r) => cols.values.map((c) => at.get(`${r.key}|${c.key}`) ?? null)) }
}

/** One value of a setting on a line: its effect, average rank, record and per-dataset differences. */
export interface EffectValue {
  label: string
  meanDifference: number | null
  averageRank: number | null
  /** Wins / ties / losses over datasets; null for a marginal (an average over points has no single record). */
  record: { wins: number; ties: number; losses: number; n: number } | null
  perDataset: (number | null)[]
}

export interface EffectLine {
  setting: string
  word: string
  values: EffectValue[]
}

/** A dataset's difference averaged over the points that have it; null where none has. */
function averageAcross(points: readonly GridEffectPoint[], datasets: number): (number | null)[] {
  return Array.from({ length: datasets }, (_, d) => {
    const xs = points.flatMap((p) => (p.perDataset[d] === null || p.perDataset[d] === undefined ? [] : [p.perDataset[d]!]))
    return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null
  })
}

/**
 * The lines of an effect: one setting, its points in the setting's order; three or more, one line per setting of
 * its marginal effect (mean difference and rank from the services; per dataset, the points with that value averaged).
 */
export function effectLines(e: GridEffect, datasets: number): EffectLine[] {
  if (e.settings.length === 1) {
    const s = e.settings[0]!
    const values = s.values.flatMap((v) => {
      const p = e.points.find((x) => canonicalJson(x.grid[s.name]) === canonicalJson(v))
      if (!p) return []
      const { wins, ties, losses, n } = p
      return [
        { label: valueLabel(v), meanDifference: p.meanDifference, averageRank: p.averageRank, record: { wins, ties, losses, n }, perDataset: p.perDataset }
      ]
    })
    return [{ setting: s.name, word: settingWord(s.name), values }]
  }
  return e.marginals.map((m) => ({
    setting: m.setting,
    word: settingWord(m.setting),
    values: m.values.map((v) => ({
      label: valueLabel(v.value),
      meanDifference: v.meanDifference,
      averageRank: v.averageRank,
      record: null,
      perDataset: averageAcross(
        e.points.filter((p) => canonicalJson(p.grid[m.setting]) === canonicalJson(v.value)),
        datasets
      )
    }))
  }))
}

/** "iris: −11.9 pts" per dataset (those without a value say so). */
export function perDatasetText(perDataset: readonly (number | null)[], datasets: readonly string[]): string[] {
  return datasets.map((name, d) => `${name}: ${perDataset[d] === null || perDataset[d] === undefined ? 'no pair' : pointsDiff(perDataset[d])}`)
}

/** Every difference an effect shows (for a colour scale shared by all panels). */
export const effectValues = (e: GridEffect): (number | null)[] => [
  ...e.points.map((p) => p.meanDifference),
  ...e.marginals.flatMap((m) => m.values.map((v) => v.meanDifference))
]

type Option = Record<string, unknown>

/**
 * The y axis of the effect lines, in pts: 2 pts of headroom over the bound (no point sits on the frame), rounded up
 * to a whole tick, with at most about a dozen ticks.
 */
export function effectAxis(bound: number): { bound: number; step: number } {
  const raw = bound * 100 + 2
  const step = raw <= 6 ? 2 : raw <= 25 ? 5 : raw <= 50 ? 10 : 25
  return { bound: Math.ceil(raw / step - 1e-9) * step, step }
}

/**
 * A line of an effect as an ECharts option: the setting's values along x, the difference to the baseline (pts) on
 * a y axis over ±bound (with headroom) shared by every panel, a dashed line at 0 (= the baseline), each point coloured on the
 * diverging scale; the tooltip lists the per-dataset differences.
 */
export function effectLineOption(
  line: EffectLine,
  o: { datasets: readonly string[]; bound: number; baseline: string; marginal: boolean; dark: boolean }
): Option {
  const fg = o.dark ? '#ddd' : '#333'
  const pts = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 10)
  const data = line.values.map((v) => ({
    value: pts(v.meanDifference),
    itemStyle: { color: divergingColor(v.meanDifference, o.bound, o.dark), borderColor: fg, borderWidth: 1 }
  }))
  const tooltip = (i: number) => {
    const v = line.values[i]!
    const head = `<b>${escapeHtml(line.word)} = ${escapeHtml(v.label)}</b>${o.marginal ? ' (averaged over the other settings)' : ''}`
    const record = v.record ? ` · ${v.record.wins}/${v.record.ties}/${v.record.losses} W/T/L over ${v.record.n}` : ''
    const rank = v.averageRank === null ? '' : ` · average rank ${v.averageRank.toFixed(2)}`
    return [
      `${head}`,
      `${escapeHtml(pointsDiff(v.meanDifference))} vs ${escapeHtml(o.baseline)}${record}${rank}`,
      ...perDatasetText(v.perDataset, o.datasets).map(escapeHtml)
    ].join('<br/>')
  }
  const { bound, step } = effectAxis(o.bound)
  return {
    backgroundColor: 'transparent',
    animation: false,
    grid: { left: 56, right: 16, top: 30, bottom: 44 },
    // On the page, not inside the small chart: the per-dataset lines are wider than a panel.
    tooltip: { trigger: 'item', appendTo: 'body', formatter: (p: { dataIndex: number }) => tooltip(p.dataIndex) },
    xAxis: {
      type: 'category',
      data: line.values.map((v) => v.label),
      name: line.word,
      nameLocation: 'middle',
      nameGap: 26,
      axisLabel: { color: fg },
      nameTextStyle: { color: fg },
      axisLine: { lineStyle: { color: fg } }
    },
    yAxis: {
      type: 'value',
      min: -bound,
      max: bound,
      interval: step,
      name: `Δ pts vs ${o.baseline}`,
      nameTextStyle: { color: fg, align: 'left' },
      axisLabel: { color: fg, formatter: (v: number) => `${v > 0 ? '+' : ''}${v}` },
      splitLine: { lineStyle: { color: o.dark ? '#444' : '#e4e4e4' } }
    },
    series: [
      {
        type: 'line',
        name: line.word,
        data,
        symbol: 'circle',
        symbolSize: 14,
        lineStyle: { color: fg, width: 1.5 },
        markLine: {
          silent: true,
          symbol: 'none',
          label: { formatter: o.baseline, color: fg, fontSize: 10, position: 'insideEndTop' },
          lineStyle: { type: 'dashed', color: fg },
          data: [{ yAxis: 0 }]
        }
      }
    ]
  }
}
