/**
 * One engine job = one comparison row (ModelKind) for one seed, following shared/iunet-method.md:
 *
 *   θ† (standard init from the seed, shared by every model of the seed with the same architecture)
 *   → PIS (κ·θ† on weights) → supernet training (ILO = CE + λ·NT-Xent, or CE)
 *   → OMP at every ratio r (the supernet is trained once per job) → rewind to θ† (UNSCALED) ⊙ mask
 *   → finetune with CE + standard augmentation, mask fixed, best-validation epoch → test evaluation.
 *
 * Unpruned rows train once for epochs + finetuneEpochs (the same total budget) and keep their best epoch.
 */
import {
  RECIPES,
  initScale,
  phaseEpochs,
  phaseOf,
  type Arch,
  featuresPerUnit,
  localityOf,
  type FirstLayerArtifact,
  type Locality,
  type ModelResult,
  type Recipe,
  type RunConfig,
  type TrainPhase
} from '../contract/index.ts'
import { buildAugmentations, type Augmentations } from './augment/index.ts'
import { evaluateTest, evaluateTestAsync, firstLayerArtifact, prunableParams, scoreValidation, scoreValidationAsync } from './evaluate.ts'
import { fit, type FitCheckpoint, type FitResult } from './fit.ts'
import type { FitState } from './fitState.ts'
import { kernelCalls, kernelCallsSince } from './kernels/native.ts'
import { createModel } from './models.ts'
import type { Model, ModelSpec, Param } from './models/types.ts'
import { globalMagnitudeMasks, rewindToInit, scaleInit } from './prune.ts'
import { snapshotModel } from './export/trained.ts'
import { deriveSeed, fork } from '../lib/random.ts'
import { readsArePerEpoch, settleWeights } from './train.ts'
import type { EngineHooks, EngineJob, EngineJobResult, PreparedData, TaskCheckpoint } from './types.ts'

/** A model of `spec` at θ† of `seed` (κ is applied separately, by pisWeights), with an optional projection head. */
export function buildModel(spec: ModelSpec, seed: number, projection: { hidden: number; out: number } | null): Model {
  return createModel(spec, seed, { projection })
}

/** Projection head for NT-Xent: width ≤ 256 hidden, 64 out (ours; SimCLR-style, small next to the encoder). */
function projectionSize(cfg: RunConfig): { hidden: number; out: number } {
  return { hidden: Math.min(cfg.width, 256), out: 64 }
}

export function specFor(arch: Arch, cfg: RunConfig, data: PreparedData): ModelSpec {
  if (arch === 'mlp') return { kind: 'mlp', inputs: data.nFeatures, classes: data.nClasses, depth: cfg.depth, width: cfg.width }
  if (data.kind === 'image') {
    if (!data.imageShape) throw new Error('image data without imageShape')
    return arch === 'cnn'
      ? { kind: 'cnn', imageShape: data.imageShape, classes: data.nClasses }
      : { kind: 'resnet', imageShape: data.imageShape, classes: data.nClasses }
  }
  if (arch === 'cnn') throw new Error('the CNN needs image data; use the tabular ResNet ("resnet") for tables')
  return { kind: 'tabresnet', inputs: data.nFeatures, classes: data.nClasses }
}

/** PIS: κ·θ† for weight matrices/kernels of the network (encoder and classifier); biases, norms and the
 *  projection head keep their standard init. */
export function pisWeights(theta: Map<string, Float32Array>, params: readonly Param[], kappa: number): Map<string, Float32Array> {
  const out = new Map(theta)
  for (const p of params) {
    const v = theta.get(p.name)
    if (v && p.kind === 'weight' && p.group !== 'projection') out.set(p.name, scaleInit(v, kappa))
  }
  return out
}

/** The seed of θ†: one stream per run seed, so every model of the seed starts from the same θ†. */
export function initSeedOf(seed: number): number {
  return deriveSeed(seed, 'init')
}

/**
 * Lottery-ticket rewind of a fresh model: every parameter back to θ† (UNSCALED — never κ·θ†, whose κ^depth-small
 * gradients fall below Adam's ε), the masks set, so survivors hold θ† and pruned weights are exactly 0.
 */
export function applyRewind(model: Model, theta: Map<string, Float32Array>, names: readonly string[], masks: readonly Uint8Array[]): void {
  const rewound = new Map<string, Float32Array>()
  for (const p of model.params) {
    const v = theta.get(p.name)
    if (v) rewound.set(p.name, v)
  }
  names.forEach((name, i) => {
    rewound.set(name, rewindToInit(theta.get(name)!, masks[i]))
    model.setMask(name, Float32Array.from(masks[i]))
  })
  model.setWeights(rewound)
}

interface Ctx {
  job: EngineJob
  cfg: RunConfig
  data: PreparedData
  aug: Augmentations
  hooks: EngineHooks
  /** What is finished so far (saved at phase boundaries and, with the phase's state, inside phases). */
  saved: Pick<TaskCheckpoint, 'supernet' | 'done'>
  /** The phase to continue from the loaded checkpoint; consumed by the first fitPhase it matches. */
  resumeFit: TaskCheckpoint['fit']
}

function newCtx(job: EngineJob, hooks: EngineHooks): Ctx {
  const loaded = hooks.checkpoint?.load() ?? null
  const ck = loaded && loaded.version === 1 && loaded.model === job.model && loaded.seed === job.seed ? loaded : null
  return {
    job,
    cfg: job.config,
    data: job.data,
    aug: buildAugmentations(job.config.augment, job.data),
    hooks,
    saved: { supernet: ck?.supernet ?? null, done: ck?.done ?? { results: [], firstLayer: [] } },
    resumeFit: ck?.fit ?? null
  }
}

/** Saves the job's progress (a phase boundary when `fit` is null). */
function saveCheckpoint(ctx: Ctx, fitState: TaskCheckpoint['fit'] = null): void {
  ctx.hooks.checkpoint?.save({ version: 1, model: ctx.job.model, seed: ctx.job.seed, ...ctx.saved, fit: fitState })
}

function fitPhase(ctx: Ctx, model: Model, phase: TrainPhase, compression: number): Promise<FitResult> {
  const { cfg, data, aug, hooks, job } = ctx
  const step = phaseOf(job.model, phase)
  if (!step) throw new Error(`${job.model} has no ${phase} phase`)
  const epochs = phaseEpochs(step, cfg)
  let resume: FitState | null = null
  if (ctx.resumeFit && ctx.resumeFit.phase === phase && ctx.resumeFit.compression === compression) {
    resume = ctx.resumeFit.state
    ctx.resumeFit = null
  }
  const ck = hooks.checkpoint
  const checkpoint: FitCheckpoint | null = ck
    ? {
        everyEpochs: ck.everyEpochs,
        minSeconds: ck.minSeconds,
        stopRequested: () => ck.stopRequested(),
        save: (state) => saveCheckpoint(ctx, { phase, compression, state })
      }
    : null
  return fit({
    model,
    train: data.train,
    val: data.val,
    shape: aug.shape,
    epochs,
    batchSize: cfg.batchSize,
    learningRate: cfg.learningRate,
    weightDecay: cfg.weightDecay,
    // The supernet trains its full budget and is pruned as it ends (OMP needs grown magnitudes, not an early stop).
    patience: phase === 'supernet' ? 0 : cfg.patience,
    standard: aug.standard,
    ilo: step.loss === 'ilo' && cfg.lambda > 0 ? { transform: aug.ilo, tau: cfg.tau, lambda: cfg.lambda } : null,
    keepBest: phase !== 'supernet',
    // Same streams for every model of a seed: identical batch order and augmentation draws per phase.
    shuffleRng: fork(job.seed, `shuffle/${phase}`),
    augmentRng: fork(job.seed, `augment/${phase}`),
    hooks,
    report: { model: job.model, seed: job.seed, compression, phase },
    resume,
    checkpoint
  })
}

/**
 * Scores the kept weights on the test split, and on the validation split (what a fair selection among settings may
 * read); on GPU backends the reads are asynchronous and the weights settled first.
 */
async function evaluatePhase(ctx: Ctx, model: Model, compression: number) {
  const { job, data, aug, hooks } = ctx
  hooks.onProgress({ model: job.model, seed: job.seed, compression, phase: 'evaluate', epoch: 0, totalEpochs: 0, metrics: null })
  // One fixed draw of t per seed: every model of the seed is scored on the same transformed test set.
  if (!readsArePerEpoch()) {
    const validation = scoreValidation(model, data.val)
    return { ...evaluateTest(model, data.test, aug.shape, aug.ilo, fork(job.seed, 'invariance')), validation }
  }
  await settleWeights(model)
  const validation = await scoreValidationAsync(model, data.val)
  return { ...(await evaluateTestAsync(model, data.test, aug.shape, aug.ilo, fork(job.seed, 'invariance'))), validation }
}

/**
 * The first layer's artifact (a sample of units for drawing) and, on tabular data, its locality over every unit:
 * how many distinct original features each unit reads through the mask (all of them for a dense layer).
 */
function firstLayerOf(
  ctx: Ctx,
  weights: Map<string, Float32Array>,
  param: Param | undefined,
  mask: Uint8Array | null,
  compression: number
): { firstLayer: FirstLayerArtifact[]; locality?: Locality } {
  if (!param || param.variable.shape.length !== 2) return { firstLayer: [] }
  const [inputs, units] = param.variable.shape
  const w = weights.get(param.name)
  if (!w) return { firstLayer: [] }
  const artifact = firstLayerArtifact({ model: ctx.job.model, seed: ctx.job.seed, compression }, w, mask, inputs, units)
  const { data } = ctx
  if (data.kind !== 'tabular' || !data.featureNames || !data.featureGroups.length) return { firstLayer: [artifact] }
  const groups = data.featureGroups
  const counts = featuresPerUnit(mask ?? new Uint8Array(inputs * units).fill(1), inputs, units, groups, 'inputs×units')
  return {
    firstLayer: [{ ...artifact, features: { names: data.featureNames, groups: groups.map(([a, b]) => [a, b] as [number, number]) } }],
    locality: localityOf(counts, groups.length)
  }
}

async function runUnpruned(ctx: Ctx, recipe: Recipe, spec: ModelSpec): Promise<EngineJobResult> {
  const { cfg, job } = ctx
  const projection = recipe.ilo && cfg.projectionHead ? projectionSize(cfg) : null
  const model = buildModel(spec, initSeedOf(job.seed), projection)
  try {
    model.setWeights(pisWeights(model.getWeights(), model.params, initScale(job.model, cfg)))
    const trained = await fitPhase(ctx, model, 'train', 1)
    const ev = await evaluatePhase(ctx, model, 1)
    const first = recipe.arch === 'mlp' ? firstLayerOf(ctx, model.getWeights(), prunableParams(model)[0], null, 1) : { firstLayer: [] }
    const result: ModelResult = {
      model: job.model,
      seed: job.seed,
      compression: 1,
      ...ev,
      trainSeconds: trained.seconds,
      supernetValAccuracy: null,
      bestEpoch: trained.bestEpoch,
      ...(first.locality ? { locality: first.locality } : {})
    }
    return { results: [result], firstLayer: first.firstLayer, models: [snapshotModel(model, spec, { model: job.model, seed: job.seed, compression: 1 })] }
  } finally {
    model.dispose()
  }
}

/** What pruning needs from the supernet phase. */
export interface TrainedSupernet {
  /** θ†: the UNSCALED standard init every ratio rewinds to (taken before PIS is applied). */
  theta: Map<string, Float32Array>
  /** The supernet's weights after training, which OMP ranks. */
  trained: Map<string, Float32Array>
  /** Names of the encoder weights OMP may prune. */
  prunable: string[]
  fit: FitResult
}

/** Steps 1–3: θ† → PIS (κ·θ† on weights) → supernet training with ILO or CE, once for all ratios. */
async function trainSupernet(ctx: Ctx, recipe: Recipe, spec: ModelSpec): Promise<TrainedSupernet> {
  const { cfg, job } = ctx
  const projection = recipe.ilo && cfg.projectionHead ? projectionSize(cfg) : null
  const supernet = buildModel(spec, initSeedOf(job.seed), projection)
  try {
    const theta = supernet.getWeights()
    const saved = ctx.saved.supernet
    if (saved) {
      // Trained before a restart: θ† is redrawn from the seed, the trained weights come from the checkpoint.
      const { trained, prunable, ...summary } = saved
      return { theta, trained, prunable, fit: { ...summary, history: [] } }
    }
    supernet.setWeights(pisWeights(theta, supernet.params, initScale(job.model, cfg)))
    const fitted = await fitPhase(ctx, supernet, 'supernet', 1)
    await settleWeights(supernet)
    const trained = supernet.getWeights()
    const prunable = prunableParams(supernet).map((p) => p.name)
    // Phase boundary: only what pruning needs is kept (the prunable weights, not the projection head).
    ctx.saved.supernet = {
      trained: new Map(prunable.map((n) => [n, trained.get(n)!])),
      prunable,
      seconds: fitted.seconds,
      valAccuracy: fitted.valAccuracy,
      bestEpoch: fitted.bestEpoch,
      epochsRun: fitted.epochsRun
    }
    saveCheckpoint(ctx)
    return { theta, trained, prunable, fit: fitted }
  } finally {
    supernet.dispose()
  }
}

/** The supernet phase of a pruned row on its own (tests and tools: checks what rewind and OMP will see). */
export async function runSupernet(job: EngineJob, hooks: EngineHooks): Promise<TrainedSupernet> {
  const recipe = RECIPES[job.model]
  if (!recipe.prune) throw new Error(`${job.model} has no supernet phase`)
  return trainSupernet(newCtx(job, hooks), recipe, specFor(recipe.arch, job.config, job.data))
}

async function runPruned(ctx: Ctx, recipe: Recipe, spec: ModelSpec): Promise<EngineJobResult> {
  const { job, hooks, cfg } = ctx
  const initSeed = initSeedOf(job.seed)
  const { theta, trained, prunable, fit: superFit } = await trainSupernet(ctx, recipe, spec)
  if (prunable.length === 0) throw new Error(`${job.model}: the ${spec.kind} encoder has no prunable weights`)
  // Ratios finished before a restart keep their results; the loop continues with the next one.
  const results: ModelResult[] = ctx.saved.done.results
  const firstLayer: FirstLayerArtifact[] = ctx.saved.done.firstLayer
  // Kept in the checkpoint with the results, so a resumed job still returns every ratio's weights.
  const models = (ctx.saved.done.models ??= [])
  for (const r of [...new Set(cfg.compressions)].slice(results.length)) {
    // 4: global OMP over the encoder's weights of the trained supernet.
    hooks.onProgress({ model: job.model, seed: job.seed, compression: r, phase: 'prune', epoch: 0, totalEpochs: 0, metrics: null })
    const masks = globalMagnitudeMasks(
      prunable.map((n) => trained.get(n)!),
      r
    )
    // 5: rewind — survivors get θ† (unscaled), pruned weights 0; every other parameter restarts from θ† too.
    const sub = buildModel(spec, initSeed, null)
    try {
      applyRewind(sub, theta, prunable, masks)
      // 6: finetune with CE only, mask fixed (AdamW masks gradients and re-applies the mask), best epoch kept.
      const ft = await fitPhase(ctx, sub, 'finetune', r)
      const ev = await evaluatePhase(ctx, sub, r)
      const first = recipe.arch === 'mlp' ? prunableParams(sub)[0] : undefined
      const layer = first ? firstLayerOf(ctx, trained, first, masks[prunable.indexOf(first.name)] ?? null, r) : { firstLayer: [] }
      results.push({
        model: job.model,
        seed: job.seed,
        compression: r,
        ...ev,
        // The supernet is shared by all ratios; each ratio's time counts it once.
        trainSeconds: superFit.seconds + ft.seconds,
        supernetValAccuracy: superFit.valAccuracy,
        bestEpoch: ft.bestEpoch,
        ...(layer.locality ? { locality: layer.locality } : {})
      })
      models.push(snapshotModel(sub, spec, { model: job.model, seed: job.seed, compression: r }))
      firstLayer.push(...layer.firstLayer)
      saveCheckpoint(ctx)
    } finally {
      sub.dispose()
    }
  }
  return { results, firstLayer, models }
}

export async function runJob(job: EngineJob, hooks: EngineHooks): Promise<EngineJobResult> {
  const recipe = RECIPES[job.model]
  if (!recipe) throw new Error(`unknown model kind ${job.model}`)
  const { config: cfg, data } = job
  if (data.train.n < 2) throw new Error('the training split has fewer than 2 rows')
  const ctx = newCtx(job, hooks)
  const spec = specFor(recipe.arch, cfg, data)
  const callsBefore = kernelCalls()
  hooks.onProgress({ model: job.model, seed: job.seed, compression: 1, phase: 'prepare', epoch: 0, totalEpochs: 0, metrics: null })
  const out = recipe.prune ? await runPruned(ctx, recipe, spec) : await runUnpruned(ctx, recipe, spec)
  hooks.onProgress({ model: job.model, seed: job.seed, compression: 1, phase: 'done', epoch: 0, totalEpochs: 0, metrics: null })
  return callsBefore ? { ...out, kernelCalls: kernelCallsSince(callsBefore) } : out
}
