/**
 * How local a pruned first layer is on tabular data (the paper's tabular claim: IUNet's first-layer units each read
 * few input features). Encoded columns are grouped back to their original feature (a one-hot block, a missing
 * indicator and its number are one feature); per unit, the number of distinct features it reads; over the layer,
 * the histogram of that number and the share of units reading exactly one feature. The engine computes the figure
 * over every unit; the Compare view draws the units it keeps for display. Pure.
 */

/** [offset, width] of each original feature in the encoded vector. */
export type FeatureGroups = ReadonlyArray<readonly [number, number]>

/**
 * Distinct features each unit reads. `mask` holds 1 for a kept weight; `layout` says how it is stored: 'inputs×units'
 * (row-major over inputs, as the engine's dense layer keeps it) or 'units×inputs' (as the first-layer artifact is).
 */
export function featuresPerUnit(
  mask: ArrayLike<number>,
  inputs: number,
  units: number,
  groups: FeatureGroups,
  layout: 'inputs×units' | 'units×inputs'
): number[] {
  if (mask.length !== inputs * units) throw new RangeError(`mask has ${mask.length} entries, expected ${inputs} × ${units}`)
  const at = layout === 'inputs×units' ? (i: number, u: number) => i * units + u : (i: number, u: number) => u * inputs + i
  const out = new Array<number>(units).fill(0)
  for (let u = 0; u < units; u++) {
    let n = 0
    for (const [offset, width] of groups) {
      for (let i = offset; i < offset + width; i++) {
        if (mask[at(i, u)]) {
          n++
          break
        }
      }
    }
    out[u] = n
  }
  return out
}

/** The layer's locality figure, from the distinct-feature count of every unit. */
export interface Locality {
  /** Original input features. */
  features: number
  units: number
  /** histogram[f]: units reading exactly f features (f = 0 … features; 0 = a unit cut off from every input). */
  histogram: number[]
  /** Share of the units that read exactly one feature. */
  singleFeatureShare: number
  /** Mean number of features a unit reads. */
  meanFeatures: number
}

export function localityOf(counts: readonly number[], features: number): Locality {
  const histogram = new Array<number>(features + 1).fill(0)
  for (const c of counts) histogram[c]!++
  const units = counts.length
  return {
    features,
    units,
    histogram,
    singleFeatureShare: units ? histogram[1]! / units : 0,
    meanFeatures: units ? counts.reduce((a, b) => a + b, 0) / units : 0
  }
}

/** "42 % of units read one feature (mean 1.9 of 30)": the one-line figure of Compare's tables and a study's matrix. */
export function localityText(l: Locality): string {
  return `${Math.round(100 * l.singleFeatureShare)} % of units read one feature (mean ${l.meanFeatures.toFixed(1)} of ${l.features})`
}
