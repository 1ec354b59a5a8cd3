/**
 * Shared by the export round-trip tests: the CLI, a tiny training run, and the checks every bundle must pass (ONNX in
 * onnxruntime-node and the tfjs layers model in tfjs-layers both give `iunet predict`'s probabilities within 1e-5).
 */
import { afterAll, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import * as tfl from '@tensorflow/tfjs-layers'
import * as ort from 'onnxruntime-node'
import { encodeRecords, readCsvRecords } from '../../../main/data/records.ts'
import type { SerializedPreprocessor } from '../../../main/data/preprocess.ts'

const BIN = resolve('bin/iunet.mjs')
export const tmp = mkdtempSync(join(tmpdir(), 'iunet-export-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

export function iunet(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 })
}

export function readPredictions(path: string): { header: string[]; rows: string[][] } {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n')
  return { header: head.split(','), rows: lines.map((l) => l.split(',')) }
}

/** Trains, then returns the run id. */
export function train(dataDir: string, args: string[]): string {
  const r = iunet('run', ...args, '--seeds', '2', '--batch-size', '32', '--workers', '1', '--data-dir', dataDir, '-q')
  expect(r.status, r.stderr).toBe(0)
  const runs = JSON.parse(iunet('runs', '--json', '--data-dir', dataDir).stdout) as Array<{ id: string; status: string }>
  expect(runs[0].status).toBe('finished')
  return runs[0].id
}

export async function checkBundle(bundle: string, dataCsv: string, predictionsCsv: string) {
  for (const f of ['model.onnx', 'model.json', 'weights.bin', 'preprocessing.json', 'card.md']) expect(existsSync(join(bundle, f)), f).toBe(true)
  const pre = JSON.parse(readFileSync(join(bundle, 'preprocessing.json'), 'utf8')) as SerializedPreprocessor & {
    inputColumns: string[]
    classLabels: string[]
    imageShape: number[] | null
  }
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
  // The tfjs layers model loads with loadLayersModel and gives the same probabilities.
  const manifest = JSON.parse(readFileSync(join(bundle, 'model.json'), 'utf8'))
  expect(manifest.format).toBe('layers-model')
  const bin = readFileSync(join(bundle, manifest.weightsManifest[0].paths[0]))
  const loaded = await tfl.loadLayersModel(
    tf.io.fromMemory({ modelTopology: manifest.modelTopology, weightSpecs: manifest.weightsManifest[0].weights, weightData: new Uint8Array(bin).buffer })
  )
  const y = loaded.predict(tf.tensor2d(x, [n, pre.nFeatures])) as tf.Tensor
  const tfjs = (await y.data()) as Float32Array
  let worstTfjs = 0
  for (let i = 0; i < onnx.length; i++) worstTfjs = Math.max(worstTfjs, Math.abs(tfjs[i] - onnx[i]))
  expect(worstTfjs).toBeLessThan(1e-5)
  tf.dispose(y)
  loaded.dispose()
  return { pre, pred }
}

export async function useCpu() {
  await tf.setBackend('cpu')
}
