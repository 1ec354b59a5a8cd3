/**
 * The critical-difference diagram of Demšar (2006) as an ECharts option (DOM-free, line series on value axes, so
 * the basic chart setup draws it): an axis of average ranks (1 = best, on the left), each variant a tick with its
 * name, the Nemenyi CD as a bar above, and thick lines joining groups of variants that are not a CD apart.
 */

/** Maximal runs of variants (sorted by rank) whose ranks span less than `cd`: each is a clique of ties. */
export function cliques(ranks: readonly number[], cd: number): number[][] {
  const order = ranks.map((r, i) => [r, i] as const).sort((a, b) => a[0] - b[0])
  const groups: number[][] = []
  for (let i = 0; i < order.length; i++) {
    let j = i
    while (j + 1 < order.length && order[j + 1]![0] - order[i]![0] < cd) j++
    if (j > i) {
      const g = order.slice(i, j + 1).map(([, idx]) => idx)
      // keep only maximal groups: one that ends where the previous ended is inside it
      const prev = groups[groups.length - 1]
      if (!prev || !g.every((x) => prev.includes(x))) groups.push(g)
    }
  }
  return groups
}

/**
 * The CD as a bar from rank 1, inside the axis: a CD wider than the rank range (1..max) is drawn across the whole
 * axis, ending in an arrow, and its label says so (no two variants can then be told apart).
 */
export function cdBar(cd: number, max: number): Record<string, unknown> {
  const wide = 1 + cd > max
  const end = wide ? max : 1 + cd
  const text = wide ? `CD = ${cd.toFixed(2)}, wider than the rank range: no two variants differ significantly` : `CD = ${cd.toFixed(2)}`
  return {
    type: 'line',
    name: 'CD',
    data: [
      [1, 0.9],
      [(1 + end) / 2, 0.9],
      [end, 0.9]
    ],
    clip: false,
    // The middle point carries the label: a symbol too small to see (a line series labels only points with a symbol).
    symbol: (_v: unknown, p: { dataIndex: number }) => (p.dataIndex === 2 && wide ? 'arrow' : 'rect'),
    symbolSize: (_v: unknown, p: { dataIndex: number }) => (p.dataIndex === 2 && wide ? [9, 9] : p.dataIndex === 1 ? [0.01, 0.01] : [2, 10]),
    symbolRotate: -90,
    lineStyle: { color: '#d03050', width: 2, type: wide ? 'dashed' : 'solid' },
    itemStyle: { color: '#d03050' },
    // Above the bar's middle: the label stays over the axis whatever the bar's length.
    label: { show: true, position: 'top', formatter: (p: { dataIndex: number }) => (p.dataIndex === 1 ? text : ''), color: '#d03050', fontSize: 11 },
    silent: true
  }
}

export interface CdInput {
  labels: string[]
  ranks: number[]
  cd: number
}

export function cdDiagramOption(input: CdInput, dark = false): Record<string, unknown> {
  const { labels, ranks, cd } = input
  const k = labels.length
  const fg = dark ? '#ddd' : '#333'
  const order = ranks.map((r, i) => [r, i] as const).sort((a, b) => a[0] - b[0])
  const half = Math.ceil(k / 2)
  const margin = (side: (readonly [number, number])[]) => 24 + Math.max(40, ...side.map(([r, i]) => `${labels[i]} (${r.toFixed(2)})`.length * 6.5))
  // Left half labelled on the left, right half on the right; each tick goes down to its own label row.
  const series: Record<string, unknown>[] = order.map(([r, idx], pos) => {
    const left = pos < half
    const y = -(left ? pos + 1 : k - pos)
    const xEnd = left ? 1 : Math.max(k, 2)
    return {
      type: 'line',
      name: labels[idx],
      clip: false,
      data: [
        [r, 0],
        [r, y],
        [xEnd, y]
      ],
      symbol: 'none',
      endLabel: {
        show: true,
        formatter: `${labels[idx]} (${r.toFixed(2)})`,
        color: fg,
        fontSize: 11,
        align: left ? 'right' : 'left',
        offset: left ? [-10, 0] : [0, 0]
      },
      lineStyle: { color: fg, width: 1 },
      itemStyle: { color: fg },
      tooltip: { formatter: `${labels[idx]}: average rank ${r.toFixed(2)}` }
    }
  })
  const groups = cliques(ranks, cd)
  groups.forEach((g, n) => {
    const rs = g.map((i) => ranks[i]!)
    // between the axis and the first label row, spread evenly
    const y = -0.2 - (n * 0.65) / Math.max(1, groups.length)
    series.push({
      type: 'line',
      name: `not significantly different ${n + 1}`,
      data: [
        [Math.min(...rs) - 0.03, y],
        [Math.max(...rs) + 0.03, y]
      ],
      symbol: 'none',
      clip: false,
      lineStyle: { color: fg, width: 4 },
      silent: true
    })
  })
  series.push(cdBar(cd, Math.max(k, 2)))
  return {
    animation: false,
    tooltip: { trigger: 'item' },
    // room for the longest label on each side (≈ 6.5 px per character at 11 px)
    grid: { left: margin(order.slice(0, half)), right: margin(order.slice(half)), top: 44, bottom: 10 },
    xAxis: {
      type: 'value',
      min: 1,
      max: Math.max(k, 2),
      interval: 1,
      position: 'top',
      axisLine: { lineStyle: { color: fg } },
      axisLabel: { color: fg },
      splitLine: { show: false },
      name: 'average rank',
      nameLocation: 'middle',
      nameGap: 22,
      nameTextStyle: { color: fg }
    },
    yAxis: { type: 'value', min: -(half + 0.5), max: 1.6, show: false },
    series
  }
}
