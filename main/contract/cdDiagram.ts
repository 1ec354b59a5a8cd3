/**
 * The critical-difference diagram of Demšar (2006): an axis of average ranks (1 = best, on the left), each variant a
 * tick with its name, the Nemenyi CD as a bar, and thick lines joining groups of variants less than a CD apart.
 * The grouping (cliques) is shared by the app's chart and this standalone SVG (study exports, `iunet study export`).
 * A CD wider than the rank range is drawn to its full length (the axis is extended) and labelled so.
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

/** The rank axis: 1 … k, extended to 1 + cd when the CD is wider than the ranks can spread. */
export function cdAxis(k: number, cd: number): { min: number; max: number; cdWider: boolean } {
  const max = Math.max(k, 2)
  return cd > max - 1 ? { min: 1, max: Math.ceil(1 + cd), cdWider: true } : { min: 1, max, cdWider: false }
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** The diagram as a standalone SVG document (fonts: the viewer's sans-serif). */
export function cdDiagramSvg(input: { labels: readonly string[]; ranks: readonly number[]; cd: number; alpha: number; title?: string }): string {
  const { labels, ranks, cd } = input
  const k = labels.length
  const axis = cdAxis(k, cd)
  const order = ranks.map((r, i) => [r, i] as const).sort((a, b) => a[0] - b[0])
  const half = Math.ceil(k / 2)
  const charW = 6.6
  const text = (i: number) => `${labels[i]} (${ranks[i]!.toFixed(2)})`
  const left = 20 + Math.max(60, ...order.slice(0, half).map(([, i]) => text(i).length * charW))
  const right = 20 + Math.max(60, ...order.slice(half).map(([, i]) => text(i).length * charW))
  const plot = 480
  const width = Math.round(left + plot + right)
  const top = input.title ? 70 : 50
  const rowH = 20
  const groups = cliques(ranks, cd)
  const axisY = top + 20
  const height = axisY + 30 + groups.length * 8 + Math.max(half, k - half) * rowH + 20
  const x = (r: number) => left + ((r - axis.min) / (axis.max - axis.min)) * plot
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`
  ]
  if (input.title) out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="13" font-weight="bold">${escape(input.title)}</text>`)
  // The CD bar above the axis, from rank 1.
  const cdY = top - 18
  out.push(
    `<line x1="${x(1)}" y1="${cdY}" x2="${x(1 + cd)}" y2="${cdY}" stroke="black" stroke-width="2"/>`,
    `<line x1="${x(1)}" y1="${cdY - 4}" x2="${x(1)}" y2="${cdY + 4}" stroke="black"/>`,
    `<line x1="${x(1 + cd)}" y1="${cdY - 4}" x2="${x(1 + cd)}" y2="${cdY + 4}" stroke="black"/>`,
    `<text x="${x(1) + 4}" y="${cdY - 7}">${escape(`CD = ${cd.toFixed(2)} (Nemenyi, α = ${input.alpha})${axis.cdWider ? ' — wider than the rank range: no two variants can differ' : ''}`)}</text>`
  )
  out.push(`<line x1="${x(axis.min)}" y1="${axisY}" x2="${x(axis.max)}" y2="${axisY}" stroke="black"/>`)
  for (let r = axis.min; r <= axis.max; r++) {
    out.push(`<line x1="${x(r)}" y1="${axisY}" x2="${x(r)}" y2="${axisY - 6}" stroke="black"/>`)
    out.push(`<text x="${x(r)}" y="${axisY - 9}" text-anchor="middle">${r}</text>`)
  }
  groups.forEach((g, gi) => {
    const rs = g.map((i) => ranks[i]!)
    const y = axisY + 10 + gi * 8
    out.push(`<line x1="${x(Math.min(...rs)) - 3}" y1="${y}" x2="${x(Math.max(...rs)) + 3}" y2="${y}" stroke="black" stroke-width="4"/>`)
  })
  const labelTop = axisY + 20 + groups.length * 8
  order.forEach(([r, i], pos) => {
    const onLeft = pos < half
    const y = labelTop + (onLeft ? pos : k - 1 - pos) * rowH + rowH / 2
    const xEnd = onLeft ? left - 6 : left + plot + 6
    out.push(`<polyline points="${x(r)},${axisY} ${x(r)},${y} ${xEnd},${y}" fill="none" stroke="black"/>`)
    out.push(`<text x="${onLeft ? xEnd - 4 : xEnd + 4}" y="${y + 4}" text-anchor="${onLeft ? 'end' : 'start'}">${escape(text(i))}</text>`)
  })
  out.push('</svg>')
  return out.join('\n') + '\n'
}
