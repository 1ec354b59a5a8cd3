import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import '../../../main/engine/tfgrad/register.ts'
import { initBackend } from '../../../main/engine/backend.ts'
import { prunableParams } from '../../../main/engine/evaluate.ts'
import { fit } from '../../../main/engine/fit.ts'
import { applyRewind, buildModel, initSeedOf, pisWeights, runJob, runSupernet } from '../../../main/engine/pipeline.ts'
import { defaultRunConfig } from '../../../main/contract/index.ts'
import { globalMagnitudeMasks, keepCount } from '../../../main/engine/prune.ts'
import { fork } from '../../../main/lib/random.ts'
import { CancelledError, type EngineHooks, type EngineProgress } from '../../../main/engine/types.ts'
import type { RunConfig } from '../../../main/contract/index.ts'
import { loadIris } from './iris.ts'

const data = loadIris(1)
const quick: RunConfig = { datasetId: 'iris', ...defaultRunConfig('quick', { kind: 'tabular', rows: 150, nFeatures: 4, imageShape: null }) }
const silent: EngineHooks = { onProgress: () => {}, isCancelled: () => false }
const spec = { kind: 'mlp' as const, inputs: 4, classes: 3, depth: 2, width: 32 }

beforeAll(async () => {
  await initBackend('wasm')
})

describe('PIS and rewind on a real model', () => {
  it('κ scales θ† weights only (biases and projection head untouched)', () => {
    const m = buildModel(spec, initSeedOf(1), { hidden: 8, out: 4 })
    try {
      const theta = m.getWeights()
      const scaled = pisWeights(theta, m.params, 0.125)
      for (const p of m.params) {
        const a = theta.get(p.name)!
        const b = scaled.get(p.name)!
        const k = p.kind === 'weight' && p.group !== 'projection' ? 0.125 : 1
        a.forEach((v, i) => expect(b[i]).toBeCloseTo(k * v, 7))
      }
      expect(m.params.some((p) => p.group === 'head' && p.kind === 'weight')).toBe(true)
      // OMP ranks only the encoder's weight matrices: never the classifier, biases or the projection head.
      expect(prunableParams(m).map((p) => p.name)).toEqual(['layer0/w', 'layer1/w'])
    } finally {
      m.dispose()
    }
  })

  it('rewind gives θ† (unscaled) on survivors and 0 on pruned weights; masks stay zero through finetuning', async () => {
    const before = tf.memory().numTensors
    const sub = buildModel(spec, initSeedOf(2), null)
    try {
      const theta = sub.getWeights()
      // Pretend-trained weights: θ† perturbed, so the mask differs from θ†'s own ranking.
      const trained = new Map([...theta].map(([k, v]) => [k, v.map((x, i) => x + Math.sin(i))]))
      const names = prunableParams(sub).map((p) => p.name)
      expect(names).toEqual(['layer0/w', 'layer1/w'])
      const masks = globalMagnitudeMasks(
        names.map((n) => trained.get(n)!),
        8
      )
      applyRewind(sub, theta, names, masks)
      const w = sub.getWeights()
      names.forEach((n, t) => w.get(n)!.forEach((v, i) => expect(v).toBe(masks[t][i] ? theta.get(n)![i] : 0)))
      expect(Array.from(w.get('head/w')!)).toEqual(Array.from(theta.get('head/w')!))
      await fit({
        model: sub,
        train: data.train,
        val: data.val,
        shape: (n) => [n, 4],
        epochs: 3,
        batchSize: 16,
        learningRate: 0.01,
        weightDecay: 0.01,
        patience: 0,
        standard: null,
        ilo: null,
        keepBest: true,
        shuffleRng: fork(1, 's'),
        augmentRng: fork(1, 'a'),
        hooks: silent,
        report: { model: 'omp', seed: 1, compression: 8, phase: 'finetune' }
      })
      const after = sub.getWeights()
      let moved = 0
      names.forEach((n, t) =>
        after.get(n)!.forEach((v, i) => {
          if (!masks[t][i]) expect(v).toBe(0)
          else if (v !== theta.get(n)![i]) moved++
        })
      )
      expect(moved).toBeGreaterThan(0)
    } finally {
      sub.dispose()
    }
    expect(tf.memory().numTensors).toBe(before)
  })
})

describe('supernet phase', () => {
  it('keeps θ† UNSCALED for the rewind while the supernet itself starts from κ·θ† (PIS) — and OMP/no-PIS from θ†', async () => {
    // A learning rate of 1e-9 leaves the supernet at its starting point, which exposes it.
    const cfg = { ...quick, depth: 2, width: 32, epochs: 1, learningRate: 1e-9 }
    const fresh = buildModel(spec, initSeedOf(5), null)
    const ref = fresh.getWeights()
    fresh.dispose()
    for (const [model, k] of [
      ['iunet', 0.125],
      ['no-ilo', 0.125],
      ['omp', 1],
      ['no-pis', 1]
    ] as const) {
      const s = await runSupernet({ model, seed: 5, config: cfg, data }, silent)
      expect(s.prunable).toEqual(['layer0/w', 'layer1/w'])
      for (const [name, v] of ref) {
        expect(Array.from(s.theta.get(name)!)).toEqual(Array.from(v))
        const trained = s.trained.get(name)!
        const scale = name.endsWith('/w') ? k : 1
        v.forEach((x, i) => expect(trained[i]).toBeCloseTo(scale * x, 5))
      }
      // ILO rows carry a projection head during supernet training, CE rows do not.
      expect([...s.trained.keys()].some((n) => n.startsWith('proj'))).toBe(model === 'iunet' || model === 'no-pis')
    }
  })
})

describe('runJob end to end on iris (quick preset)', () => {
  it('IUNet: pruned encoder keeps exactly 1/r, head and biases dense, accuracy well above chance, no leaks', async () => {
    const events: EngineProgress[] = []
    const before = tf.memory().numTensors
    const out = await runJob({ model: 'iunet', seed: 1, config: quick, data }, { onProgress: (p) => events.push(p), isCancelled: () => false })
    expect(tf.memory().numTensors).toBe(before)
    expect(out.results).toHaveLength(1)
    const r = out.results[0]
    expect(r.compression).toBe(8)
    const prunable = r.layers.filter((l) => l.prunable)
    const total = prunable.reduce((s, l) => s + l.total, 0)
    expect(total).toBe(4 * 256 + 256 * 256)
    expect(prunable.reduce((s, l) => s + l.nonzero, 0)).toBe(keepCount(total, 8))
    for (const l of r.layers.filter((x) => !x.prunable)) expect(l.nonzero).toBe(l.total)
    expect(r.layers.map((l) => l.name)).toContain('head/w')
    expect(r.layers.some((l) => l.name.startsWith('proj'))).toBe(false)
    expect(r.nonzeroParams).toBe(r.params - total + keepCount(total, 8))
    expect(r.flopsSparse).toBeLessThan(r.flopsDense / 4)
    // Chance is 1/3; a fitted supernet and a working subnetwork are both far above it.
    expect(r.accuracy).toBeGreaterThan(0.8)
    expect(r.balancedAccuracy).toBeGreaterThan(0.8)
    expect(r.supernetValAccuracy).toBeGreaterThan(0.7)
    expect(r.invariancePrediction).toBeGreaterThanOrEqual(0)
    expect(r.invariancePrediction).toBeLessThanOrEqual(1)
    expect(r.invarianceRepresentation).toBeLessThanOrEqual(1 + 1e-6)
    expect(r.bestEpoch).toBeGreaterThanOrEqual(1)
    expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(data.test.n)
    // Progress: supernet epochs with the contrastive part, then prune, finetune epochs without it.
    const sup = events.filter((e) => e.phase === 'supernet' && e.metrics)
    const ft = events.filter((e) => e.phase === 'finetune' && e.metrics)
    expect(sup).toHaveLength(quick.epochs)
    expect(sup.every((e) => e.metrics!.contrastiveLoss !== null)).toBe(true)
    expect(ft).toHaveLength(quick.finetuneEpochs)
    expect(ft.every((e) => e.metrics!.contrastiveLoss === null)).toBe(true)
    expect(events.findIndex((e) => e.phase === 'prune')).toBeGreaterThan(events.indexOf(sup[sup.length - 1]))
    // First-layer artifact: ≤ 64 units × 4 inputs, most connected first.
    const a = out.firstLayer[0]
    expect(a.units).toBe(64)
    expect(a.weights).toHaveLength(64 * 4)
    const degree = Array.from({ length: a.units }, (_, u) => a.mask.slice(u * 4, u * 4 + 4).reduce((s, v) => s + v, 0))
    for (let u = 1; u < degree.length; u++) expect(degree[u]).toBeLessThanOrEqual(degree[u - 1])
  })

  it('the same seed gives the same result twice (ILO, pruning at two ratios, finetuning)', async () => {
    const cfg = { ...quick, epochs: 4, finetuneEpochs: 3, compressions: [4, 16] }
    const losses = (ev: EngineProgress[]) => ev.filter((e) => e.metrics).map((e) => [e.metrics!.trainLoss, e.metrics!.valLoss, e.metrics!.contrastiveLoss])
    const ea: EngineProgress[] = []
    const eb: EngineProgress[] = []
    const a = await runJob({ model: 'iunet', seed: 3, config: cfg, data }, { onProgress: (p) => ea.push(p), isCancelled: () => false })
    const b = await runJob({ model: 'iunet', seed: 3, config: cfg, data }, { onProgress: (p) => eb.push(p), isCancelled: () => false })
    const strip = (r: (typeof a.results)[number]) => ({ ...r, trainSeconds: 0, inferenceMsPerExample: 0 })
    expect(a.results.map(strip)).toEqual(b.results.map(strip))
    expect(a.firstLayer).toEqual(b.firstLayer)
    expect(losses(ea)).toEqual(losses(eb))
    expect(a.results.map((r) => r.compression)).toEqual([4, 16])
    // One supernet for both ratios: its epochs are reported once.
    expect(ea.filter((e) => e.phase === 'supernet' && e.metrics)).toHaveLength(4)
    expect(a.results[0].supernetValAccuracy).toBe(a.results[1].supernetValAccuracy)
  })

  it('the dense MLP trains epochs + finetuneEpochs and is unpruned', async () => {
    const cfg = { ...quick, epochs: 3, finetuneEpochs: 2 }
    const events: EngineProgress[] = []
    const a = await runJob({ model: 'mlp', seed: 3, config: cfg, data }, { onProgress: (p) => events.push(p), isCancelled: () => false })
    expect(events.filter((e) => e.phase === 'train' && e.metrics)).toHaveLength(5)
    expect(a.results[0].nonzeroParams).toBe(a.results[0].params)
    expect(a.results[0].supernetValAccuracy).toBeNull()
    expect(a.firstLayer[0].mask.every((v) => v === 1)).toBe(true)
  })

  it('early stopping: stops `patience` epochs after the best validation epoch and keeps that epoch', async () => {
    const cfg = { ...quick, epochs: 100, finetuneEpochs: 100, patience: 3 }
    const events: EngineProgress[] = []
    const a = await runJob({ model: 'mlp', seed: 2, config: cfg, data }, { onProgress: (p) => events.push(p), isCancelled: () => false })
    const epochs = events.filter((e) => e.metrics).map((e) => e.metrics!)
    expect(epochs.length).toBeLessThan(200)
    const best = a.results[0].bestEpoch
    expect(epochs.length - best).toBe(3)
    const bestVal = Math.max(...epochs.map((m) => m.valAccuracy))
    expect(epochs[best - 1].valAccuracy).toBe(bestVal)
  })

  it('cancellation throws CancelledError and frees every tensor', async () => {
    const before = tf.memory().numTensors
    let polls = 0
    await expect(runJob({ model: 'iunet', seed: 1, config: quick, data }, { onProgress: () => {}, isCancelled: () => ++polls > 20 })).rejects.toBeInstanceOf(
      CancelledError
    )
    expect(tf.memory().numTensors).toBe(before)
  })
})
