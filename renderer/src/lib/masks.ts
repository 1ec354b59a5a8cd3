/**
 * First-layer masks and weights drawn as images: each hidden unit's row (one weight per input pixel) reshaped to
 * H×W, and a measure of how local a unit's kept inputs are (DOM-free; the view paints the RGBA on canvases).
 */
import type { FirstLayerArtifact, ImageShape } from '@contract'

/** Unit u's row of a units × inputs matrix, reduced over channels to H×W (mean over C). */
export function unitImage(values: number[], inputs: number, u: number, shape: ImageShape): Float64Array {
  const [h, w, c] = shape
  const out = new Float64Array(h * w)
  const base = u * inputs
  for (let p = 0; p < h * w; p++) {
    let s = 0
    for (let k = 0; k < c; k++) s += values[base + p * c + k] ?? 0
    out[p] = s / c
  }
  return out
}

export interface Rgb {
  r: number
  g: number
  b: number
}

/** Mask pixels: kept = ink, pruned = paper (both themes pick their own two colours); partial channels blend. */
export function maskRgba(img: Float64Array, on: Rgb, off: Rgb): Uint8ClampedArray {
  const out = new Uint8ClampedArray(img.length * 4)
  img.forEach((v, i) => {
    const t = Math.max(0, Math.min(1, v))
    out[i * 4] = off.r + (on.r - off.r) * t
    out[i * 4 + 1] = off.g + (on.g - off.g) * t
    out[i * 4 + 2] = off.b + (on.b - off.b) * t
    out[i * 4 + 3] = 255
  })
  return out
}

/** Diverging blue–white–red for weights, symmetric around 0 with the given scale (|w| ≥ scale saturates). */
export function divergingRgba(img: Float64Array, scale: number, mid: Rgb = { r: 247, g: 247, b: 247 }): Uint8ClampedArray {
  const neg = { r: 33, g: 102, b: 172 }
  const pos = { r: 178, g: 24, b: 43 }
  const out = new Uint8ClampedArray(img.length * 4)
  const s = scale > 0 ? scale : 1
  img.forEach((v, i) => {
    const t = Math.max(-1, Math.min(1, v / s))
    const end = t < 0 ? neg : pos
    const a = Math.abs(t)
    out[i * 4] = mid.r + (end.r - mid.r) * a
    out[i * 4 + 1] = mid.g + (end.g - mid.g) * a
    out[i * 4 + 2] = mid.b + (end.b - mid.b) * a
    out[i * 4 + 3] = 255
  })
  return out
}

/** A robust colour scale for weights: the 98th percentile of |w| over the units shown. */
export function weightScale(weights: number[], count: number): number {
  const abs = weights
    .slice(0, count)
    .map(Math.abs)
    .filter(Number.isFinite)
    .sort((a, b) => a - b)
  if (!abs.length) return 1
  return abs[Math.min(abs.length - 1, Math.floor(abs.length * 0.98))] || abs[abs.length - 1] || 1
}

/**
 * Spatial spread of a unit's kept pixels: RMS distance of kept pixels from their centroid, divided by the RMS
 * distance of all pixels from the image centre (≈ 1 for a mask scattered over the whole image, small when local).
 * Null when the unit keeps fewer than 2 pixels or none are pruned (a dense row says nothing).
 */
export function spread(img: Float64Array, shape: ImageShape): number | null {
  const [h, w] = shape
  let n = 0
  let sx = 0
  let sy = 0
  for (let p = 0; p < h * w; p++) {
    if (img[p]! > 0) {
      n++
      sx += p % w
      sy += Math.floor(p / w)
    }
  }
  if (n < 2 || n === h * w) return null
  const cx = sx / n
  const cy = sy / n
  let d = 0
  for (let p = 0; p < h * w; p++) if (img[p]! > 0) d += ((p % w) - cx) ** 2 + (Math.floor(p / w) - cy) ** 2
  let ref = 0
  const ox = (w - 1) / 2
  const oy = (h - 1) / 2
  for (let p = 0; p < h * w; p++) ref += ((p % w) - ox) ** 2 + (Math.floor(p / w) - oy) ** 2
  return Math.sqrt(d / n) / Math.sqrt(ref / (h * w))
}

/** Median spread over the shown units of an artifact (null when no unit is informative). */
export function medianSpread(a: FirstLayerArtifact, shape: ImageShape, count: number): number | null {
  const vals: number[] = []
  for (let u = 0; u < Math.min(count, a.units); u++) {
    const s = spread(unitImage(a.mask, a.inputs, u, shape), shape)
    if (s != null) vals.push(s)
  }
  if (!vals.length) return null
  vals.sort((x, y) => x - y)
  const m = Math.floor(vals.length / 2)
  return vals.length % 2 ? vals[m]! : (vals[m - 1]! + vals[m]!) / 2
}

/** Share of kept weights among the shown units' rows. */
export function density(a: FirstLayerArtifact, count: number): number {
  const n = Math.min(count, a.units) * a.inputs
  let k = 0
  for (let i = 0; i < n; i++) if (a.mask[i]! > 0) k++
  return n ? k / n : 0
}

/** A measured sentence about locality: IUNet's median spread against the other pruned models' (null when nothing to compare). */
export function localityNote(items: { label: string; model: string; spread: number | null }[]): string | null {
  const iu = items.filter((i) => i.model === 'iunet' && i.spread != null)
  const others = items.filter((i) => i.model !== 'iunet' && i.spread != null)
  if (!iu.length) return null
  const parts = iu.map((i) => `${i.label}: ${i.spread!.toFixed(2)}`)
  if (!others.length) return `Measured median spread — ${parts.join(', ')} (1 ≈ scattered like a random mask).`
  const bestOther = Math.min(...others.map((o) => o.spread!))
  const worstIu = Math.max(...iu.map((i) => i.spread!))
  const verdict =
    worstIu < bestOther - 0.05
      ? "here IUNet's masks are more local than the other pruned models'."
      : worstIu > bestOther + 0.05
        ? "here IUNet's masks are NOT more local than the other pruned models' (short training or a small image can hide the effect)."
        : "here IUNet's masks are about as local as the other pruned models'."
  return `Measured median spread — ${[...parts, ...others.map((o) => `${o.label}: ${o.spread!.toFixed(2)}`)].join(', ')}: ${verdict}`
}

/** The plain explanation shown under the mask grid and in the report. */
export const MASK_EXPLANATION =
  'Each small square is one hidden unit of the first layer, drawn as the image it reads. In the mask, an inked pixel is an input pixel ' +
  'the unit still receives after pruning; the weights show what the supernetwork (or the dense model) learned before pruning, blue ' +
  "negative and red positive. IUNet's masks should look local — each unit keeps a compact patch of neighbouring pixels, like a " +
  'convolution filter — because the contrastive loss on shifted images rewards units that respond to local patterns and one-shot ' +
  'pruning keeps only the weights that grew; plain OMP masks usually show no such pattern. "Spread" measures it: the RMS distance of ' +
  "a unit's kept pixels from their centre, relative to the whole image (about 1 for a random mask, smaller = more local)."
