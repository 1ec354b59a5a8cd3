import { describe, expect, it } from 'vitest'
import type { FirstLayerArtifact } from '../../../main/contract/index.ts'
import { density, divergingRgba, localityNote, maskRgba, medianSpread, spread, unitImage } from '../../../renderer/src/lib/masks.ts'

const shape: [number, number, number] = [4, 4, 1]

describe('first-layer masks as images', () => {
  it('reshapes a unit row to H×W, averaging channels', () => {
    const rgb: [number, number, number] = [2, 2, 3]
    const row = [1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    expect([...unitImage([...new Array(12).fill(9), ...row], 12, 1, rgb)]).toEqual([1, 0, 1 / 3, 0])
  })

  it('paints kept pixels in the ink colour and weights on a diverging scale', () => {
    const px = maskRgba(Float64Array.from([1, 0]), { r: 0, g: 0, b: 0 }, { r: 255, g: 255, b: 255 })
    expect([...px]).toEqual([0, 0, 0, 255, 255, 255, 255, 255])
    const w = divergingRgba(Float64Array.from([-2, 0, 2]), 1)
    expect([w[0], w[2]]).toEqual([33, 172])
    expect([w[4], w[5], w[6]]).toEqual([247, 247, 247])
    expect([w[8], w[10]]).toEqual([178, 43])
  })

  it('spread is small for a compact patch, about 1 for a scattered mask, and null when nothing is pruned', () => {
    const patch = Float64Array.from([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    const corners = Float64Array.from([1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1])
    expect(spread(patch, shape)!).toBeCloseTo(Math.sqrt(0.5) / Math.sqrt(2.5))
    expect(spread(corners, shape)!).toBeGreaterThan(1.2)
    expect(spread(new Float64Array(16).fill(1), shape)).toBeNull()
  })

  it('summarises an artifact: share kept and median spread; the note says plainly when IUNet is not more local', () => {
    const mk = (model: FirstLayerArtifact['model'], mask: number[]): FirstLayerArtifact => ({
      model,
      seed: 0,
      compression: 8,
      inputs: 16,
      units: 1,
      weights: mask.map(() => 0.1),
      mask
    })
    const local = mk('iunet', [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    const wide = mk('omp', [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1])
    expect(density(local, 1)).toBe(0.25)
    const a = medianSpread(local, shape, 1)!
    const b = medianSpread(wide, shape, 1)!
    expect(
      localityNote([
        { label: 'IUNet', model: 'iunet', spread: a },
        { label: 'OMP', model: 'omp', spread: b }
      ])
    ).toMatch(/more local than/)
    expect(
      localityNote([
        { label: 'IUNet', model: 'iunet', spread: b },
        { label: 'OMP', model: 'omp', spread: a }
      ])
    ).toMatch(/NOT more local/)
    expect(localityNote([{ label: 'OMP', model: 'omp', spread: a }])).toBeNull()
  })
})
