/**
 * Image augmentations on [n, H, W, C] batches (row-major H×W×C per sample). Each draws its randomness per sample
 * from the given rng, in sample order, so the same seed gives the same views.
 */
import { checkShape, type Augment } from './types.ts'

function dims(x: Float32Array, shape: readonly number[]): [number, number, number, number] {
  checkShape(x, shape)
  if (shape.length !== 4) throw new Error(`image augmentation needs shape [n, H, W, C], got [${shape.join(', ')}]`)
  return [shape[0], shape[1], shape[2], shape[3]]
}

/**
 * Random translation by up to ±maxShift pixels in each direction, zero-filled: the same as padding by maxShift
 * with zeros and taking a random H×W crop (the ShrinkBench "random crop with padding").
 */
export function translate(maxShift: number): Augment {
  return (x, shape, rng) => {
    const [n, h, w, c] = dims(x, shape)
    const out = new Float32Array(x.length)
    const per = h * w * c
    for (let s = 0; s < n; s++) {
      const dy = rng.int(2 * maxShift + 1) - maxShift
      const dx = rng.int(2 * maxShift + 1) - maxShift
      const base = s * per
      for (let i = 0; i < h; i++) {
        const si = i - dy
        if (si < 0 || si >= h) continue
        for (let j = 0; j < w; j++) {
          const sj = j - dx
          if (sj < 0 || sj >= w) continue
          const o = base + (i * w + j) * c
          const src = base + (si * w + sj) * c
          for (let k = 0; k < c; k++) out[o + k] = x[src + k]
        }
      }
    }
    return out
  }
}

/** Mirrors each image left↔right with probability p. */
export function horizontalFlip(p = 0.5): Augment {
  return (x, shape, rng) => {
    const [n, h, w, c] = dims(x, shape)
    const out = x.slice()
    const per = h * w * c
    for (let s = 0; s < n; s++) {
      if (rng.next() >= p) continue
      const base = s * per
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++) for (let k = 0; k < c; k++) out[base + (i * w + j) * c + k] = x[base + (i * w + (w - 1 - j)) * c + k]
    }
    return out
  }
}

/** Bilinear sample of channel k of one image at real coordinates (y, x), clamped to the image. */
function bilinear(x: Float32Array, base: number, h: number, w: number, c: number, k: number, y: number, xx: number): number {
  const yc = Math.min(Math.max(y, 0), h - 1)
  const xc = Math.min(Math.max(xx, 0), w - 1)
  const y0 = Math.floor(yc)
  const x0 = Math.floor(xc)
  const y1 = Math.min(y0 + 1, h - 1)
  const x1 = Math.min(x0 + 1, w - 1)
  const fy = yc - y0
  const fx = xc - x0
  const at = (i: number, j: number): number => x[base + (i * w + j) * c + k]
  return (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) + fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1))
}

/**
 * Random resized crop (SimCLR/torchvision): a box with area fraction in [minScale, 1] and aspect ratio in
 * [3/4, 4/3] (log-uniform) at a random place, resized back to H×W bilinearly. minScale = 1 keeps the image.
 */
export function randomResizedCrop(minScale: number, ratio: [number, number] = [3 / 4, 4 / 3]): Augment {
  return (x, shape, rng) => {
    const [n, h, w, c] = dims(x, shape)
    if (minScale >= 1) return x.slice()
    const out = new Float32Array(x.length)
    const per = h * w * c
    const lr0 = Math.log(ratio[0])
    const lr1 = Math.log(ratio[1])
    for (let s = 0; s < n; s++) {
      const area = h * w * rng.uniform(minScale, 1)
      const ar = Math.exp(rng.uniform(lr0, lr1))
      // Clamping instead of torchvision's rejection loop keeps the number of draws per sample fixed.
      const cw = Math.min(w, Math.max(1, Math.round(Math.sqrt(area * ar))))
      const ch = Math.min(h, Math.max(1, Math.round(Math.sqrt(area / ar))))
      const oy = rng.int(h - ch + 1)
      const ox = rng.int(w - cw + 1)
      const base = s * per
      for (let i = 0; i < h; i++) {
        const sy = oy + ((i + 0.5) * ch) / h - 0.5
        for (let j = 0; j < w; j++) {
          const sx = ox + ((j + 0.5) * cw) / w - 0.5
          for (let k = 0; k < c; k++) out[base + (i * w + j) * c + k] = bilinear(x, base, h, w, c, k, sy, sx)
        }
      }
    }
    return out
  }
}

/**
 * Colour jitter of strength s: brightness (shift by ±s image std), contrast (scale by 1±s around the image mean)
 * and, for C = 3, saturation (scale by 1±s around each pixel's luminance). Written relative to the image's own
 * mean/std so it behaves the same on 0..1 and on standardized pixels.
 */
export function colorJitter(strength: number): Augment {
  return (x, shape, rng) => {
    const [n, h, w, c] = dims(x, shape)
    const out = x.slice()
    if (strength <= 0) return out
    const per = h * w * c
    for (let s = 0; s < n; s++) {
      const base = s * per
      const shift = rng.uniform(-strength, strength)
      const contrast = rng.uniform(1 - strength, 1 + strength)
      const saturation = rng.uniform(1 - strength, 1 + strength)
      let mean = 0
      for (let i = 0; i < per; i++) mean += x[base + i]
      mean /= per
      let v = 0
      for (let i = 0; i < per; i++) v += (x[base + i] - mean) ** 2
      const std = Math.sqrt(v / per)
      for (let i = 0; i < per; i++) out[base + i] = (x[base + i] - mean) * contrast + mean + shift * std
      if (c === 3) {
        for (let p = 0; p < h * w; p++) {
          const o = base + p * 3
          const g = 0.299 * out[o] + 0.587 * out[o + 1] + 0.114 * out[o + 2]
          for (let k = 0; k < 3; k++) out[o + k] = g + saturation * (out[o + k] - g)
        }
      }
    }
    return out
  }
}

/** With probability p, replaces each RGB pixel by its luminance in all three channels (no-op unless C = 3). */
export function randomGrayscale(p: number): Augment {
  return (x, shape, rng) => {
    const [n, h, w, c] = dims(x, shape)
    const out = x.slice()
    if (c !== 3 || p <= 0) return out
    const per = h * w * c
    for (let s = 0; s < n; s++) {
      if (rng.next() >= p) continue
      for (let q = 0; q < h * w; q++) {
        const o = s * per + q * 3
        const g = 0.299 * x[o] + 0.587 * x[o + 1] + 0.114 * x[o + 2]
        out[o] = out[o + 1] = out[o + 2] = g
      }
    }
    return out
  }
}
