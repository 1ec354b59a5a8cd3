/**
 * The cart's pruned MLP-family models on tabular data, each with its results (locality per replicate), its
 * first-layer artifacts by replicate and its aggregate: what the tabular connectivity view draws.
 */
import { computed } from 'vue'
import { replicateLabel, type FirstLayerArtifact, type ModelAggregate, type ModelResult, type RunConfig } from '@contract'
import { useCompareStore } from '../stores/compare'
import { MLP_FAMILY, PRUNED_MODELS, aggregateOf, entryColor, entryLabel, resultsOf, type Entry } from '../lib/entries'
import { connectivityReadings, replicateKey } from '../lib/connectivity'
import { replicatesOf } from '../lib/replicates'

export interface ConnectivityItem {
  entry: Entry
  label: string
  color: string
  config: RunConfig
  /** Results that carry a locality figure, by seed then fold. */
  results: ModelResult[]
  /** First-layer artifact (with feature groups) by replicate key. */
  artifacts: Map<string, FirstLayerArtifact>
  aggregate: ModelAggregate
  /** Run and ratio: what the reading compares within. */
  group: string
}

export interface ReplicateOption {
  key: string
  label: string
}

export function useConnectivityItems() {
  const compare = useCompareStore()
  const items = computed<ConnectivityItem[]>(() =>
    compare.cart.flatMap((e, i) => {
      const run = compare.details[e.runId]
      if (!run || run.imageShape || !MLP_FAMILY.includes(e.model) || !PRUNED_MODELS.includes(e.model) || e.compression <= 1) return []
      const aggregate = aggregateOf(run, e)
      const results = resultsOf(run, e).filter((r) => r.locality)
      if (!aggregate || !results.length) return []
      const artifacts = new Map(
        (compare.artifacts[e.runId] ?? [])
          .filter((a) => a.model === e.model && a.compression === e.compression && a.features)
          .map((a) => [replicateKey(a), a] as const)
      )
      return [
        {
          entry: e,
          label: entryLabel(e, compare.letters),
          color: entryColor(i),
          config: run.config,
          results,
          artifacts,
          aggregate,
          group: `${e.runId}@${e.compression}`
        }
      ]
    })
  )
  /** Every replicate any item has, in seed then fold order, named as everywhere ("seed 1 · fold 2/3"). */
  const replicates = computed<ReplicateOption[]>(() => {
    const seen = new Map<string, ModelResult & { config: RunConfig }>()
    for (const it of items.value) for (const r of it.results) if (!seen.has(replicateKey(r))) seen.set(replicateKey(r), { ...r, config: it.config })
    return [...seen.values()]
      .sort((a, b) => a.seed - b.seed || (a.fold ?? 0) - (b.fold ?? 0))
      .map((r) => ({ key: replicateKey(r), label: replicateLabel(r, r.config) }))
  })
  /** The measured one-line readings (IUNet against the other pruned models of its run at its ratio). */
  const readings = computed(() =>
    connectivityReadings(
      items.value.flatMap((it) => {
        const { meanFeatures, singleFeatureShare } = it.aggregate
        if (!meanFeatures || !singleFeatureShare) return []
        return [{ label: it.label, model: it.entry.model, group: it.group, features: it.results[0]!.locality!.features, meanFeatures, singleFeatureShare }]
      }),
      (g) => {
        const it = items.value.find((i) => i.group === g)
        return it ? replicatesOf(it.config).text : null
      }
    )
  )
  return { items, replicates, readings }
}
