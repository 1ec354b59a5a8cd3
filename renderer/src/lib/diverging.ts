/**
 * A diverging colour scale centred on 0 for differences to a baseline (DOM-free): ColorBrewer's RdBu, which stays
 * readable with the common colour-vision deficiencies — red for worse than the baseline, blue for better, the card's
 * own neutral at 0 (light or dark). The text on a coloured cell is black or white, whichever contrasts more.
 */

/** From the centre outwards (ColorBrewer RdBu, 11 classes, the half on each side). */
const LIGHT = {
  centre: '#f7f7f7',
  negative: ['#fddbc7', '#f4a582', '#d6604d', '#b2182b'],
  positive: ['#d1e5f0', '#92c5de', '#4393c3', '#2166ac']
}
/** On a dark card the centre is dark and the ends bright: stronger still reads as further from 0. */
const DARK = {
  centre: '#303036',
  negative: ['#5a3431', '#8c3a31', '#c0513f', '#e07b62'],
  positive: ['#2c4358', '#2f5f8a', '#3f82b8', '#6aaed6']
}

const rgb = (hex: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number]
const hex = (c: readonly number[]): string => `#${c.map((x) => Math.round(x).toString(16).padStart(2, '0')).join('')}`

/**
 * The colour of a difference `x` on a scale of ±`bound` (beyond it: the end colour); null (no value) is the centre.
 * Piecewise linear in sRGB between the scale's stops.
 */
export function divergingColor(x: number | null, bound: number, dark = false): string {
  const s = dark ? DARK : LIGHT
  if (x === null || !Number.isFinite(x) || bound <= 0 || x === 0) return s.centre
  const t = Math.min(1, Math.abs(x) / bound)
  const stops = [s.centre, ...(x > 0 ? s.positive : s.negative)]
  const at = t * (stops.length - 1)
  const i = Math.min(stops.length - 2, Math.floor(at))
  const f = at - i
  const a = rgb(stops[i]!)
  const b = rgb(stops[i + 1]!)
  return hex(a.map((v, k) => v + (b[k]! - v) * f))
}

/** WCAG relative luminance of a #rrggbb colour. */
export function luminance(color: string): number {
  const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
  const [r, g, b] = rgb(color).map((c) => lin(c / 255)) as [number, number, number]
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

/** WCAG contrast ratio of two colours (1 … 21). */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number]
  return (hi + 0.05) / (lo + 0.05)
}

/** Black or white, whichever reads better on `background` (always at least 4.58 : 1). */
export function textOn(background: string): '#000000' | '#ffffff' {
  return contrast(background, '#000000') >= contrast(background, '#ffffff') ? '#000000' : '#ffffff'
}

/** The scale's stops as a CSS gradient from −bound (left) to +bound (right), for the legend. */
export function divergingGradient(dark = false): string {
  const s = dark ? DARK : LIGHT
  const stops = [...[...s.negative].reverse(), s.centre, ...s.positive]
  return `linear-gradient(to right, ${stops.join(', ')})`
}

/** A symmetric bound for differences (shares): the largest |x| rounded up to a whole percentage point, at least 1. */
export function symmetricBound(xs: readonly (number | null)[]): number {
  const m = Math.max(0, ...xs.flatMap((x) => (x !== null && Number.isFinite(x) ? [Math.abs(x)] : [])))
  return Math.max(0.01, Math.ceil(m * 100 - 1e-9) / 100)
}
