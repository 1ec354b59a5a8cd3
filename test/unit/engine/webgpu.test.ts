/**
 * The WebGPU backend (Dawn in Node) on whatever adapter this machine has — in CI, Mesa's llvmpipe through Dawn's
 * OpenGL ES backend (.ci/run installs libegl1, libgles2, libgl1-mesa-dri). The same jobs run on wasm and on webgpu
 * and must predict the same class probabilities on the test rows, in two steps (tolerances below, absolute, on
 * every probability of every test row):
 * - the same weights (the wasm-trained model) predicted on both devices: within INFERENCE_TOL;
 * - each device's own training run: within TRAINING_TOL (float32 rounds differently on the two devices, and a few
 *   epochs of training carry the difference into the weights);
 * and the test accuracies may differ by at most 2 test rows (a near-tie can flip).
 * Skipped, with the reason printed, only when Dawn finds no adapter at all (a failure where CI requires the suite).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import type { ModelKind, RunConfig } from '../../../main/contract/index.ts'
import { describeBackend, initBackend, type ModuleLoader } from '../../../main/engine/backend.ts'
import { isSoftwareAdapter, openAdapter } from '../../../main/engine/kernels/webgpu.ts'
import { runJob } from '../../../main/engine/pipeline.ts'
import { defaultRunConfig, splitRange } from '../../../main/contract/index.ts'
import { predictProbabilities, type TrainedModel } from '../../../main/engine/export/trained.ts'
import type { PreparedData, SplitArrays } from '../../../main/engine/types.ts'
import { createRng } from '../../../main/lib/random.ts'
import { TrainingPool } from '../../../main/workers/pool.ts'
import { loadIris } from '../engine-method/iris.ts'
import { skipSuite } from '../../helpers/suites.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const importer: ModuleLoader = (spec) => import(spec)

let noAdapter: string | null = null
try {
  await openAdapter(importer, false)
} catch (e) {
  noAdapter = (e as Error).message
}
const gpu = skipSuite('webgpu', noAdapter) ? describe.skip : describe

/**
 * One forward pass of the same float32 weights: each logit sums at most a few hundred products, rounded at float32's
 * 6e-8 relative in a different order (and with a different exp) on each device, so a logit moves by ~1e-6 at most and
 * a softmax probability by at most a quarter of that; 1e-5 leaves margin for a real GPU's less exact exp. (llvmpipe
 * stays within ~1e-7: the test prints each max |Δp|.)
 */
const INFERENCE_TOL = 1e-5
/**
 * Two training runs, one per device, from the same seed: their first-epoch losses agree to ~1e-7 relative, and each
 * Adam step carries that float32 difference into the weights (an update divided by √v moves a weight by up to lr
 * whatever the gradient's size; batch norm's statistics add their own), for a few epochs per phase. The tabular
 * ResNet with batch norm drifts most (~2e-4 on llvmpipe, printed); 1e-3 keeps a 5× margin.
 */
const TRAINING_TOL = 1e-3

/** The first `rows` 8×8 digits (seeded shuffle), pixels / 16, 70/15/15. */
function loadDigits(rows: number): PreparedData {
  const lines = readFileSync(path.resolve(here, '../../../resources/examples/digits_8x8.csv'), 'utf8').trim().split(/\r?\n/).slice(1)
  const order = createRng(7).permutation(lines.length).subarray(0, rows)
  const parsed = Array.from(order, (i) => lines[i]!.split(',').map(Number))
  const split = (a: number, b: number): SplitArrays => {
    const part = parsed.slice(a, b)
    return { x: Float32Array.from(part.flatMap((r) => r.slice(0, 64).map((v) => v / 16))), y: Int32Array.from(part.map((r) => r[64]!)), n: part.length }
  }
  const nTrain = Math.round(rows * 0.7)
  const nVal = Math.round(rows * 0.15)
  return {
    kind: 'image',
    nFeatures: 64,
    nClasses: 10,
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    imageShape: [8, 8, 1],
    featureGroups: Array.from({ length: 64 }, (_, i) => [i, 1] as [number, number]),
    numericMask: new Uint8Array(64),
    train: split(0, nTrain),
    val: split(nTrain, nTrain + nVal),
    test: split(nTrain + nVal, rows)
  }
}

function tiny(data: PreparedData, models: ModelKind[], over: Partial<RunConfig>): RunConfig {
  const kind = data.kind
  const base = defaultRunConfig('quick', { kind, rows: data.train.n + data.val.n + data.test.n, nFeatures: data.nFeatures, imageShape: data.imageShape })
  return { datasetId: 'test', ...base, models, seeds: 1, compressions: [4], ...over }
}

interface Outcome {
  firstLoss: number
  accuracy: number
  /** The trained model (the first result row's) and its class probabilities on the test rows, on this backend. */
  model: TrainedModel
  probabilities: Float32Array
  /** tf.memory().numTensors after each epoch, per phase. */
  numTensors: Map<string, number[]>
}

async function train(backend: 'wasm' | 'webgpu', model: ModelKind, data: PreparedData, config: RunConfig): Promise<Outcome> {
  await initBackend(backend)
  expect(tf.getBackend()).toBe(backend)
  const losses: number[] = []
  const numTensors = new Map<string, number[]>()
  const r = await runJob(
    { model, seed: 1, config, data },
    {
      onProgress: (p) => {
        if (!p.metrics) return
        losses.push(p.metrics.trainLoss)
        const key = `${p.phase}/${p.compression}`
        numTensors.set(key, [...(numTensors.get(key) ?? []), tf.memory().numTensors])
      },
      isCancelled: () => false
    }
  )
  const trained = r.models![0]!
  return {
    firstLoss: losses[0]!,
    accuracy: r.results[0]!.accuracy,
    numTensors,
    model: trained,
    probabilities: predictProbabilities(trained, splitRange(data.test, 0, data.test.n), data.test.n)
  }
}

/** The largest |a[i] − b[i]|. */
function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}

/** Runs on wasm then on webgpu and checks that they predict the same probabilities (see the top of the file). */
async function agree(model: ModelKind, data: PreparedData, config: RunConfig) {
  const wasm = await train('wasm', model, data, config)
  const webgpu = await train('webgpu', model, data, config)
  // Still on webgpu: the wasm-trained weights, predicted here.
  const sameWeights = maxAbsDiff(predictProbabilities(wasm.model, splitRange(data.test, 0, data.test.n), data.test.n), wasm.probabilities)
  const trained = maxAbsDiff(webgpu.probabilities, wasm.probabilities)
  console.log(
    `${model}: max |Δp| same weights ${sameWeights.toExponential(2)}, each trained on its device ${trained.toExponential(2)} (${data.test.n} test rows); first-epoch loss wasm ${wasm.firstLoss.toFixed(6)} webgpu ${webgpu.firstLoss.toFixed(6)}; accuracy ${wasm.accuracy.toFixed(4)} vs ${webgpu.accuracy.toFixed(4)}`
  )
  expect(Number.isFinite(webgpu.firstLoss)).toBe(true)
  expect(sameWeights).toBeLessThanOrEqual(INFERENCE_TOL)
  expect(trained).toBeLessThanOrEqual(TRAINING_TOL)
  expect(Math.abs(webgpu.accuracy - wasm.accuracy) * data.test.n).toBeLessThanOrEqual(2 + 1e-9)
  // No tensor leaks from one epoch to the next on webgpu (tf.memory() flat within each phase).
  for (const [phase, t] of webgpu.numTensors) expect({ phase, last: t[t.length - 1] }).toEqual({ phase, last: t[0] })
  return { wasm, webgpu }
}

gpu('webgpu backend (forced; a software adapter is fine here)', () => {
  it('initializes, reports its adapter and computes (sync reads included)', async () => {
    const info = await initBackend('webgpu')
    expect(info.name).toBe('webgpu')
    expect(info.adapter).toBeDefined()
    expect(info.adapter!.software).toBe(isSoftwareAdapter(info.adapter!))
    expect(describeBackend(info)).toMatch(/^webgpu .*adapter /)
    const y = tf.matMul(
      tf.tensor2d([
        [1, 2],
        [3, 4]
      ]),
      tf.tensor2d([
        [5, 6],
        [7, 8]
      ])
    )
    expect(Array.from(y.dataSync())).toEqual([19, 22, 43, 50])
    expect(Array.from(await tf.sum(y).data())).toEqual([134])
  })

  it('auto never picks a software adapter', async () => {
    const info = await initBackend('auto')
    const forced = await initBackend('webgpu')
    if (forced.adapter!.software) {
      expect(info.name).not.toBe('webgpu')
      const skip = info.skipped.find((s) => s.name === 'webgpu')
      expect(skip?.reason).toMatch(/only a software adapter: .*used only when forced/)
    } else expect(info.name === 'webgpu' || info.name === 'tensorflow-gpu').toBe(true)
  })

  it('iris MLP and tabular ResNet agree with wasm', async () => {
    const data = loadIris(1)
    const config = tiny(data, ['mlp', 'resnet'], { epochs: 3, finetuneEpochs: 3, depth: 2, width: 32, batchSize: 32 })
    await agree('mlp', data, config)
    await agree('resnet', data, config)
  }, 120_000)

  it('8×8 digits MLP and IUNet (ILO, pruning) agree with wasm', async () => {
    const data = loadDigits(240)
    const config = tiny(data, ['mlp', 'iunet'], { epochs: 2, finetuneEpochs: 2, depth: 2, width: 64, batchSize: 64 })
    await agree('mlp', data, config)
    await agree('iunet', data, config)
  }, 240_000)

  it('8×8 digits CNN and ResNet agree with wasm', async () => {
    const data = loadDigits(180)
    const config = tiny(data, ['cnn', 'resnet'], { epochs: 2, finetuneEpochs: 2, batchSize: 64 })
    await agree('cnn', data, config)
    await agree('resnet', data, config)
  }, 240_000)

  it('training workers load Dawn in their worker_threads; webgpu gets a single worker by default', async () => {
    const pool = new TrainingPool({ backend: 'webgpu' })
    try {
      expect(pool.size).toBe(1)
      const info = await pool.backendInfo()
      expect(info).toMatchObject({ name: 'webgpu', workers: 1 })
      expect(info.adapter).toBeDefined()
      const r = await pool.run({ kind: 'probe', steps: 2, delayMs: 1 }).promise
      // ones(8×8) · fill(8×8, 2) summed = 8·8·8·2, read back synchronously inside the worker.
      if (r.kind === 'probe') expect(r.result).toEqual({ steps: 2, checksum: 1024 })
    } finally {
      await pool.close()
    }
  }, 60_000)
})
