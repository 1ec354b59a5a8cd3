/** The tabular connectivity figure on hand-built masks: one-hot columns count as one feature. */
import { describe, expect, it } from 'vitest'
import { featuresPerUnit, localityOf, localityText } from '../../../main/contract/index.ts'

// Three original features: a number (column 0), a 3-level one-hot (columns 1–3), a number with its missing
// indicator (columns 4–5). Four units.
const groups = [
  [0, 1],
  [1, 3],
  [4, 2]
] as const
// units × inputs (as the first-layer artifact stores it)
const unitsByInputs = [
  [0, 1, 1, 1, 0, 0], // the whole one-hot block: one feature
  [1, 0, 0, 1, 0, 1], // three features
  [0, 0, 0, 0, 0, 0], // cut off: none
  [0, 0, 0, 0, 1, 1] // a number and its indicator: one feature
]

describe('connectivity', () => {
  it('counts distinct original features per unit in either layout', () => {
    const flat = unitsByInputs.flat()
    expect(featuresPerUnit(flat, 6, 4, groups, 'units×inputs')).toEqual([1, 3, 0, 1])
    // The engine's layout: inputs × units, row-major.
    const transposed = Array.from({ length: 6 * 4 }, (_, k) => unitsByInputs[k % 4]![Math.floor(k / 4)]!)
    expect(featuresPerUnit(transposed, 6, 4, groups, 'inputs×units')).toEqual([1, 3, 0, 1])
  })
  it('summarises the layer: histogram over 0…features, share reading exactly one, mean', () => {
    const l = localityOf([1, 3, 0, 1], 3)
    expect(l).toEqual({ features: 3, units: 4, histogram: [1, 2, 0, 1], singleFeatureShare: 0.5, meanFeatures: 1.25 })
    expect(localityText(l)).toBe('50 % of units read one feature (mean 1.3 of 3)')
  })
  it('refuses a mask of the wrong size', () => {
    expect(() => featuresPerUnit([1, 0], 6, 4, groups, 'units×inputs')).toThrow('mask has 2 entries, expected 6 × 4')
  })
})
