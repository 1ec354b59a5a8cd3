import { describe, expect, it } from 'vitest'
import { applyMask, countOnes, globalMagnitudeMasks, keepCount, rewindToInit, scaleInit, selectAscending } from '../../../main/engine/prune.ts'

describe('global magnitude pruning', () => {
  it('keeps exactly the k largest |w| across all tensors (global, not per layer)', () => {
    const a = new Float32Array([0.1, -5, 0.2, 3])
    const b = new Float32Array([-4, 0.05, 2.5, -0.3, 1])
    // total 9, r = 3 → k = 3: |−5|, |−4|, |3|. Layer b would keep only 1 of 5 under per-layer pruning.
    const [ma, mb] = globalMagnitudeMasks([a, b], 3)
    expect(Array.from(ma)).toEqual([0, 1, 0, 1])
    expect(Array.from(mb)).toEqual([1, 0, 0, 0, 0])
  })

  it('keeps round(total / r) weights and breaks ties by position', () => {
    const w = [new Float32Array([1, 1, 1]), new Float32Array([1, 1, 2])]
    const [m0, m1] = globalMagnitudeMasks(w, 2)
    expect(keepCount(6, 2)).toBe(3)
    expect(Array.from(m0)).toEqual([1, 1, 0])
    expect(Array.from(m1)).toEqual([0, 0, 1])
  })

  it('matches a brute-force sort on random weights for many ratios', () => {
    let s = 12345
    const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1
    const tensors = [40, 300, 17].map((n) => Float32Array.from({ length: n }, rnd))
    const flat = tensors.flatMap((t, ti) => Array.from(t, (v, i) => ({ a: Math.abs(v), ti, i })))
    for (const r of [1, 1.5, 4, 8, 16, 100, 1000]) {
      const masks = globalMagnitudeMasks(tensors, r)
      const k = keepCount(flat.length, r)
      expect(masks.reduce((n, m) => n + countOnes(m), 0)).toBe(k)
      const kept = [...flat].sort((x, y) => y.a - x.a).slice(0, k)
      for (const e of kept) expect(masks[e.ti][e.i]).toBe(1)
    }
  })

  it('selects the value a sort would put at each index, ties and sorted inputs included', () => {
    let s = 99
    const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1
    const inputs = [
      Float32Array.from({ length: 501 }, rnd),
      Float32Array.from({ length: 300 }, () => Math.round(rnd() * 3)),
      Float32Array.from({ length: 200 }, (_, i) => i),
      Float32Array.from({ length: 200 }, (_, i) => -i),
      new Float32Array(7).fill(0.5),
      Float32Array.from([42])
    ]
    // Compared as numbers (+ 0 turns -0 into 0: a sort puts -0 first, a selection need not; OMP ranks |w| ≥ +0).
    for (const x of inputs) {
      const sorted = Float32Array.from(x).sort()
      for (let n = 0; n < x.length; n += Math.max(1, Math.floor(x.length / 37))) expect(selectAscending(Float32Array.from(x), n) + 0).toBe(sorted[n]! + 0)
      expect(selectAscending(Float32Array.from(x), x.length - 1)).toBe(sorted[x.length - 1])
    }
    expect(() => selectAscending(new Float32Array(3), 3)).toThrow(/outside/)
  })

  it('rewind gives θ† on survivors and 0 elsewhere; masks zero the pruned weights', () => {
    const theta = new Float32Array([0.5, -0.25, 0.75, -1])
    const trained = new Float32Array([3, -0.1, 0.2, -2])
    const [mask] = globalMagnitudeMasks([trained], 2)
    expect(Array.from(mask)).toEqual([1, 0, 0, 1])
    expect(Array.from(rewindToInit(theta, mask))).toEqual([0.5, 0, 0, -1])
    expect(Array.from(applyMask(trained, mask))).toEqual([3, 0, 0, -2])
  })

  it('scaleInit multiplies by κ', () => {
    expect(Array.from(scaleInit(new Float32Array([2, -4]), 0.125))).toEqual([0.25, -0.5])
  })

  it('rejects ratios below 1', () => {
    expect(() => keepCount(10, 0.5)).toThrow()
  })
})
