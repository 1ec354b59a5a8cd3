/** The comparison's chart options, computed once from the cart: shown on screen, exported as SVG and put in the report. */
import { computed } from 'vue'
import { MODEL_LABELS, type ModelAggregate } from '@contract'
import { useCompareStore } from '../stores/compare'
import { useDark } from './useDark'
import { entryColor, PRUNED_MODELS, entryLabel, resultsOf } from '../lib/entries'
import { CURVE_METRICS, entryEpochs, meanCurve, replicateCurves } from '../lib/curves'
import { replicatesOf } from '../lib/replicates'
import { compressionOption, confusionOption, curvesOption, shownLayer, sparsityOption, sumMatrices, type CompressionLine } from '../lib/chartOptions'

export interface ChartSpec {
  id: string
  title: string
  option: Record<string, unknown>
  height: number
  width?: number
  caption?: string
}

/** `light`: options for documents (SVG export, HTML report) whatever the screen's theme. */
export function useCompareCharts(opts: { light?: boolean } = {}) {
  const compare = useCompareStore()
  const screenDark = useDark()
  const dark = computed(() => !opts.light && screenDark.value)
  const colour = (i: number) => entryColor(i)
  const tabular = computed(() =>
    compare.runIds.some((id) => compare.details[id]?.dataset?.kind === 'tabular' || (compare.details[id] && !compare.details[id]!.imageShape))
  )

  /** "2 seeds × 3 folds" when every run of the cart repeats the same way, else "seeds (× folds)". */
  const over = computed(() => {
    const texts = new Set(compare.runIds.flatMap((id) => (compare.details[id] ? [replicatesOf(compare.details[id]!.config).text] : [])))
    return texts.size === 1 ? [...texts][0]! : compare.runIds.some((id) => compare.details[id]?.config.split.kfold) ? 'seeds (× folds)' : 'seeds'
  })

  const curves = computed<ChartSpec>(() => {
    const each = compare.curveMode === 'last' && compare.curveSpread === 'each'
    const series = compare.cart.map((e, i) => {
      const epochs = entryEpochs(compare.metrics[e.runId] ?? [], e, compare.curvePhase)
      return {
        name: entryLabel(e, compare.letters),
        color: colour(i),
        points: meanCurve(epochs, compare.curveMetric),
        replicates: each ? replicateCurves(epochs, compare.curveMetric, compare.details[e.runId]?.config) : undefined
      }
    })
    const m = CURVE_METRICS.find((c) => c.key === compare.curveMetric)!
    return {
      id: 'curves',
      title: `${m.label} per epoch${compare.curvePhase === 'supernet' ? ' of the supernetwork' : ''} (mean over ${over.value})`,
      option: curvesOption(
        series.filter((s) => s.points.length),
        compare.curveMetric,
        compare.curveMode,
        compare.curveSpread
      ),
      height: 380,
      caption:
        (compare.curveMode === 'best'
          ? 'Best so far: the value of the best epoch up to each epoch — the checkpoint that is kept; dotted lines mark the best epoch. '
          : each
            ? `Per-epoch values: the mean over ${over.value} (thick) and each replicate's own curve (thin, one line per task). `
            : `Per-epoch values with a ± std band over ${over.value} (the last epoch is where training stopped). `) +
        (compare.curvePhase === 'supernet'
          ? 'Supernetwork epochs before pruning (pruned models only; the same supernet serves every compression ratio).'
          : 'Pruned models: the finetuning epochs after pruning at their compression; others: their training epochs.')
    }
  })

  const confusions = computed<ChartSpec[]>(() =>
    compare.cart.flatMap((e) => {
      const run = compare.details[e.runId]
      const rs = resultsOf(run, e)
      if (!run || !rs.length) return []
      const label = entryLabel(e, compare.letters)
      const k = run.classNames.length || rs[0]!.confusion.length
      const size = Math.max(280, Math.min(460, 110 + k * 22))
      return [
        {
          id: `confusion-${label}`,
          title: `Confusion: ${label}`,
          option: confusionOption(
            { text: label, subtext: rs.length > 1 ? `${replicatesOf(run.config).text} summed (n = ${rs.length})` : 'one replicate' },
            run.classNames,
            sumMatrices(rs.map((r) => r.confusion)),
            dark.value
          ),
          height: size + 18,
          width: size + 20
        }
      ]
    })
  )

  const sparsity = computed<ChartSpec | null>(() => {
    const all = compare.cart.map((e, i) => ({
      name: entryLabel(e, compare.letters),
      color: colour(i),
      layers: resultsOf(compare.details[e.runId], e).map((r) => r.layers)
    }))
    // Unpruned models keep every weight: drawing their 100 % bars would only bury the pruned ones.
    const pruned = all.filter((s) => s.layers.some((ls) => ls.some((l) => l.nonzero < l.total)))
    if (!pruned.length) return null
    const dense = all.filter((s) => s.layers.length && !pruned.includes(s)).map((s) => s.name)
    const layerCount = new Set(pruned.flatMap((s) => s.layers[0]!.filter(shownLayer).map((l) => l.name))).size
    return {
      id: 'sparsity',
      title: 'Weights kept per layer',
      option: sparsityOption(pruned),
      height: Math.max(240, 90 + layerCount * pruned.length * 14),
      caption:
        `Share of nonzero weights in each weight layer (mean over ${over.value}). OMP ranks weights globally, so layers end up with different densities; the classifier (head) is never pruned.` +
        (dense.length ? ` Not drawn (unpruned, 100 % everywhere): ${dense.join(', ')}.` : '')
    }
  })

  const compression = computed<ChartSpec | null>(() => {
    const lines: CompressionLine[] = []
    const refs: { name: string; color: string; value: number }[] = []
    const balanced = tabular.value
    compare.cart.forEach((e, i) => {
      const run = compare.details[e.runId]
      if (!run) return
      const label = compare.letters.size > 1 ? `${MODEL_LABELS[e.model]} [${compare.letters.get(e.runId)}]` : MODEL_LABELS[e.model]
      if (PRUNED_MODELS.includes(e.model)) {
        if (lines.some((l) => l.name === label)) return
        const points = run.aggregates.filter((a) => a.model === e.model && a.compression > 1)
        if (points.length > 1) lines.push({ name: label, color: colour(i), model: e.model, points })
      } else if (!refs.some((r) => r.name === label)) {
        const a: ModelAggregate | undefined = run.aggregates.find((x) => x.model === e.model && x.compression === e.compression)
        if (a) refs.push({ name: label, color: colour(i), value: balanced ? a.balancedAccuracy.mean : a.accuracy.mean })
      }
    })
    if (!lines.length) return null
    return {
      id: 'compression',
      title: `${balanced ? 'Balanced accuracy' : 'Accuracy'} vs compression`,
      option: compressionOption(lines, refs, balanced),
      height: 360,
      caption: `Mean over ${over.value} at each compression ratio the run pruned to (all ratios of the run, not only the ones in the cart); dashed lines: unpruned models of the comparison.`
    }
  })

  const all = computed<ChartSpec[]>(() => [
    curves.value,
    ...confusions.value,
    ...(sparsity.value ? [sparsity.value] : []),
    ...(compression.value ? [compression.value] : [])
  ])
  return { tabular, over, curves, confusions, sparsity, compression, all }
}
