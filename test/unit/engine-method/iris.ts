/** Iris as PreparedData for engine tests: a seeded shuffle, 70/15/15, standardized on train (a few lines, not the real importer). */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import type { PreparedData, SplitArrays } from '../../../main/engine/types.ts'
import { createRng } from '../../../main/lib/random.ts'

const here = path.dirname(fileURLToPath(import.meta.url))

export function loadIris(seed = 1): PreparedData {
  const text = readFileSync(path.resolve(here, '../../../resources/examples/iris.csv'), 'utf8').trim().split(/\r?\n/)
  const rows = text.slice(1).map((l) => l.split(','))
  const classNames = [...new Set(rows.map((r) => r[4]))]
  const order = createRng(seed).permutation(rows.length)
  const nTrain = Math.round(rows.length * 0.7)
  const nVal = Math.round(rows.length * 0.15)
  const pick = (idx: ArrayLike<number>): { x: number[][]; y: number[] } => ({
    x: Array.from(idx, (i) => rows[i].slice(0, 4).map(Number)),
    y: Array.from(idx, (i) => classNames.indexOf(rows[i][4]))
  })
  const tr = pick(order.subarray(0, nTrain))
  const mean = [0, 1, 2, 3].map((j) => tr.x.reduce((s, r) => s + r[j], 0) / tr.x.length)
  const sd = [0, 1, 2, 3].map((j) => Math.sqrt(tr.x.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / tr.x.length))
  const arr = (p: { x: number[][]; y: number[] }): SplitArrays => ({
    x: Float32Array.from(p.x.flatMap((r) => r.map((v, j) => (v - mean[j]) / sd[j]))),
    y: Int32Array.from(p.y),
    n: p.y.length
  })
  return {
    kind: 'tabular',
    nFeatures: 4,
    nClasses: 3,
    classNames,
    imageShape: null,
    featureGroups: [
      [0, 1],
      [1, 1],
      [2, 1],
      [3, 1]
    ],
    numericMask: Uint8Array.from([1, 1, 1, 1]),
    train: arr(tr),
    val: arr(pick(order.subarray(nTrain, nTrain + nVal))),
    test: arr(pick(order.subarray(nTrain + nVal)))
  }
}
