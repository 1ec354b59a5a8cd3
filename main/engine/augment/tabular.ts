/**
 * Tabular augmentations on [n, nFeatures] batches of encoded rows.
 */
import { checkShape, type Augment } from './types.ts'

export interface ScarfOptions {
  /** Share of original features replaced per sample (SCARF's corruption rate c; q = round(c · #features)). */
  rate: number
  /** [offset, length] of each original feature in the encoded row; a one-hot block is one feature. */
  featureGroups: ReadonlyArray<readonly [number, number]>
  /** Rows to draw replacements from (the training split): the empirical marginal of each feature. */
  pool: Float32Array
  poolRows: number
}

/**
 * SCARF (Bahri et al. 2022): for each sample choose exactly q = round(rate · G) of the G features at random and
 * replace each chosen feature (a whole one-hot block at once, so the row stays a valid encoding) with the same
 * feature of an independently drawn random training row.
 */
export function scarf(opts: ScarfOptions): Augment {
  const groups = opts.featureGroups
  const g = groups.length
  const q = Math.min(g, Math.max(0, Math.round(opts.rate * g)))
  return (x, shape, rng) => {
    checkShape(x, shape)
    const [n, f] = shape
    if (opts.pool.length !== opts.poolRows * f) throw new Error('SCARF pool does not match the batch width')
    const out = x.slice()
    if (q === 0 || opts.poolRows === 0) return out
    const order = new Int32Array(g)
    for (let s = 0; s < n; s++) {
      for (let i = 0; i < g; i++) order[i] = i
      // Partial Fisher–Yates: the first q entries are a uniform random q-subset.
      for (let i = 0; i < q; i++) {
        const j = i + rng.int(g - i)
        const t = order[i]
        order[i] = order[j]
        order[j] = t
      }
      for (let i = 0; i < q; i++) {
        const [off, len] = groups[order[i]]
        const r = rng.int(opts.poolRows)
        for (let k = 0; k < len; k++) out[s * f + off + k] = opts.pool[r * f + off + k]
      }
    }
    return out
  }
}

/** Adds N(0, std²) to the columns where numericMask is 1 (standardized numeric features); one-hots stay exact. */
export function gaussianNoise(std: number, numericMask: Uint8Array): Augment {
  return (x, shape, rng) => {
    checkShape(x, shape)
    const [n, f] = shape
    if (numericMask.length !== f) throw new Error(`numericMask has ${numericMask.length} columns, batch has ${f}`)
    const out = x.slice()
    if (std <= 0) return out
    for (let s = 0; s < n; s++) for (let j = 0; j < f; j++) if (numericMask[j]) out[s * f + j] += rng.normal(0, std)
    return out
  }
}
