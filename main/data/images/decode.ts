/**
 * PNG/JPEG → RGB bytes (alpha composited onto black, the background of MNIST-like data), plus a
 * bilinear resize for folders whose images differ in size when the user declared a shape.
 */
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'

export interface Rgb {
  width: number
  height: number
  /** width × height × 3 */
  data: Uint8Array
  gray: boolean
}

export function decodeImage(bytes: Buffer, ext: string): Rgb {
  let width: number
  let height: number
  let rgba: Uint8Array
  if (ext === '.png') {
    const png = PNG.sync.read(bytes)
    ;({ width, height } = png)
    rgba = png.data
  } else {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 256 })
    ;({ width, height } = img)
    rgba = img.data
  }
  const data = new Uint8Array(width * height * 3)
  let gray = true
  for (let p = 0, q = 0; p < width * height; p++, q += 4) {
    const a = rgba[q + 3]
    const r = a === 255 ? rgba[q] : (rgba[q] * a + 127) / 255
    const g = a === 255 ? rgba[q + 1] : (rgba[q + 1] * a + 127) / 255
    const b = a === 255 ? rgba[q + 2] : (rgba[q + 2] * a + 127) / 255
    data[p * 3] = r
    data[p * 3 + 1] = g
    data[p * 3 + 2] = b
    if (gray && (data[p * 3] !== data[p * 3 + 1] || data[p * 3] !== data[p * 3 + 2])) gray = false
  }
  return { width, height, data, gray }
}

/** Bilinear resize of an RGB image to w × h. */
export function resizeRgb(img: Rgb, w: number, h: number): Rgb {
  if (img.width === w && img.height === h) return img
  const out = new Uint8Array(w * h * 3)
  const sx = img.width / w
  const sy = img.height / h
  for (let y = 0; y < h; y++) {
    const fy = Math.min(img.height - 1, Math.max(0, (y + 0.5) * sy - 0.5))
    const y0 = Math.floor(fy)
    const y1 = Math.min(img.height - 1, y0 + 1)
    const ty = fy - y0
    for (let x = 0; x < w; x++) {
      const fx = Math.min(img.width - 1, Math.max(0, (x + 0.5) * sx - 0.5))
      const x0 = Math.floor(fx)
      const x1 = Math.min(img.width - 1, x0 + 1)
      const tx = fx - x0
      for (let c = 0; c < 3; c++) {
        const a = img.data[(y0 * img.width + x0) * 3 + c]
        const b = img.data[(y0 * img.width + x1) * 3 + c]
        const d = img.data[(y1 * img.width + x0) * 3 + c]
        const e = img.data[(y1 * img.width + x1) * 3 + c]
        out[(y * w + x) * 3 + c] = Math.round((a * (1 - tx) + b * tx) * (1 - ty) + (d * (1 - tx) + e * tx) * ty)
      }
    }
  }
  return { width: w, height: h, data: out, gray: img.gray }
}
