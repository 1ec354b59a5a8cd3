/**
 * One-shot global magnitude pruning (OMP), masks, lottery-ticket rewind and PIS scaling, as pure functions on
 * Float32Arrays. The caller decides which tensors are prunable: the encoder's weight matrices/kernels only (the
 * final linear layer, biases, normalization parameters and the projection head stay dense, shared/iunet-method.md).
 */

/** Number of weights OMP keeps at compression ratio r: round(total / r), at least 1. */
export function keepCount(total: number, ratio: number): number {
  if (!(ratio >= 1)) throw new Error(`compression ratio must be ≥ 1, got ${ratio}`)
  if (total === 0) return 0
  return Math.min(total, Math.max(1, Math.round(total / ratio)))
}

/**
 * Global OMP: rank |w| over all given tensors together and keep exactly keepCount(total, ratio) of the largest.
 * Ties at the threshold are broken by position (earlier tensor, then earlier index, wins) so masks are
 * deterministic. Returns one 0/1 mask per tensor.
 */
export function globalMagnitudeMasks(weights: readonly Float32Array[], ratio: number): Uint8Array[] {
  let total = 0
  for (const w of weights) total += w.length
  const k = keepCount(total, ratio)
  const masks = weights.map((w) => new Uint8Array(w.length))
  if (k === 0) return masks
  const abs = new Float32Array(total)
  let o = 0
  for (const w of weights) for (let i = 0; i < w.length; i++) abs[o++] = Math.abs(w[i])
  // The k-th largest |w|, selected in linear time (a full sort cost ~0.1 s per ratio for an 800k-weight MLP).
  const threshold = selectAscending(abs, total - k)
  let above = 0
  for (let i = 0; i < total; i++) if (abs[i] > threshold) above++
  let tiesLeft = k - above
  for (let t = 0; t < weights.length; t++) {
    const w = weights[t]
    const m = masks[t]
    for (let i = 0; i < w.length; i++) {
      const a = Math.abs(w[i])
      if (a > threshold) m[i] = 1
      else if (a === threshold && tiesLeft > 0) {
        m[i] = 1
        tiesLeft--
      }
    }
  }
  return masks
}

/**
 * The value a numeric ascending sort would put at index `n` (Hoare's quickselect with a median-of-three pivot;
 * reorders `a`). Falls back to a full sort after too many rounds, so adversarial inputs stay O(n log n).
 */
export function selectAscending(a: Float32Array, n: number): number {
  if (!(n >= 0 && n < a.length)) throw new Error(`select: index ${n} outside 0..${a.length - 1}`)
  let lo = 0
  let hi = a.length - 1
  for (let rounds = 0; hi > lo; rounds++) {
    if (rounds > 64) {
      a.subarray(lo, hi + 1).sort()
      break
    }
    const mid = (lo + hi) >>> 1
    // Median of three into a[mid] (a[lo] ≤ a[mid] ≤ a[hi]).
    if (a[mid] < a[lo]) swap(a, mid, lo)
    if (a[hi] < a[lo]) swap(a, hi, lo)
    if (a[hi] < a[mid]) swap(a, hi, mid)
    const pivot = a[mid]
    let i = lo
    let j = hi
    while (i <= j) {
      while (a[i] < pivot) i++
      while (a[j] > pivot) j--
      if (i <= j) swap(a, i++, j--)
    }
    // [lo, j] ≤ pivot ≤ [i, hi]; between them, values equal to the pivot.
    if (n <= j) hi = j
    else if (n >= i) lo = i
    else break
  }
  return a[n]
}

function swap(a: Float32Array, i: number, j: number): void {
  const t = a[i]
  a[i] = a[j]
  a[j] = t
}

/** values ⊙ mask, as a new array. */
export function applyMask(values: Float32Array, mask: Uint8Array): Float32Array {
  if (values.length !== mask.length) throw new Error(`mask length ${mask.length} ≠ tensor length ${values.length}`)
  const out = new Float32Array(values.length)
  for (let i = 0; i < values.length; i++) out[i] = mask[i] ? values[i] : 0
  return out
}

/**
 * Lottery-ticket rewind: survivors get their value in θ† (the UNSCALED standard init, never κ·θ†: a κ-scaled deep
 * subnetwork has gradients ∝ κ^depth, below Adam's ε, and never trains), pruned weights are 0.
 */
export function rewindToInit(initTheta: Float32Array, mask: Uint8Array): Float32Array {
  return applyMask(initTheta, mask)
}

/** PIS: κ · θ† for a weight tensor (the caller applies it to weights only; biases keep their standard init). */
export function scaleInit(initTheta: Float32Array, kappa: number): Float32Array {
  const out = new Float32Array(initTheta.length)
  for (let i = 0; i < initTheta.length; i++) out[i] = kappa * initTheta[i]
  return out
}

export function countNonzero(values: Float32Array): number {
  let n = 0
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) n++
  return n
}

export function countOnes(mask: Uint8Array): number {
  let n = 0
  for (let i = 0; i < mask.length; i++) n += mask[i]
  return n
}
