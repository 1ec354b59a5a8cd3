/**
 * Data-movement kernels for convolution and pooling, in plain JS on NHWC Float32Arrays.
 *
 * Why JS: on the wasm backend the tensor ops that could express im2col are slow for this access pattern — Slice and
 * Concat run as JS loops over tiny rows after copying their whole input, StridedSlice/Pad/Transpose are generic
 * per-element C++ loops (~16 ms per 3×3 shift of a 128×14×14×32 map), broadcasting Equal on 6-D tensors takes
 * ~600 ms, and MaxPoolGrad returns wrong values. A tight JS loop does a full 3×3 im2col of that map in a few ms and
 * works identically on every backend. The arithmetic (matMul) stays in tfjs.
 */

import { nativeKernels } from '../kernels/native.ts'

export interface MapShape {
  b: number
  h: number
  w: number
  c: number
}

/**
 * 'same'-padded k×k patches, stride 1: rows = pixels (b, i, j), columns ordered (dy, dx, c) — the order of a
 * tf.conv2d filter [k, k, C, Cout] flattened to [k·k·C, Cout].
 */
export function im2col(x: Float32Array, s: MapShape, k: number, out: Float32Array = new Float32Array(s.b * s.h * s.w * k * k * s.c)): Float32Array {
  const { b, h, w, c } = s
  // In C with the native kernels (the same values; ~a third of a CNN step in JS).
  const nk = nativeKernels()
  if (nk) {
    nk.im2col(x, b, h, w, c, k, out)
    return out
  }
  const p = (k - 1) >> 1
  // Every element is written (padding as 0), so `out` may hold garbage.
  let o = 0
  for (let n = 0; n < b; n++) {
    const base = n * h * w * c
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++) {
        for (let dy = 0; dy < k; dy++) {
          const yi = i + dy - p
          if (yi < 0 || yi >= h) {
            for (let z = 0; z < k * c; z++) out[o++] = 0
            continue
          }
          for (let dx = 0; dx < k; dx++) {
            const xj = j + dx - p
            if (xj < 0 || xj >= w) {
              for (let z = 0; z < c; z++) out[o++] = 0
              continue
            }
            let src = base + (yi * w + xj) * c
            for (let ch = 0; ch < c; ch++) out[o++] = x[src++]
          }
        }
      }
  }
  return out
}

/** im2col transposed: [k·k·C, B·H·W], row (dy, dx, c), column = pixel. `out` must be zero-filled. */
export function im2colT(x: Float32Array, s: MapShape, k: number, out: Float32Array = new Float32Array(s.b * s.h * s.w * k * k * s.c)): Float32Array {
  const { b, h, w, c } = s
  const p = (k - 1) >> 1
  const n = b * h * w
  for (let dy = 0; dy < k; dy++)
    for (let dx = 0; dx < k; dx++)
      for (let ch = 0; ch < c; ch++) {
        const row = ((dy * k + dx) * c + ch) * n
        for (let bi = 0; bi < b; bi++)
          for (let i = 0; i < h; i++) {
            const yi = i + dy - p
            if (yi < 0 || yi >= h) continue
            const src = ((bi * h + yi) * w - p + dx) * c + ch
            const dst = row + (bi * h + i) * w
            const j0 = Math.max(0, p - dx)
            const j1 = Math.min(w, w + p - dx)
            for (let j = j0; j < j1; j++) out[dst + j] = x[src + j * c]
          }
      }
  return out
}

/** Sums the rows of an r×c matrix: out[j] = Σ_i a[i, j] (a bias gradient; wasm's axis-0 Sum transposes first). */
export function columnSums(a: Float32Array, r: number, c: number, out: Float32Array = new Float32Array(c)): Float32Array {
  for (let i = 0; i < r; i++) {
    const o = i * c
    for (let j = 0; j < c; j++) out[j] += a[o + j]
  }
  return out
}

/** Adjoint of im2col: adds every patch column back onto its pixel. */
export function col2im(cols: Float32Array, s: MapShape, k: number, out: Float32Array = new Float32Array(s.b * s.h * s.w * s.c)): Float32Array {
  const { b, h, w, c } = s
  // In C with the native kernels: the same loop order, so the same sums bit for bit.
  const nk = nativeKernels()
  if (nk) {
    nk.col2im(cols, b, h, w, c, k, out)
    return out
  }
  const p = (k - 1) >> 1
  // `out` must be zero-filled: it is accumulated into.
  let o = 0
  for (let n = 0; n < b; n++) {
    const base = n * h * w * c
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++) {
        for (let dy = 0; dy < k; dy++) {
          const yi = i + dy - p
          if (yi < 0 || yi >= h) {
            o += k * c
            continue
          }
          for (let dx = 0; dx < k; dx++) {
            const xj = j + dx - p
            if (xj < 0 || xj >= w) {
              o += c
              continue
            }
            let dst = base + (yi * w + xj) * c
            for (let ch = 0; ch < c; ch++) out[dst++] += cols[o++]
          }
        }
      }
  }
  return out
}

/** s×s max pooling, stride s, 'valid'; also returns the flat input index of each output's (first) maximum. */
export function maxPoolForward(
  x: Float32Array,
  sh: MapShape,
  s: number,
  y: Float32Array = new Float32Array(sh.b * Math.floor(sh.h / s) * Math.floor(sh.w / s) * sh.c)
): { y: Float32Array; argmax: Int32Array; ho: number; wo: number } {
  const { b, h, w, c } = sh
  const ho = Math.floor(h / s)
  const wo = Math.floor(w / s)
  const argmax = new Int32Array(y.length)
  let o = 0
  if (s === 2) {
    const nk = nativeKernels()
    if (nk) {
      nk.maxPool2(x, b, h, w, c, y, argmax)
      return { y, argmax, ho, wo }
    }
    // The common case, with the four taps addressed directly and channels innermost (contiguous): ~34 → ~20 ms
    // for a 128×28×28×32 map.
    const row = w * c
    for (let n = 0; n < b; n++)
      for (let i = 0; i < ho; i++)
        for (let j = 0; j < wo; j++) {
          const p00 = ((n * h + 2 * i) * w + 2 * j) * c
          for (let ch = 0; ch < c; ch++, o++) {
            let at = p00 + ch
            let best = x[at]
            const i01 = at + c
            const i10 = at + row
            const i11 = i10 + c
            // `!(v <= best)` also takes a NaN, like tf's max pool propagates it.
            if (!(x[i01] <= best)) best = x[(at = i01)]
            if (!(x[i10] <= best)) best = x[(at = i10)]
            if (!(x[i11] <= best)) best = x[(at = i11)]
            y[o] = best
            argmax[o] = at
          }
        }
    return { y, argmax, ho, wo }
  }
  for (let n = 0; n < b; n++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++)
        for (let ch = 0; ch < c; ch++, o++) {
          let best = -Infinity
          let at = -1
          for (let di = 0; di < s; di++)
            for (let dj = 0; dj < s; dj++) {
              const idx = ((n * h + i * s + di) * w + j * s + dj) * c + ch
              const v = x[idx]
              if (at < 0 || !(v <= best)) {
                best = v
                at = idx
              }
            }
          y[o] = best
          argmax[o] = at
        }
  return { y, argmax, ho, wo }
}

/** Routes each output gradient to its argmax. */
export function maxPoolBackward(dy: Float32Array, argmax: Int32Array, inputSize: number, dx: Float32Array = new Float32Array(inputSize)): Float32Array {
  // `dx` must be zero-filled.
  const nk = nativeKernels()
  if (nk) {
    nk.maxPoolBackward(dy, argmax, dx)
    return dx
  }
  for (let o = 0; o < dy.length; o++) dx[argmax[o]] += dy[o]
  return dx
}

/** Row-major transpose of an r×c matrix. */
export function transpose2d(a: Float32Array, r: number, c: number, out: Float32Array = new Float32Array(a.length)): Float32Array {
  // Blocks keep both the reads and the writes within cache lines.
  const B = 32
  for (let i0 = 0; i0 < r; i0 += B)
    for (let j0 = 0; j0 < c; j0 += B) {
      const i1 = Math.min(r, i0 + B)
      const j1 = Math.min(c, j0 + B)
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * r + i] = a[i * c + j]
    }
  return out
}
