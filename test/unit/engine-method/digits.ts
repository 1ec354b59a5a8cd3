/** digits_8x8 as image PreparedData for engine tests (pixels / 16, seeded 70/15/15; not the real importer). */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import type { PreparedData, SplitArrays } from '../../../main/engine/types.ts'
import { createRng } from '../../../main/lib/random.ts'

const here = path.dirname(fileURLToPath(import.meta.url))

export function loadDigits(seed = 1, limit = Infinity): PreparedData {
  const lines = readFileSync(path.resolve(here, '../../../resources/examples/digits_8x8.csv'), 'utf8').trim().split(/\r?\n/)
  const rows = lines.slice(1, 1 + Math.min(limit, lines.length - 1)).map((l) => l.split(',').map(Number))
  const order = createRng(seed).permutation(rows.length)
  const nTrain = Math.round(rows.length * 0.7)
  const nVal = Math.round(rows.length * 0.15)
  const arr = (idx: ArrayLike<number>): SplitArrays => ({
    x: Float32Array.from(Array.from(idx).flatMap((i) => rows[i].slice(0, 64).map((v) => v / 16))),
    y: Int32Array.from(Array.from(idx, (i) => rows[i][64])),
    n: idx.length
  })
  return {
    kind: 'image',
    nFeatures: 64,
    nClasses: 10,
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    imageShape: [8, 8, 1],
    featureGroups: Array.from({ length: 64 }, (_, i) => [i, 1] as [number, number]),
    numericMask: new Uint8Array(64),
    train: arr(order.subarray(0, nTrain)),
    val: arr(order.subarray(nTrain, nTrain + nVal)),
    test: arr(order.subarray(nTrain + nVal))
  }
}
