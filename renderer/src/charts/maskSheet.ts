/** Paints first-layer unit images: one small canvas per unit on screen, or a whole grid in one canvas for the report. */
import type { FirstLayerArtifact, ImageShape } from '@contract'
import { divergingRgba, maskRgba, unitImage, weightScale, type Rgb } from '../lib/masks'

export const MASK_INK: Record<'light' | 'dark', { on: Rgb; off: Rgb; mid: Rgb }> = {
  light: { on: { r: 24, g: 28, b: 36 }, off: { r: 236, g: 239, b: 243 }, mid: { r: 247, g: 247, b: 247 } },
  dark: { on: { r: 245, g: 245, b: 245 }, off: { r: 62, g: 68, b: 82 }, mid: { r: 52, g: 55, b: 64 } }
}

export type UnitKind = 'mask' | 'weights'

export function unitRgba(a: FirstLayerArtifact, u: number, shape: ImageShape, kind: UnitKind, theme: 'light' | 'dark', scale: number): Uint8ClampedArray {
  const ink = MASK_INK[theme]
  if (kind === 'mask') return maskRgba(unitImage(a.mask, a.inputs, u, shape), ink.on, ink.off)
  return divergingRgba(unitImage(a.weights, a.inputs, u, shape), scale, ink.mid)
}

export function paint(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, w: number, h: number) {
  canvas.width = w
  canvas.height = h
  const ctx = canvas.getContext('2d')
  if (!ctx) return
  const img = ctx.createImageData(w, h)
  img.data.set(rgba)
  ctx.putImageData(img, 0, 0)
}

/** A grid of `count` units (mask row above weight row per unit block) as a PNG data URL, each pixel `zoom`× (light theme). */
export function sheetDataUrl(a: FirstLayerArtifact, shape: ImageShape, count: number, kind: UnitKind, zoom = 5, cols = 16): string {
  const [h, w] = shape
  const n = Math.min(count, a.units)
  const rows = Math.ceil(n / cols)
  const gap = 4
  const canvas = document.createElement('canvas')
  canvas.width = cols * (w * zoom + gap) + gap
  canvas.height = rows * (h * zoom + gap) + gap
  const ctx = canvas.getContext('2d')!
  ctx.fillStyle = '#ffffff'
  ctx.fillRect(0, 0, canvas.width, canvas.height)
  const tmp = document.createElement('canvas')
  const scale = weightScale(a.weights, n * a.inputs)
  for (let u = 0; u < n; u++) {
    paint(tmp, unitRgba(a, u, shape, kind, 'light', scale), w, h)
    ctx.imageSmoothingEnabled = false
    ctx.drawImage(tmp, gap + (u % cols) * (w * zoom + gap), gap + Math.floor(u / cols) * (h * zoom + gap), w * zoom, h * zoom)
  }
  return canvas.toDataURL('image/png')
}
