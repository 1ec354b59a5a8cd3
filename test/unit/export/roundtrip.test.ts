/**
 * `iunet run` → `iunet export` → `iunet predict` end to end, on a tabular (iris) and an image dataset (digits 8×8),
 * with tiny settings. The bundle's ONNX file run in onnxruntime-node gives the app's probabilities within 1e-5, the
 * tfjs weights manifest decodes with tfjs-core, and bad input files exit with code 2 and a clear message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as ort from 'onnxruntime-node'
import { encodeRecords, readCsvRecords } from '../../../main/data/records.ts'
import type { SerializedPreprocessor } from '../../../main/data/preprocess.ts'

const BIN = resolve('bin/iunet.mjs')
const tmp = mkdtempSync(join(tmpdir(), 'iunet-export-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

function iunet(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 })
}

function readPredictions(path: string): { header: string[]; rows: string[][] } {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n')
  return { header: head.split(','), rows: lines.map((l) => l.split(',')) }
}

/** Trains, then returns the run id. */
function train(dataDir: string, args: string[]): string {
  const r = iunet('run', ...args, '--seeds', '2', '--batch-size', '32', '--workers', '1', '--data-dir', dataDir, '-q')
  expect(r.status, r.stderr).toBe(0)
  const runs = JSON.parse(iunet('runs', '--json', '--data-dir', dataDir).stdout) as Array<{ id: string; status: string }>
  expect(runs[0].status).toBe('finished')
  return runs[0].id
}

async function checkBundle(bundle: string, dataCsv: string, predictionsCsv: string) {
  for (const f of ['model.onnx', 'model.json', 'weights.bin', 'preprocessing.json', 'card.md']) expect(existsSync(join(bundle, f)), f).toBe(true)
  const pre = JSON.parse(readFileSync(join(bundle, 'preprocessing.json'), 'utf8')) as SerializedPreprocessor & { inputColumns: string[]; classLabels: string[]; imageShape: number[] | null }
  const { columns, records } = await readCsvRecords(dataCsv)
  const { x } = encodeRecords(pre, columns, records)
  const n = records.length
  const k = pre.classLabels.length
  // ONNX in onnxruntime-node vs the app's own engine (what `iunet predict` wrote).
  const session = await ort.InferenceSession.create(join(bundle, 'model.onnx'))
  const out = await session.run({ input: new ort.Tensor('float32', x, [n, pre.nFeatures]) })
  const onnx = out.probabilities.data as Float32Array
  const pred = readPredictions(predictionsCsv)
  expect(pred.header).toEqual(['predicted', ...pre.classLabels.map((c) => `p_${c}`)])
  expect(pred.rows.length).toBe(n)
  let worst = 0
  pred.rows.forEach((row, i) => {
    const p = row.slice(1).map(Number)
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5)
    expect(row[0]).toBe(pre.classLabels[p.indexOf(Math.max(...p))])
    for (let j = 0; j < k; j++) worst = Math.max(worst, Math.abs(p[j] - onnx[i * k + j]))
  })
  expect(worst).toBeLessThan(1e-5)
  // The tfjs weights manifest decodes with tfjs-core into the tensors the manifest lists.
  const manifest = JSON.parse(readFileSync(join(bundle, 'model.json'), 'utf8'))
  const specs = manifest.weightsManifest[0].weights as Array<{ name: string; shape: number[] }>
  const bin = readFileSync(join(bundle, manifest.weightsManifest[0].paths[0]))
  const named = tf.io.decodeWeights(new Uint8Array(bin).buffer, manifest.weightsManifest[0].weights)
  for (const s of specs) expect(named[s.name].shape).toEqual(s.shape)
  expect(Object.keys(named).length).toBe(specs.length)
  tf.dispose(Object.values(named))
  return { pre, pred }
}

describe('export and predict round trip', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu')
  })

  it('tabular (iris): iunet pruned ×4 and the dense MLP', async () => {
    const dataDir = join(tmp, 'tab')
    const runId = train(dataDir, ['--data', 'resources/examples/iris.csv', '--models', 'iunet,mlp', '--epochs', '4', '--finetune-epochs', '3', '--compression', '4', '--width', '16', '--depth', '2'])
    // Every trained (model, seed, ratio) keeps its weights.
    const stored = readdirSync(join(dataDir, 'runs', runId, 'models')).sort()
    expect(stored).toEqual(['iunet__seed0__r4', 'iunet__seed1__r4', 'mlp__seed0__r1', 'mlp__seed1__r1'])
    for (const [model, ratio] of [['iunet', '4'], ['mlp', '1']]) {
      const bundle = join(tmp, `tab-${model}`)
      const e = iunet('export', '--run', runId.slice(0, 8), '--model', model, '--seed', '1', '--ratio', ratio, '--out', bundle, '--data-dir', dataDir)
      expect(e.status, e.stderr).toBe(0)
      const predictions = join(tmp, `tab-${model}.csv`)
      const p = iunet('predict', '--model', bundle, '--data', 'resources/examples/iris.csv', '--out', predictions, '--data-dir', dataDir)
      expect(p.status, p.stderr).toBe(0)
      const { pre, pred } = await checkBundle(bundle, 'resources/examples/iris.csv', predictions)
      expect(pre.inputColumns).toEqual(['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)'])
      // Trained weights, not the initial ones: the dense MLP (9 epochs) gets most iris rows right. (IUNet's tiny
      // budget here leaves it near chance; its agreement with the app is what the ONNX check above covers.)
      const truth = readFileSync('resources/examples/iris.csv', 'utf8').trim().split('\n').slice(1).map((l) => l.trim().split(',').at(-1))
      if (model === 'mlp') expect(pred.rows.filter((r, i) => r[0] === truth[i]).length / truth.length).toBeGreaterThan(0.5)
      const card = readFileSync(join(bundle, 'card.md'), 'utf8')
      expect(card).toMatch(/accuracy \| \d+\.\d % \| \d+\.\d ± \d+\.\d % \(n = 2\)/)
      expect(card).toMatch(/non-zero/)
    }
    // Bad input: a missing column and a value of the wrong type → exit 2 and a message naming the problem.
    const missing = join(tmp, 'missing.csv')
    writeFileSync(missing, 'sepal length (cm),sepal width (cm),petal length (cm)\n5.1,3.5,1.4\n')
    const m = iunet('predict', '--model', join(tmp, 'tab-mlp'), '--data', missing, '--data-dir', dataDir)
    expect(m.status).toBe(2)
    expect(m.stderr).toMatch(/lacks 1 column.*"petal width \(cm\)"/)
    const wrong = join(tmp, 'wrong.csv')
    writeFileSync(wrong, 'sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n5.1,3.5,1.4,wide\n')
    const w = iunet('predict', '--model', join(tmp, 'tab-mlp'), '--data', wrong, '--data-dir', dataDir)
    expect(w.status).toBe(2)
    expect(w.stderr).toMatch(/row 1, column "petal width \(cm\)": "wide" is not a number/)
    expect(w.stderr).not.toMatch(/\n\s+at /)
    // An unknown model / ratio is a clear error too.
    const bad = iunet('export', '--run', runId, '--model', 'iunet', '--ratio', '16', '--out', join(tmp, 'x'), '--data-dir', dataDir)
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/no ratio 16; stored ratios: 4/)
  })

  it('images (digits 8×8): MLP and CNN', async () => {
    const dataDir = join(tmp, 'img')
    const sample = join(tmp, 'digits-head.csv')
    // A few hundred rows keep the CNN quick.
    writeFileSync(sample, readFileSync('resources/examples/digits_8x8.csv', 'utf8').split('\n').slice(0, 401).join('\n') + '\n')
    const runId = train(dataDir, ['--data', sample, '--shape', '8x8x1', '--models', 'mlp,cnn', '--epochs', '2', '--width', '16', '--depth', '1'])
    for (const model of ['mlp', 'cnn']) {
      const bundle = join(tmp, `img-${model}`)
      const e = iunet('export', '--run', runId, '--model', model, '--seed', '0', '--out', bundle, '--data-dir', dataDir)
      expect(e.status, e.stderr).toBe(0)
      const predictions = join(tmp, `img-${model}.csv`)
      const p = iunet('predict', '--model', bundle, '--data', sample, '--out', predictions, '--data-dir', dataDir)
      expect(p.status, p.stderr).toBe(0)
      const { pre } = await checkBundle(bundle, sample, predictions)
      expect(pre.imageShape).toEqual([8, 8, 1])
      expect(pre.inputColumns[9]).toBe('px_1_1')
    }
  })
})
