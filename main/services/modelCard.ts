/**
 * card.md of an export bundle: which model this is (model, ratio, seed and fold, from the contract's labels), the
 * run and dataset it came from, its settings, its own test metrics next to the mean ± std over the run's
 * replicates (seeds × folds), its sparsity, and what each file of the bundle is.
 */
import { type ModelResult, type RunConfig, modelAtRatio, percent, pctMeanStd, replicateLabel, replicatesText } from '../contract/index.ts'
import type { SerializedPreprocessor } from '../data/preprocess.ts'
import { inputWidth, ONNX_OPSET } from '../engine/export/onnx.ts'
import { meanStd } from '../engine/metrics.ts'
import type { LoadedModel } from './modelBundle.ts'

export interface CardContext {
  meta: LoadedModel['meta']
  pre: SerializedPreprocessor
  /** Every stored result of the model's run. */
  results: ModelResult[]
  runName: string | null
  datasetName: string | null
  /** The run's config (null when the run is no longer stored). */
  config: RunConfig | null
}

const METRICS = ['accuracy', 'balancedAccuracy', 'macroF1'] as const

export function modelCard({ meta, pre, results, runName, datasetName, config: cfg }: CardContext): string {
  // Every replicate of this model at this ratio; its own row is the one of its seed and fold.
  const rows = results.filter((r) => r.model === meta.model && r.compression === meta.compression)
  const own = rows.find((r) => r.seed === meta.seed && r.fold === meta.fold)
  const which = replicateLabel(meta, cfg ?? undefined)
  const over = cfg ? replicatesText(cfg) : `${rows.length} replicates`
  const lines = [
    `# ${modelAtRatio(meta.model, meta.compression)} — ${which}`,
    '',
    `- Run: ${runName ?? meta.runId} (\`${meta.runId}\`)`,
    `- Dataset: ${datasetName ?? 'deleted'} (${pre.kind}, target \`${pre.target}\`, ${pre.classNames.length} classes: ${pre.classNames.join(', ')})`,
    `- Trained on: ${which}${meta.fold === undefined ? '' : ' (repeated k-fold: the seed picks the partition, the fold its test part)'}`,
    `- Architecture: ${JSON.stringify(meta.spec)}`,
    `- Input: ${inputWidth({ spec: meta.spec })} features per row (see preprocessing.json)${meta.imageShape ? `, image ${meta.imageShape.join('×')}` : ''}`,
    '',
    '## Settings',
    '',
    cfg
      ? `preset ${cfg.preset}; ${replicatesText(cfg)}; epochs ${cfg.epochs} + finetune ${cfg.finetuneEpochs}; batch ${cfg.batchSize}; learning rate ${cfg.learningRate}; weight decay ${cfg.weightDecay}; κ ${cfg.kappa}; λ ${cfg.lambda}; τ ${cfg.tau}; split ${JSON.stringify(cfg.split)}`
      : 'the run is no longer stored',
    '',
    '## Test metrics',
    '',
    `| metric | this model (${which}) | mean ± std over ${over} |`,
    '|---|---|---|',
    ...METRICS.map((k) => {
      const agg = meanStd(rows.map((r) => r[k]))
      return `| ${k} | ${own ? percent(own[k]) : '—'} | ${rows.length ? `${pctMeanStd(agg)} (n = ${agg.n})` : '—'} |`
    }),
    '',
    '## Sparsity',
    '',
    own
      ? `${own.nonzeroParams} of ${own.params} parameters are non-zero (${percent(own.nonzeroParams / Math.max(1, own.params))}); ${own.flopsSparse.toFixed(0)} of ${own.flopsDense.toFixed(0)} FLOPs per example.`
      : 'not recorded',
    '',
    '## Files',
    '',
    `- \`model.onnx\`: ONNX opset ${ONNX_OPSET}; input \`input\` [batch, features] float32 (preprocessed), outputs \`logits\` and \`probabilities\`. Masks are baked in (pruned weights are 0); batch norm is folded where possible.`,
    "- `model.json` + `weights.bin`: a TensorFlow.js layers model: `tf.loadLayersModel('file://…/model.json')` (tfjs-node) or over HTTP; input [batch, features] (preprocessed), output the class probabilities. Batch norm stays a BatchNormalization layer; masks are baked in.",
    `- \`preprocessing.json\`: the preprocessing fitted on this model's training rows (${which}): column order, imputation, one-hot levels and the "other" rule, scaling, image shape, class labels.`,
    '',
    'Predict with: `iunet predict --model <this folder> --data new.csv --out predictions.csv`'
  ]
  return lines.join('\n') + '\n'
}
