/** The cart's MLP-family models on image data with their first-layer artifact (lowest seed): what the mask grid draws. */
import { computed } from 'vue'
import type { FirstLayerArtifact, ImageShape } from '@contract'
import { useCompareStore } from '../stores/compare'
import { MLP_FAMILY, entryColor, PRUNED_MODELS, entryLabel } from '../lib/entries'

export interface MaskItem {
  label: string
  artifact: FirstLayerArtifact
  shape: ImageShape
  pruned: boolean
  color: string
}

export function useMaskItems() {
  const compare = useCompareStore()
  return computed<MaskItem[]>(() =>
    compare.cart.flatMap((e, i) => {
      const run = compare.details[e.runId]
      if (!run?.imageShape || !MLP_FAMILY.includes(e.model)) return []
      const arts = (compare.artifacts[e.runId] ?? []).filter((a) => a.model === e.model && a.compression === e.compression).sort((a, b) => a.seed - b.seed)
      const a = arts[0]
      if (!a || a.inputs !== run.imageShape[0] * run.imageShape[1] * run.imageShape[2]) return []
      return [
        {
          label: entryLabel(e, compare.letters),
          artifact: a,
          shape: run.imageShape,
          pruned: PRUNED_MODELS.includes(e.model) && e.compression > 1,
          color: entryColor(i)
        }
      ]
    })
  )
}
