/**
 * The tabular connectivity view's numbers (DOM-free): a pruned first layer as units × original input features (a
 * one-hot block is one feature; a cell counts the block's columns a unit keeps), and a one-line reading of how local
 * IUNet's units are next to the other pruned models' and the dense MLP's. The distinct-feature count per unit is the
 * contract's featuresPerUnit (the engine's figure over every unit uses the same function).
 */
import { featuresPerUnit, percent, type FirstLayerArtifact, type MeanStd, type ModelKind } from '@contract'

export interface ConnectivityMatrix {
  /** Original feature names and how many encoded columns each has (one-hot width, 1 for a number). */
  names: string[]
  widths: number[]
  /** kept[u][f]: columns of feature f that unit u keeps (0 … widths[f]); units in the artifact's order. */
  kept: number[][]
  /** Distinct features each drawn unit reads. */
  perUnit: number[]
}

/**
 * The first `count` units of a tabular first-layer artifact grouped back to original features; null when the
 * artifact has no feature groups (images, older runs) or its sizes do not add up (nothing to draw honestly).
 */
export function connectivityMatrix(a: FirstLayerArtifact, count: number): ConnectivityMatrix | null {
  const f = a.features
  if (!f || f.names.length !== f.groups.length || a.mask.length !== a.units * a.inputs) return null
  if (f.groups.some(([o, w]) => o < 0 || w < 1 || o + w > a.inputs)) return null
  const n = Math.max(0, Math.min(count, a.units))
  const mask = a.mask.slice(0, n * a.inputs)
  const kept = Array.from({ length: n }, (_, u) =>
    f.groups.map(([o, w]) => {
      let k = 0
      for (let i = o; i < o + w; i++) if (mask[u * a.inputs + i]) k++
      return k
    })
  )
  return { names: f.names, widths: f.groups.map(([, w]) => w), kept, perUnit: featuresPerUnit(mask, a.inputs, n, f.groups, 'units×inputs') }
}

/** Replicates of one result set: "seed/fold" keys (fold empty without k-fold), sorted by seed then fold. */
export function replicateKey(r: { seed: number; fold?: number }): string {
  return `${r.seed}/${r.fold ?? ''}`
}

/** One compared model's locality, over its replicates (from its aggregate). */
export interface LocalityItem {
  label: string
  model: ModelKind
  /** Entries of one run at one ratio are read together; across runs or ratios nothing is compared. */
  group: string
  features: number
  meanFeatures: MeanStd
  singleFeatureShare: MeanStd
}

type Judgement = 'more' | 'less' | 'same'

/** IUNet against another model by the features a unit reads: a gap is a difference only beyond the larger std (and 0.05). */
function judge(iu: MeanStd, other: MeanStd): Judgement {
  const margin = Math.max(iu.std, other.std, 0.05)
  const d = other.mean - iu.mean
  return d > margin ? 'more' : d < -margin ? 'less' : 'same'
}

const feats = (m: MeanStd) => m.mean.toFixed(1)
const share = (m: MeanStd) => percent(m.mean)

/**
 * One sentence per IUNet entry, against the other pruned models of its run at its ratio and the dense layer's "all
 * features": "IUNet (pruned) 1/8: units read 1.4 of 6 features on average (38 % read one) vs 3.2 for OMP only 1/8
 * (5 %); a dense layer reads all 6. More local than OMP only 1/8." Honest either way: "NOT more local" when it is
 * not. Without IUNet, the figures alone. `replicates` says what the means are over ("2 seeds").
 */
export function connectivityReadings(items: readonly LocalityItem[], replicates: (group: string) => string | null = () => null): string[] {
  const out: string[] = []
  const groups = [...new Set(items.map((i) => i.group))]
  for (const g of groups) {
    const mine = items.filter((i) => i.group === g)
    const ius = mine.filter((i) => i.model === 'iunet')
    const others = mine.filter((i) => i.model !== 'iunet')
    const over = replicates(g)
    const n = Math.min(...mine.map((i) => i.meanFeatures.n))
    const spread = n < 2 ? ' (one replicate: no spread to judge a gap by)' : ''
    const F = mine[0]!.features
    const dense = `a dense layer reads all ${F}`
    if (!ius.length) {
      const list = others.map((o) => `${o.label} ${feats(o.meanFeatures)} (${share(o.singleFeatureShare)} read one)`).join(', ')
      out.push(`Features a unit reads on average${over ? ` over ${over}` : ''}, of ${F}: ${list}; ${dense}. No IUNet here to compare with.`)
      continue
    }
    for (const iu of ius) {
      const head = `${iu.label}: units read ${feats(iu.meanFeatures)} of ${F} features on average (${share(iu.singleFeatureShare)} read one)`
      const vs = others.map((o) => `${feats(o.meanFeatures)} for ${o.label} (${share(o.singleFeatureShare)})`).join(' and ')
      const overText = over ? ` over ${over}` : ''
      if (!others.length) {
        const local = iu.meanFeatures.mean < F - 0.05 ? 'fewer than the dense layer' : 'as many as the dense layer: no locality'
        out.push(`${head}${overText}; ${dense}: ${local}. No OMP or no-PIS model at this ratio to compare with.`)
        continue
      }
      const j = others.map((o) => ({ o, j: judge(iu.meanFeatures, o.meanFeatures) }))
      const names = (k: Judgement) =>
        j
          .filter((x) => x.j === k)
          .map((x) => x.o.label)
          .join(' and ')
      const parts: string[] = []
      if (names('more')) parts.push(`more local than ${names('more')}`)
      if (names('same')) parts.push(`about as local as ${names('same')}`)
      if (names('less')) parts.push(`NOT more local: less local than ${names('less')}`)
      const verdict = parts.join('; ')
      out.push(`${head} vs ${vs}${overText}; ${dense}. ${verdict[0]!.toUpperCase()}${verdict.slice(1)}${spread}.`)
    }
  }
  return out
}

/** The histogram's bars as shares of all units (0 … 1), so models with different widths share one scale. */
export function histogramShares(histogram: readonly number[]): number[] {
  const total = histogram.reduce((a, b) => a + b, 0)
  return histogram.map((c) => (total ? c / total : 0))
}

/** The plain explanation above the connectivity view. */
export const CONNECTIVITY_EXPLANATION =
  "Each row is one first-layer unit, each column one of the table's original input features (a one-hot encoded " +
  'category is one feature). A filled cell: the unit still reads the feature after pruning — paler, with a number, when ' +
  "it keeps only that many of a category's columns; n = how many distinct features the unit reads. The paper finds that IUNet on " +
  'tabular data leaves units that each read few features — local, like a convolution on images — where plain OMP ' +
  'pruning spreads them; a dense layer reads every feature.'
