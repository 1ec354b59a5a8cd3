/**
 * The addon's kernel call counters, and what they show about real jobs: through a real worker pool (two worker
 * threads, wasm backend, iris imported as the app imports it), an IUNet job trains its pruned subnetwork on the
 * sparse kernels and a dense MLP job on the BLAS kernels. Each worker thread counts its own calls, so the two jobs
 * running side by side report only their own. Skipped with the reason only without the addon (a failure where CI
 * requires the native suite).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultRunConfig, type ModelKind, type RunConfig } from '../../../main/contract/index.ts'
import { loadSource, saveTable } from '../../../main/data/index.ts'
import { initBackend } from '../../../main/engine/backend.ts'
import { callsByFamily, kernelCalls, kernelCallsSince, nativeAddon, nativeStatus, resetKernelCalls } from '../../../main/engine/kernels/native.ts'
import { TrainingPool } from '../../../main/workers/pool.ts'
import type { TaskResult } from '../../../main/workers/protocol.ts'
import { skipSuite } from '../../helpers/suites.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const addon = nativeAddon()
// IUNET_NATIVE=0 (the wasm pass) skips on purpose; otherwise a missing addon fails where CI requires the suite.
const skip = process.env.IUNET_NATIVE === '0' || skipSuite('native', addon ? null : nativeStatus().reason)

describe.skipIf(skip)('native kernel call counters', () => {
  beforeAll(async () => {
    await initBackend('wasm')
  })

  it('count validated calls per kernel in this thread; a rejected call is not counted; reset sets them to 0', () => {
    resetKernelCalls()
    const a = new Float32Array(6)
    addon!.mulInto(a, a, new Float32Array(6))
    addon!.mulInto(a, a, new Float32Array(6))
    expect(() => addon!.mulInto(a, a, new Float32Array(5))).toThrow(/out has 5 elements/)
    addon!.sgemm(false, false, 2, 3, 1, 1, new Float32Array(2), new Float32Array(3), 0, a)
    const calls = kernelCalls()!
    expect(calls).toMatchObject({ mulInto: 2, sgemm: 1, spmmForward: 0 })
    // Every kernel the addon exports is in the table, and nothing else.
    const kernels = Object.keys(calls)
    expect(kernels.every((k) => typeof (addon as unknown as Record<string, unknown>)[k] === 'function')).toBe(true)
    expect(kernels).toEqual(expect.arrayContaining(['sgemm', 'gemmBiasAct', 'spmmForward', 'spmmBackward', 'adamwSparse', 'im2col', 'maxPool2']))
    expect(kernelCallsSince({ ...calls, mulInto: 1 })).toEqual({ mulInto: 1 })
    expect(callsByFamily(calls)).toEqual({ blas: 1, sparse: 0, conv: 0 })
    resetKernelCalls()
    expect(Object.values(kernelCalls()!).every((n) => n === 0)).toBe(true)
  })

  describe('jobs run by a worker pool report the kernels they used', () => {
    let tmp = ''
    const pool = new TrainingPool({ size: 2, backend: 'wasm' })
    afterAll(async () => {
      await pool.close()
      if (tmp) await rm(tmp, { recursive: true, force: true })
    })

    it('IUNet finetunes its pruned net on the sparse kernels; the dense MLP uses the BLAS kernels and no sparse one', async () => {
      tmp = await mkdtemp(path.join(tmpdir(), 'iunet-counters-'))
      const src = await loadSource(path.resolve(here, '../../../resources/examples/iris.csv'), {})
      await saveTable(tmp, src.table)
      const base = defaultRunConfig('quick', { kind: 'tabular', rows: src.table.rows, nFeatures: 4, imageShape: null })
      // Ratio 1/8: on average 1/8 of the weights kept, so at least one layer is below SPARSE_DENSITY (0.3).
      const config: RunConfig = { datasetId: 'iris', ...base, models: ['iunet', 'mlp'], seeds: 1, compressions: [8], epochs: 2, finetuneEpochs: 2 }
      const run = (model: ModelKind) =>
        pool.run({ kind: 'train', datasetDir: tmp, schema: src.schema, config, model, seed: 1 }).promise.then((r: TaskResult) => {
          if (r.kind !== 'train') throw new Error(`expected a train result, got ${r.kind}`)
          return r.result.kernelCalls
        })
      // Side by side, one per worker thread: each reports only its own thread's calls.
      const [iunet, mlp] = await Promise.all([run('iunet'), run('mlp')])
      console.log('kernel calls: iunet', JSON.stringify(iunet), '· mlp', JSON.stringify(mlp))
      expect(iunet, 'the worker reports kernel calls (native addon loaded in the worker)').toBeDefined()
      expect(mlp).toBeDefined()
      // spmmBackward and adamwSparse run only while a layer pruned to ≤ SPARSE_DENSITY trains: in IUNet, the finetune.
      expect(iunet!.spmmBackward).toBeGreaterThan(0)
      expect(iunet!.adamwSparse).toBeGreaterThan(0)
      expect(iunet!.spmmForward).toBeGreaterThan(0)
      // The supernet (all-ones masks) trains on BLAS before pruning.
      expect(callsByFamily(iunet!).blas).toBeGreaterThan(0)
      expect(callsByFamily(mlp!).blas).toBeGreaterThan(0)
      expect(callsByFamily(mlp!).sparse).toBe(0)
      expect(mlp!.sparsePattern ?? 0).toBe(0)
    }, 240_000)
  })
})
