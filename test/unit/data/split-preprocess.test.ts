/** Stratified splits, k-fold, sampling, and preprocessing fitted on the training rows only. */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { DatasetSchema } from '../../../main/contract/index.ts'
import {
  encodeTarget,
  fitPreprocessor,
  kfoldSplit,
  loadSource,
  prepare,
  stratifiedSample,
  stratifiedSplit,
  transformRecords,
  transformTable,
  type Table
} from '../../../main/data/index.ts'
import { inferSchema } from '../../../main/data/schema.ts'
import { splitRange, type SplitArrays } from '../../../main/contract/index.ts'

/** A split's rows, encoded (images decoded from their pixels). */
const enc = (s: SplitArrays) => splitRange(s, 0, s.n)

const DIR = join(import.meta.dirname, '../../../resources/examples')
const SPLIT = { train: 0.7, val: 0.15, test: 0.15, kfold: null }

function labelsOf(counts: number[]): Int32Array {
  const out: number[] = []
  counts.forEach((c, k) => out.push(...Array(c).fill(k)))
  return Int32Array.from(out)
}
const countBy = (labels: Int32Array, idx: Int32Array, k: number) => {
  const c = new Array(k).fill(0)
  for (const i of idx) c[labels[i]]++
  return c
}

describe('stratified split', () => {
  const labels = labelsOf([2211, 1347, 514, 259])

  it('keeps class proportions in every split and uses every row once', () => {
    const s = stratifiedSplit(labels, 4, SPLIT, 42)
    const all = new Set([...s.train, ...s.val, ...s.test])
    expect(all.size).toBe(labels.length)
    expect(s.train.length + s.val.length + s.test.length).toBe(labels.length)
    for (const part of [s.train, s.val, s.test]) {
      const c = countBy(labels, part, 4)
      const share = part.length / labels.length
      ;[2211, 1347, 514, 259].forEach((n, k) => expect(Math.abs(c[k] - n * share)).toBeLessThanOrEqual(1.5))
    }
    expect(s.train.length / labels.length).toBeCloseTo(0.7, 2)
    expect(s.test.length / labels.length).toBeCloseTo(0.15, 2)
  })

  it('is deterministic under a seed and changes with the seed', () => {
    const a = stratifiedSplit(labels, 4, SPLIT, 7)
    const b = stratifiedSplit(labels, 4, SPLIT, 7)
    const c = stratifiedSplit(labels, 4, SPLIT, 8)
    expect(b.train).toEqual(a.train)
    expect(b.test).toEqual(a.test)
    expect(c.test).not.toEqual(a.test)
  })

  it('puts every class in each split when it has ≥ 3 rows', () => {
    const small = labelsOf([30, 3, 2, 1])
    const s = stratifiedSplit(small, 4, SPLIT, 1)
    expect(countBy(small, s.train, 4).every((c) => c > 0)).toBe(true)
    expect(
      countBy(small, s.val, 4)
        .slice(0, 2)
        .every((c) => c > 0)
    ).toBe(true)
    expect(
      countBy(small, s.test, 4)
        .slice(0, 3)
        .every((c) => c > 0)
    ).toBe(true)
  })

  it('k-fold: test folds partition the rows, val is cut from the rest, folds are stratified', () => {
    const l = labelsOf([50, 30, 20])
    const k = 5
    const seen = new Int32Array(l.length)
    for (let f = 0; f < k; f++) {
      const s = kfoldSplit(l, 3, { ...SPLIT, kfold: k }, k, f, 3)
      for (const i of s.test) seen[i]++
      const inFold = new Set(s.test)
      for (const i of [...s.train, ...s.val]) expect(inFold.has(i)).toBe(false)
      expect(s.train.length + s.val.length + s.test.length).toBe(l.length)
      expect(countBy(l, s.test, 3)).toEqual([10, 6, 4])
      expect(countBy(l, s.val, 3).every((c) => c > 0)).toBe(true)
    }
    expect([...seen].every((v) => v === 1)).toBe(true)
    // the next repeat reshuffles
    const r0 = kfoldSplit(l, 3, { ...SPLIT, kfold: k }, k, 0, 3)
    const r1 = kfoldSplit(l, 3, { ...SPLIT, kfold: k }, k, k, 3)
    expect(r1.test).not.toEqual(r0.test)
  })

  it('stratified sample keeps shares and small classes', () => {
    const l = labelsOf([9000, 990, 10])
    const s = stratifiedSample(l, 3, 1000, 5)
    const c = countBy(l, s, 3)
    expect(c[0]).toBe(900)
    expect(c[1]).toBe(99)
    expect(c[2]).toBe(3)
    expect(stratifiedSample(l, 3, 1000, 5)).toEqual(s)
  })
})

/** A small mixed table built in memory. */
function mixed(n: number, f: (i: number) => [number, string | null, string]): { table: Table; schema: DatasetSchema } {
  const values = new Float64Array(n)
  const levels: string[] = []
  const codes = new Int32Array(n)
  const labelCodes = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const [x, cat, y] = f(i)
    values[i] = x
    if (cat === null) codes[i] = -1
    else {
      if (!levels.includes(cat)) levels.push(cat)
      codes[i] = levels.indexOf(cat)
    }
    labelCodes[i] = y === 'a' ? 0 : 1
  }
  const table: Table = {
    rows: n,
    columns: [
      { kind: 'num', name: 'x', values },
      { kind: 'cat', name: 'colour', codes, levels },
      { kind: 'cat', name: 'label', codes: labelCodes, levels: ['a', 'b'] }
    ]
  }
  return { table, schema: inferSchema(table, { target: 'label' }) }
}

describe('preprocessing', () => {
  it('is fitted on the training rows only: changing other rows does not change it', () => {
    const base = mixed(200, (i) => [i % 17, ['red', 'green', 'blue'][i % 3], i % 2 ? 'a' : 'b'])
    const { labels, classNames } = encodeTarget(base.table.columns[2])
    const s = stratifiedSplit(labels, 2, SPLIT, 9)
    const pre = fitPreprocessor(base.table, base.schema, classNames, s.train)
    // poison every non-training row: huge numbers, an unseen colour
    const trainSet = new Set(s.train)
    const poisoned = mixed(200, (i) => (trainSet.has(i) ? [i % 17, ['red', 'green', 'blue'][i % 3], i % 2 ? 'a' : 'b'] : [1e9, 'purple', i % 2 ? 'a' : 'b']))
    const pre2 = fitPreprocessor(poisoned.table, poisoned.schema, classNames, s.train)
    expect(pre2).toEqual(pre)
    // and prepare gives identical training arrays
    const a = prepare(base.table, base.schema, SPLIT, 9)
    const b = prepare(poisoned.table, poisoned.schema, SPLIT, 9)
    expect(enc(b.train)).toEqual(enc(a.train))
    expect(b.preprocessor).toEqual(a.preprocessor)
  })

  it('standardizes numbers with training statistics, imputes medians and modes, one-hots categories', () => {
    const { table, schema } = mixed(100, (i) => [i % 10 === 0 ? NaN : i, i % 7 === 0 ? null : ['red', 'green', 'blue', 'red'][i % 4], i % 2 ? 'a' : 'b'])
    const all = Int32Array.from({ length: 100 }, (_, i) => i)
    const pre = fitPreprocessor(table, schema, ['a', 'b'], all, { missingIndicators: true })
    const [num, cat] = pre.steps
    expect(num.kind).toBe('numeric')
    if (num.kind !== 'numeric' || cat.kind !== 'categorical') throw new Error('unexpected steps')
    expect(num.indicator).toBe(true)
    expect(cat.levels[0]).toBe('red')
    expect(pre.featureGroups).toEqual([
      [0, 2],
      [2, 4]
    ])
    expect(pre.numericMask).toEqual([1, 0, 0, 0, 0, 0])
    const x = transformTable(pre, table, all)
    // the standardized numeric column has mean 0 and variance 1 on the training rows
    let m = 0
    let v = 0
    for (let i = 0; i < 100; i++) m += x[i * 6] / 100
    for (let i = 0; i < 100; i++) v += (x[i * 6] - m) ** 2 / 100
    expect(m).toBeCloseTo(0, 5)
    expect(v).toBeCloseTo(1, 4)
    // row 0: x missing → median, indicator 1; colour missing → mode (red), indicator 1
    expect(x[1]).toBe(1)
    expect(x[0] * num.std + num.mean).toBeCloseTo(num.median, 4)
    expect(Array.from(x.subarray(2, 6))).toEqual([1, 0, 0, 1])
  })

  it('caps one-hot levels and pools rare ones into "other"; unseen levels go there too', () => {
    const { table, schema } = mixed(400, (i) => [i % 50, i < 360 ? `c${i % 40}` : `rare${i}`, i % 2 ? 'a' : 'b'])
    const all = Int32Array.from({ length: 400 }, (_, i) => i)
    const pre = fitPreprocessor(table, schema, ['a', 'b'], all, { maxLevels: 8 })
    const cat = pre.steps[1]
    if (cat.kind !== 'categorical') throw new Error('expected categorical')
    expect(cat.levels).toHaveLength(7)
    expect(cat.other).toBe(true)
    expect(pre.featureGroups[1]).toEqual([1, 8])
    const x = transformRecords(pre, [{ x: 5, colour: 'never-seen' }])
    expect(Array.from(x.subarray(1))).toEqual([0, 0, 0, 0, 0, 0, 0, 1])
  })

  it('survives JSON and gives the same encoding for records as for the table', async () => {
    const r = await loadSource(join(DIR, 'penguins.csv'), { path: '' })
    const p = prepare(r.table, r.schema, SPLIT, 3)
    const pre = JSON.parse(JSON.stringify(p.preprocessor))
    const names = r.table.columns.map((c) => c.name)
    const rec = (row: number) =>
      Object.fromEntries(
        r.table.columns.map((c) => [
          c.name,
          c.kind === 'num' ? (Number.isNaN(c.values[row]) ? null : c.values[row]) : c.codes[row] < 0 ? null : c.levels[c.codes[row]]
        ])
      )
    const rows = Int32Array.from([0, 3, 10, 200, 343])
    expect(names).toContain('sex')
    expect(transformRecords(pre, Array.from(rows, rec))).toEqual(transformTable(pre, r.table, rows))
  })

  it('prepare with maxRows samples a stratified subset; k-fold picks the fold', async () => {
    const r = await loadSource(join(DIR, 'hpc_jobs.csv'), { path: '' })
    const p = prepare(r.table, r.schema, SPLIT, 1, { maxRows: 1000 })
    expect(p.train.n + p.val.n + p.test.n).toBeGreaterThanOrEqual(995)
    expect(p.train.n + p.val.n + p.test.n).toBeLessThanOrEqual(1005)
    const counts = new Array(4).fill(0)
    for (const y of p.test.y) counts[y]++
    expect(counts.every((c) => c > 0)).toBe(true)
    const f0 = prepare(r.table, r.schema, { ...SPLIT, kfold: 5 }, 1, { fold: 0 })
    const f1 = prepare(r.table, r.schema, { ...SPLIT, kfold: 5 }, 1, { fold: 1 })
    expect(f0.test.n).toBeGreaterThan(860)
    expect(enc(f0.test)).not.toEqual(enc(f1.test))
  })
})

describe('image preprocessing and preview', () => {
  it('digits: records with pixel columns encode like the table; preview has images and labels', async () => {
    const { previewOf } = await import('../../../main/data/index.ts')
    const r = await loadSource(join(DIR, 'digits_8x8.csv'), { path: '' })
    const p = prepare(r.table, r.schema, SPLIT, 4, { imageNormalize: 'standardize' })
    expect(p.preprocessor.image!.mode).toBe('standardize')
    const row = Object.fromEntries(r.table.columns.map((c) => [c.name, c.kind === 'num' ? c.values[0] : c.levels[c.codes[0]]]))
    expect(transformRecords(p.preprocessor, [row])).toEqual(transformTable(p.preprocessor, r.table, Int32Array.of(0)))
    const pv = previewOf(r.table, r.schema, 4)
    expect(pv.images).toHaveLength(4)
    expect(pv.images[0].label).toBe('0')
    expect(pv.images[0].pixels).toHaveLength(64)
    expect(Math.max(...pv.images[0].pixels)).toBeLessThanOrEqual(1)
  })
})
