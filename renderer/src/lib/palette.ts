/**
 * Categorical colours for compared entries (same entry index → same colour in the table, charts and masks).
 * Okabe–Ito first (colour-blind safe), then colours picked greedily to stay far (CIE ΔE*ab ≥ 26) from every
 * earlier one: 16 distinct colours. Past that, hues step by the golden angle with alternating lightness, so a
 * large comparison still gets different colours rather than repeating the first ones.
 */
export const PALETTE: readonly string[] = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#66A61E',
  '#6A3D9A',
  '#666666',
  '#E7298A',
  '#E15759',
  '#8DD3C7',
  '#DDCC77',
  '#98DF8A',
  '#A6761D'
]

/** The colour of the i-th compared entry. */
export function entryColor(i: number): string {
  while (extended.length <= i) extended.push(farthest(extended))
  return extended[i]!
}

const extended: string[] = [...PALETTE]
let grid: string[] | null = null

/** The grid colour with the largest distance to its nearest already-used colour (first one on ties). */
function farthest(used: string[]): string {
  grid ??= [0.42, 0.55, 0.68].flatMap((l) => Array.from({ length: 36 }, (_, k) => hslToHex(k * 10, 0.65, l)))
  let best = grid[0]!
  let bestD = -1
  for (const c of grid) {
    if (used.includes(c)) continue
    const d = Math.min(...used.map((u) => deltaE(c, u)))
    if (d > bestD) [best, bestD] = [c, d]
  }
  return best
}

function hslToHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l)
  const f = (n: number) => {
    const k = (n + h / 30) % 12
    const c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))
    return Math.round(c * 255)
      .toString(16)
      .padStart(2, '0')
  }
  return `#${f(0)}${f(8)}${f(4)}`.toUpperCase()
}

/** CIE L*a*b* of a #rrggbb colour (D65). */
export function hexToLab(hex: string): [number, number, number] {
  const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
  const [r, g, b] = [1, 3, 5].map((i) => lin(parseInt(hex.slice(i, i + 2), 16) / 255)) as [number, number, number]
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116)
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))]
}

/** CIE76 colour difference ΔE*ab (about 2.3 is just noticeable; ≥ 20 reads as a different colour at a glance). */
export function deltaE(a: string, b: string): number {
  const [l1, a1, b1] = hexToLab(a)
  const [l2, a2, b2] = hexToLab(b)
  return Math.hypot(l1 - l2, a1 - a2, b1 - b2)
}
