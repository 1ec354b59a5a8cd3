import { describe, expect, it } from 'vitest'
import type { AugmentConfig } from '../../../main/contract/index.ts'
import {
  buildAugmentations,
  colorJitter,
  compose,
  gaussianNoise,
  horizontalFlip,
  randomGrayscale,
  randomResizedCrop,
  scarf,
  translate
} from '../../../main/engine/augment/index.ts'
import type { PreparedData } from '../../../main/engine/types.ts'
import { createRng, deriveSeed, fork } from '../../../main/lib/random.ts'

const img = (n: number, h: number, w: number, c: number) => Float32Array.from({ length: n * h * w * c }, (_, i) => (i % 17) / 17 + 0.1)

describe('rng', () => {
  it('is deterministic per seed and stream, and streams differ', () => {
    const a = Array.from({ length: 5 }, () => fork(7, 'init').next())
    expect(fork(7, 'init').next()).toBe(a[0])
    expect(fork(7, 'shuffle').next()).not.toBe(fork(7, 'init').next())
    expect(deriveSeed(1, 'x')).not.toBe(deriveSeed(2, 'x'))
    const r = createRng(3)
    const xs = Array.from({ length: 20000 }, () => r.normal())
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length
    const sd = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length)
    expect(Math.abs(mean)).toBeLessThan(0.03)
    expect(Math.abs(sd - 1)).toBeLessThan(0.03)
    const p = Array.from(createRng(5).permutation(10)).sort((x, y) => x - y)
    expect(p).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    for (let i = 0; i < 1000; i++) {
      const k = r.int(3)
      expect(k >= 0 && k < 3).toBe(true)
    }
  })
})

describe('image augmentations', () => {
  const shape = [3, 6, 5, 3]
  const x = img(3, 6, 5, 3)
  const all = [translate(2), horizontalFlip(), randomResizedCrop(0.5), colorJitter(0.4), randomGrayscale(0.5)]
  it('are deterministic under a seed, shape-preserving and never modify their input', () => {
    const copy = x.slice()
    for (const f of [...all, compose(...all)]) {
      const a = f(x, shape, createRng(11))
      const b = f(x, shape, createRng(11))
      expect(a.length).toBe(x.length)
      expect(Array.from(a)).toEqual(Array.from(b))
      expect(Array.from(a).every(Number.isFinite)).toBe(true)
    }
    expect(Array.from(x)).toEqual(Array.from(copy))
    // Different seeds give different views.
    expect(Array.from(compose(...all)(x, shape, createRng(1)))).not.toEqual(Array.from(compose(...all)(x, shape, createRng(2))))
  })
  it('translate shifts with zero fill; flip mirrors', () => {
    const one = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9])
    let shifted: number[] = []
    // Find a seed whose shift is non-zero and check it is a pure shift with zeros.
    for (let s = 0; s < 50; s++) {
      shifted = Array.from(translate(1)(one, [1, 3, 3, 1], createRng(s)))
      if (shifted.some((v, i) => v !== one[i])) break
    }
    expect(shifted.filter((v) => v === 0).length).toBeGreaterThan(0)
    expect(shifted.filter((v) => v !== 0).every((v) => one.includes(v))).toBe(true)
    expect(Array.from(horizontalFlip(1)(one, [1, 3, 3, 1], createRng(0)))).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7])
  })
  it('grayscale makes the three channels equal', () => {
    const g = randomGrayscale(1)(x, shape, createRng(0))
    for (let p = 0; p < g.length; p += 3) {
      expect(g[p]).toBeCloseTo(g[p + 1], 6)
      expect(g[p]).toBeCloseTo(g[p + 2], 6)
    }
  })
  it('rejects a wrong shape', () => {
    expect(() => translate(1)(x, [3, 6, 5, 2], createRng(0))).toThrow()
  })
})

describe('tabular augmentations', () => {
  // Features: numeric (col 0), a 3-way one-hot block (cols 1-3), numeric (col 4).
  const groups: Array<[number, number]> = [
    [0, 1],
    [1, 3],
    [4, 1]
  ]
  const pool = Float32Array.from([10, 1, 0, 0, 20, 11, 0, 1, 0, 21, 12, 0, 0, 1, 22, 13, 1, 0, 0, 23])
  const batch = Float32Array.from([-1, 0, 1, 0, -5, -2, 0, 0, 1, -6])
  it('SCARF replaces exactly round(rate·G) whole features with values of one pool row, one-hots stay valid', () => {
    const f = scarf({ rate: 0.67, featureGroups: groups, pool, poolRows: 4 })
    for (let seed = 0; seed < 30; seed++) {
      const out = f(batch, [2, 5], createRng(seed))
      expect(Array.from(out)).toEqual(Array.from(f(batch, [2, 5], createRng(seed))))
      for (let s = 0; s < 2; s++) {
        const row = Array.from(out.subarray(s * 5, s * 5 + 5))
        const orig = Array.from(batch.subarray(s * 5, s * 5 + 5))
        let replaced = 0
        for (const [off, len] of groups) {
          const block = row.slice(off, off + len)
          const same = block.every((v, k) => v === orig[off + k])
          if (!same) {
            replaced++
            // The block equals that feature in some pool row (its empirical marginal).
            const seen = [0, 1, 2, 3].some((r) => block.every((v, k) => v === pool[r * 5 + off + k]))
            expect(seen).toBe(true)
          }
        }
        // q = round(0.67·3) = 2; a replacement may coincide with the original value, so ≤ 2.
        expect(replaced).toBeLessThanOrEqual(2)
        const hot = row.slice(1, 4)
        expect(hot.reduce((a, b) => a + b, 0)).toBe(1)
      }
    }
    // Over many seeds, features really get replaced.
    const changed = Array.from({ length: 20 }, (_, s) => f(batch, [2, 5], createRng(s))).filter((o) => o[0] !== -1).length
    expect(changed).toBeGreaterThan(5)
  })
  it('Gaussian noise only touches numeric columns', () => {
    const mask = Uint8Array.from([1, 0, 0, 0, 1])
    const out = gaussianNoise(0.1, mask)(batch, [2, 5], createRng(1))
    for (let s = 0; s < 2; s++) {
      for (let j = 1; j < 4; j++) expect(out[s * 5 + j]).toBe(batch[s * 5 + j])
      expect(out[s * 5]).not.toBe(batch[s * 5])
    }
  })
  it('buildAugmentations: SCARF as ILO and no standard augmentation for tabular; crop+flip for images', () => {
    const cfg: AugmentConfig = { translate: 2, flip: true, cropScale: 0.7, colorJitter: 0.3, grayscale: 0.2, corruption: 0.4, noise: 0 }
    const tab = {
      kind: 'tabular',
      nFeatures: 5,
      nClasses: 2,
      classNames: ['a', 'b'],
      imageShape: null,
      featureGroups: groups,
      numericMask: Uint8Array.from([1, 0, 0, 0, 1]),
      train: { x: pool, y: new Int32Array(4), n: 4 },
      val: { x: pool, y: new Int32Array(4), n: 4 },
      test: { x: pool, y: new Int32Array(4), n: 4 }
    } as PreparedData
    const a = buildAugmentations(cfg, tab)
    expect(a.standard).toBeNull()
    expect(a.describe).toContain('SCARF')
    expect(a.ilo(batch, a.shape(2), createRng(0)).length).toBe(10)
    const im = { ...tab, kind: 'image', nFeatures: 90, imageShape: [6, 5, 3] } as PreparedData
    const b = buildAugmentations(cfg, im)
    expect(b.standard).not.toBeNull()
    expect(b.shape(3)).toEqual([3, 6, 5, 3])
    const x = img(3, 6, 5, 3)
    expect(b.ilo(x, b.shape(3), createRng(0)).length).toBe(x.length)
  })
})
