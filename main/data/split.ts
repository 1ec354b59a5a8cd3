/**
 * Stratified train/val/test splits and repeated stratified k-fold, deterministic under a seed. Every class
 * gets a row in each split when it has enough rows (3 for train/val/test).
 */
import type { SplitConfig } from '../contract/index.ts'
import { deriveSeed, mulberry32, shuffle } from '../lib/random.ts'
import { PUBLISHED_TEST } from './table.ts'

type Rng = () => number

export interface SplitIndices {
  train: Int32Array
  val: Int32Array
  test: Int32Array
}

/** Row indices of each class (labels < 0 are skipped). */
export function byClass(labels: Int32Array, nClasses: number, rows?: Int32Array): Int32Array[] {
  const counts = new Int32Array(nClasses)
  const n = rows ? rows.length : labels.length
  for (let i = 0; i < n; i++) {
    const y = labels[rows ? rows[i] : i]
    if (y >= 0) counts[y]++
  }
  const out = Array.from(counts, (c) => new Int32Array(c))
  const fill = new Int32Array(nClasses)
  for (let i = 0; i < n; i++) {
    const r = rows ? rows[i] : i
    const y = labels[r]
    if (y >= 0) out[y][fill[y]++] = r
  }
  return out
}

/**
 * How many of `n` rows go to each of the given fractions, rounded, with at least one per part while the
 * class has rows to spare (the first part, train, is served first).
 */
export function allocate(n: number, fractions: number[]): number[] {
  const k = fractions.length
  const counts = fractions.map((f) => Math.floor(n * f))
  let left = n - counts.reduce((a, b) => a + b, 0)
  // largest remainders first
  const order = fractions.map((f, i) => [n * f - counts[i], i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1])
  for (let i = 0; left > 0; i = (i + 1) % k, left--) counts[order[i][1]]++
  // make every part non-empty where possible, taking from the largest part
  // (the last part, test, before val: a class with 2 rows is better measured than validated)
  for (let p = k - 1; p >= 0; p--) {
    if (counts[p] > 0 || fractions[p] <= 0) continue
    let big = 0
    for (let q = 1; q < k; q++) if (counts[q] > counts[big]) big = q
    if (counts[big] > 1) {
      counts[big]--
      counts[p]++
    }
  }
  return counts
}

function concatShuffled(parts: Int32Array[], rng: Rng): Int32Array {
  const n = parts.reduce((a, p) => a + p.length, 0)
  const out = new Int32Array(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return shuffle(out, rng)
}

/** Stratified train/val/test split of the labelled rows. */
export function stratifiedSplit(
  labels: Int32Array,
  nClasses: number,
  split: Pick<SplitConfig, 'train' | 'val' | 'test'>,
  seed: number,
  rows?: Int32Array
): SplitIndices {
  const rng = mulberry32(deriveSeed(seed, 'split'))
  const parts: Int32Array[][] = [[], [], []]
  for (const idx of byClass(labels, nClasses, rows)) {
    const cls = shuffle(idx.slice(), rng)
    const [a, b] = allocate(cls.length, [split.train, split.val, split.test])
    parts[0].push(cls.subarray(0, a))
    parts[1].push(cls.subarray(a, a + b))
    parts[2].push(cls.subarray(a + b))
  }
  return { train: concatShuffled(parts[0], rng), val: concatShuffled(parts[1], rng), test: concatShuffled(parts[2], rng) }
}

/**
 * Repeated stratified k-fold: `fold` = repeat × k + f. Fold f is the test part; the validation part is cut
 * (stratified) from the remaining rows in the ratio val : train of the split config.
 */
export function kfoldSplit(labels: Int32Array, nClasses: number, split: SplitConfig, k: number, fold: number, seed: number, rows?: Int32Array): SplitIndices {
  if (!Number.isInteger(fold) || fold < 0) throw new RangeError(`fold must be a non-negative integer, got ${fold}`)
  const repeat = Math.floor(fold / k)
  const f = fold % k
  const rng = mulberry32(deriveSeed(seed, `kfold/${repeat}`))
  const test: Int32Array[] = []
  const rest: number[] = []
  for (const idx of byClass(labels, nClasses, rows)) {
    const cls = shuffle(idx.slice(), rng)
    // a random start spreads the leftover rows of small classes over different folds
    const offset = Math.floor(rng() * k)
    const t: number[] = []
    for (let i = 0; i < cls.length; i++) ((i + offset) % k === f ? t : rest).push(cls[i])
    test.push(Int32Array.from(t))
  }
  const restRows = Int32Array.from(rest)
  const valShare = split.val / (split.train + split.val)
  const inner = stratifiedSplit(labels, nClasses, { train: 1 - valShare, val: valShare, test: 0 }, deriveSeed(seed, `kfold-val/${fold}`), restRows)
  return { train: inner.train, val: inner.val, test: concatShuffled(test, rng) }
}

/**
 * A file's published split (flags per row: 0 train, 1 test): its test rows are the test split, and validation is
 * cut (stratified) from its train rows in the ratio val : train of the split config; `split.test` is not used.
 */
export function publishedSplit(
  labels: Int32Array,
  nClasses: number,
  flags: Uint8Array,
  split: Pick<SplitConfig, 'train' | 'val'>,
  seed: number,
  rows?: Int32Array
): SplitIndices {
  const train: number[] = []
  const test: number[] = []
  const n = rows ? rows.length : labels.length
  for (let i = 0; i < n; i++) {
    const r = rows ? rows[i] : i
    if (labels[r] >= 0) (flags[r] === PUBLISHED_TEST ? test : train).push(r)
  }
  const valShare = split.val / (split.train + split.val)
  const inner = stratifiedSplit(labels, nClasses, { train: 1 - valShare, val: valShare, test: 0 }, seed, Int32Array.from(train))
  return { train: inner.train, val: inner.val, test: shuffle(Int32Array.from(test), mulberry32(deriveSeed(seed, 'published-test'))) }
}

/**
 * A stratified sample of at most `maxRows` rows (class shares kept, each class keeps ≥ min(its size, 3) rows
 * so it can still reach every split).
 */
export function stratifiedSample(labels: Int32Array, nClasses: number, maxRows: number, seed: number): Int32Array {
  const classes = byClass(labels, nClasses)
  const total = classes.reduce((a, c) => a + c.length, 0)
  if (total <= maxRows) return Int32Array.from(classes.flatMap((c) => Array.from(c))).sort()
  const rng = mulberry32(deriveSeed(seed, 'sample'))
  const picked: number[] = []
  for (const idx of classes) {
    const want = Math.min(idx.length, Math.max(Math.min(idx.length, 3), Math.round((idx.length * maxRows) / total)))
    const cls = shuffle(idx.slice(), rng)
    for (let i = 0; i < want; i++) picked.push(cls[i])
  }
  return Int32Array.from(picked).sort()
}
