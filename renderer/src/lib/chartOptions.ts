/**
 * ECharts options of the comparison's charts, built from plain data (DOM-free): the same option feeds the
 * on-screen chart, its SVG export and the HTML report.
 */
import type { LayerSparsity, ModelAggregate, ModelKind } from '@contract'
import { MODEL_LABELS, ratioLabel } from '@contract'
import { CURVE_METRICS, bestPoint, runningBest, type CurveMetric, type CurvePoint, type ReplicateCurve } from './curves'
import { escapeHtml } from './html'

type Option = Record<string, unknown>

/** Percent ticks: whole numbers, one decimal when the axis is narrow enough to need it. */
const pctAxis = { type: 'value', axisLabel: { formatter: (v: number) => `${Number((v * 100).toFixed(1))} %` } }

export interface CurveSeries {
  name: string
  color: string
  points: CurvePoint[]
  /** Each replicate's own curve, drawn thin under the mean when `spread` is 'each'. */
  replicates?: ReplicateCurve[]
}

export function curvesOption(series: CurveSeries[], metric: CurveMetric, mode: 'best' | 'last', spread: 'band' | 'each' = 'band'): Option {
  const m = CURVE_METRICS.find((c) => c.key === metric)!
  const fmt = (v: number) => (m.share ? `${(v * 100).toFixed(1)} %` : v.toFixed(3))
  const main = series.map((s) => {
    const pts = mode === 'best' ? runningBest(s.points, m.higherIsBetter) : s.points
    const best = bestPoint(s.points, m.higherIsBetter)
    return {
      id: `main-${s.name}`,
      name: s.name,
      type: 'line',
      showSymbol: false,
      smooth: false,
      z: 3,
      data: pts.map((p) => [p.epoch, p.mean, p.std, p.n]),
      markLine:
        mode === 'best' && best
          ? { silent: true, symbol: 'none', lineStyle: { type: 'dotted', color: s.color }, label: { show: false }, data: [{ xAxis: best.epoch }] }
          : undefined
    }
  })
  // ± std over the replicates (seeds, × folds) as a shaded band (per-epoch view only): a transparent lower line and the band stacked on it.
  // Same series name as the curve, so the legend toggles both.
  const bands =
    mode === 'last' && spread === 'band'
      ? series
          .filter((s) => s.points.some((p) => p.n > 1))
          .flatMap((s) => [
            {
              id: `lo-${s.name}`,
              name: s.name,
              type: 'line',
              stack: `band-${s.name}`,
              silent: true,
              showSymbol: false,
              lineStyle: { opacity: 0 },
              tooltip: { show: false },
              data: s.points.map((p) => [p.epoch, p.mean - p.std])
            },
            {
              id: `band-${s.name}`,
              name: s.name,
              type: 'line',
              stack: `band-${s.name}`,
              silent: true,
              showSymbol: false,
              lineStyle: { opacity: 0 },
              areaStyle: { color: s.color, opacity: 0.14 },
              tooltip: { show: false },
              data: s.points.map((p) => [p.epoch, 2 * p.std])
            }
          ])
      : []
  // Or each replicate's own line, thin and faint under the mean: a line per task, so no line joins two tasks.
  const each =
    mode === 'last' && spread === 'each'
      ? series.flatMap((s) =>
          (s.replicates ?? []).map((r) => ({
            id: `rep-${s.name}-${r.label}`,
            name: s.name,
            type: 'line',
            silent: true,
            showSymbol: false,
            z: 2,
            lineStyle: { width: 1, opacity: 0.45, color: s.color },
            tooltip: { show: false },
            data: r.points.map((p) => [p.epoch, p.mean])
          }))
        )
      : []
  return {
    backgroundColor: 'transparent',
    color: series.map((s) => s.color),
    tooltip: {
      trigger: 'axis',
      formatter: (params: { seriesId: string; seriesName: string; color: string; data: [number, number, number, number] }[]) => {
        const rows = params.filter((p) => p.seriesId.startsWith('main-'))
        if (!rows.length) return ''
        const head = `epoch ${rows[0]!.data[0]}`
        return [
          head,
          ...rows.map(
            (p) =>
              `<span style="color:${escapeHtml(p.color)}">●</span> ${escapeHtml(p.seriesName)}: ${fmt(p.data[1])}${p.data[3] > 1 ? ` ± ${m.share ? (p.data[2] * 100).toFixed(1) : p.data[2].toFixed(3)} (n=${p.data[3]})` : ''}`
          )
        ].join('<br>')
      }
    },
    legend: { type: 'scroll', top: 0, data: series.map((s) => s.name) },
    grid: { left: 60, right: 24, top: 40, bottom: 50 },
    xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 28, minInterval: 1 },
    yAxis: m.share ? { ...pctAxis, name: m.label, scale: true } : { type: 'value', name: m.label, scale: true },
    // Curves first: the legend takes each name's icon from its first series.
    series: [...main, ...bands, ...each]
  }
}

/** `title` may carry a second line (what was summed): a matrix is 280 px wide, too narrow for both on one line. */
export function confusionOption(title: string | { text: string; subtext: string }, classNames: string[], matrix: number[][], dark: boolean): Option {
  const t = typeof title === 'string' ? { text: title, subtext: '' } : title
  const k = matrix.length
  const names = classNames.length === k ? classNames : Array.from({ length: k }, (_, i) => String(i))
  const data: [number, number, number, number][] = []
  matrix.forEach((row, t) => {
    const total = row.reduce((a, b) => a + b, 0)
    row.forEach((c, p) => data.push([p, t, total ? c / total : 0, c]))
  })
  const small = k > 12
  return {
    backgroundColor: 'transparent',
    title: { text: t.text, subtext: t.subtext, left: 'center', top: 0, itemGap: 3, textStyle: { fontSize: 13 }, subtextStyle: { fontSize: 11 } },
    tooltip: {
      formatter: (p: { data: [number, number, number, number] }) =>
        // Class labels come from the dataset file: the tooltip is HTML, so they are escaped.
        `true ${escapeHtml(names[p.data[1]])} → predicted ${escapeHtml(names[p.data[0]])}: ${p.data[3]} (${(p.data[2] * 100).toFixed(1)} % of true ${escapeHtml(names[p.data[1]])})`
    },
    grid: { left: 70, right: 34, top: t.subtext ? 48 : 30, bottom: 56 },
    xAxis: {
      type: 'category',
      data: names,
      name: 'predicted',
      nameLocation: 'middle',
      nameGap: small ? 40 : 30,
      axisLabel: { interval: 0, rotate: names.some((n) => n.length > 4) ? 40 : 0, fontSize: small ? 9 : 11 },
      splitArea: { show: true }
    },
    yAxis: {
      type: 'category',
      data: names,
      name: 'true',
      nameLocation: 'middle',
      nameGap: 52,
      inverse: true,
      axisLabel: { interval: 0, fontSize: small ? 9 : 11 },
      splitArea: { show: true }
    },
    visualMap: { show: false, min: 0, max: 1, dimension: 2, inRange: { color: dark ? ['#1b1f2a', '#1f5f99', '#7fc8ff'] : ['#ffffff', '#9ecae1', '#08519c'] } },
    series: [
      {
        type: 'heatmap',
        data,
        label: {
          show: !small,
          formatter: (p: { data: [number, number, number, number] }) => (p.data[3] ? String(p.data[3]) : ''),
          fontSize: 10,
          color: dark ? '#fff' : undefined
        },
        emphasis: { itemStyle: { borderColor: '#333', borderWidth: 1 } }
      }
    ]
  }
}

/** Summed confusion matrix over the replicates (seeds, × folds: with k-fold every row is scored once per seed). */
export function sumMatrices(ms: number[][][]): number[][] {
  if (!ms.length) return []
  const k = ms[0]!.length
  const out = Array.from({ length: k }, () => new Array<number>(k).fill(0))
  for (const m of ms) m.forEach((row, i) => row.forEach((v, j) => (out[i]![j]! += v)))
  return out
}

export interface SparsitySeries {
  name: string
  color: string
  /** Layers of one seed (the sparsity pattern per layer is the same shape for every seed; shares are averaged). */
  layers: LayerSparsity[][]
}

/** Weight layers shown: those OMP may prune, plus the classifier, which stays dense by design. */
export function shownLayer(l: LayerSparsity): boolean {
  return l.prunable || (/^(head|classifier|decoder|out)/i.test(l.name) && !/\/b$/.test(l.name))
}

export function sparsityOption(series: SparsitySeries[]): Option {
  const names: string[] = []
  for (const s of series) for (const l of s.layers[0] ?? []) if (shownLayer(l) && !names.includes(l.name)) names.push(l.name)
  return {
    backgroundColor: 'transparent',
    color: series.map((s) => s.color),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: unknown) => (typeof v === 'number' ? `${v.toFixed(1)} % kept` : '—') },
    legend: { type: 'scroll', top: 0 },
    grid: { left: 110, right: 30, top: 40, bottom: 40 },
    xAxis: { type: 'value', max: 100, name: '% of weights kept', nameLocation: 'middle', nameGap: 26 },
    yAxis: { type: 'category', data: names, inverse: true },
    series: series.map((s) => ({
      name: s.name,
      type: 'bar',
      barMaxWidth: 14,
      data: names.map((n) => {
        const shares = s.layers
          .map((ls) => ls.find((l) => l.name === n))
          .filter((l): l is LayerSparsity => !!l && l.total > 0)
          .map((l) => (100 * l.nonzero) / l.total)
        return shares.length ? shares.reduce((a, b) => a + b, 0) / shares.length : null
      })
    }))
  }
}

export interface CompressionLine {
  name: string
  color: string
  model: ModelKind
  points: ModelAggregate[]
}

/** Accuracy (balanced for tabular) vs compression on a log axis; unpruned models as horizontal reference lines. */
export function compressionOption(lines: CompressionLine[], refs: { name: string; color: string; value: number }[], balanced: boolean): Option {
  const key = balanced ? 'balancedAccuracy' : 'accuracy'
  const label = balanced ? 'Balanced accuracy' : 'Accuracy'
  // The axis must hold the reference lines too (ECharts scales to the series only).
  const values = [...lines.flatMap((l) => l.points.flatMap((a) => [a[key].mean - a[key].std, a[key].mean + a[key].std])), ...refs.map((r) => r.value)]
  const lo = Math.min(...values)
  const hi = Math.max(...values)
  const pad = Math.max(0.01, (hi - lo) * 0.08)
  const yMin = Math.max(0, Math.floor((lo - pad) * 100) / 100)
  const yMax = Math.min(1, Math.ceil((hi + pad) * 100) / 100)
  return {
    backgroundColor: 'transparent',
    color: lines.map((l) => l.color),
    tooltip: {
      trigger: 'item',
      formatter: (p: { seriesName: string; data: [number, number, number] }) =>
        `${escapeHtml(p.seriesName)} at ${ratioLabel(p.data[0])}: ${(p.data[1] * 100).toFixed(1)} ± ${(p.data[2] * 100).toFixed(1)} %`
    },
    legend: { type: 'scroll', top: 0 },
    grid: { left: 60, right: 110, top: 40, bottom: 50 },
    xAxis: {
      type: 'log',
      logBase: 2,
      name: 'compression r (keep 1/r)',
      nameLocation: 'middle',
      nameGap: 28,
      axisLabel: { formatter: (v: number) => ratioLabel(v) }
    },
    yAxis: { ...pctAxis, name: label, min: yMin, max: yMax },
    series: lines.map((l, i) => ({
      name: l.name,
      type: 'line',
      symbolSize: 8,
      data: [...l.points].sort((a, b) => a.compression - b.compression).map((a) => [a.compression, a[key].mean, a[key].std]),
      markLine:
        i === 0 && refs.length
          ? {
              silent: true,
              symbol: 'none',
              data: refs.map((r) => ({
                yAxis: r.value,
                name: r.name,
                lineStyle: { type: 'dashed', color: r.color },
                label: { formatter: r.name, position: 'end', color: r.color }
              }))
            }
          : undefined
    }))
  }
}

export function modelName(m: ModelKind): string {
  return MODEL_LABELS[m]
}
