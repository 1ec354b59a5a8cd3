/**
 * Checkpoints inside the engine: a job stopped at any batch (and saved through the real file codec) and resumed
 * — several times — ends with results bit-identical to a job that never stopped.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import '../../../main/engine/tfgrad/register.ts'
import { initBackend } from '../../../main/engine/backend.ts'
import { runJob } from '../../../main/engine/pipeline.ts'
import { defaultRunConfig } from '../../../main/contract/index.ts'
import { createRng, fork } from '../../../main/lib/random.ts'
import { CancelledError, type CheckpointHooks, type EngineJobResult, type EngineHooks } from '../../../main/engine/types.ts'
import type { ModelKind, ModelResult, RunConfig } from '../../../main/contract/index.ts'
import { decodeCheckpoint, encodeCheckpoint, loadTaskCheckpoint, saveTaskCheckpoint } from '../../../main/workers/checkpoint.ts'
import { loadIris } from '../engine-method/iris.ts'

const data = loadIris(1)
const config: RunConfig = {
  datasetId: 'iris',
  ...defaultRunConfig('quick', { kind: 'tabular', rows: 150, nFeatures: 4, imageShape: null }),
  depth: 1,
  width: 16,
  epochs: 12,
  finetuneEpochs: 12,
  compressions: [4, 8]
}
const dirs: string[] = []

beforeAll(async () => {
  await initBackend('wasm')
})
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

/** Everything but wall-clock timings. */
function numbers(r: EngineJobResult) {
  const strip = ({ trainSeconds: _t, inferenceMsPerExample: _l, ...rest }: ModelResult) => rest
  return { results: r.results.map(strip), firstLayer: r.firstLayer }
}

async function uninterrupted(model: ModelKind): Promise<EngineJobResult> {
  return runJob({ model, seed: 3, config, data }, { onProgress: () => {}, isCancelled: () => false })
}

/** Runs the job, stopping it after a random number of batches each time, until it finishes. */
async function withStops(model: ModelKind, dir: string, rngSeed: number): Promise<{ result: EngineJobResult; stops: number }> {
  const rng = createRng(rngSeed)
  let stops = 0
  for (;;) {
    let polls = 0
    const stopAt = 1 + rng.int(40)
    const checkpoint: CheckpointHooks = {
      load: () => loadTaskCheckpoint(dir),
      save: (c) => saveTaskCheckpoint(dir, c),
      everyEpochs: 3,
      stopRequested: () => ++polls >= stopAt
    }
    const hooks: EngineHooks = { onProgress: () => {}, isCancelled: () => false, checkpoint }
    try {
      const result = await runJob({ model, seed: 3, config, data }, hooks)
      return { result, stops }
    } catch (e) {
      if (!(e instanceof CancelledError)) throw e
      stops++
      expect(readdirSync(dir)).toEqual(['state.ckpt'])
    }
  }
}

describe('task checkpoints', () => {
  it('round-trips typed arrays, maps and non-finite numbers exactly', () => {
    const v = {
      a: Float32Array.from([1.1, -0, 3e-39]),
      m: new Map([['w', Int32Array.from([1, -2])]]),
      u: Uint8Array.from([0, 1]),
      inf: -Infinity,
      n: [0.1, null, 'x']
    }
    const back = decodeCheckpoint(encodeCheckpoint(v)) as typeof v
    expect(Array.from(back.a)).toEqual(Array.from(v.a))
    expect(Object.is(back.a[1], -0)).toBe(true)
    expect(back.a).toBeInstanceOf(Float32Array)
    expect(Array.from(back.m.get('w')!)).toEqual([1, -2])
    expect(back.u).toBeInstanceOf(Uint8Array)
    expect(back.inf).toBe(-Infinity)
    expect(back.n).toEqual([0.1, null, 'x'])
  })

  it('restores an RNG stream bit for bit (including the Gaussian spare)', () => {
    const a = fork(7, 'x')
    a.normal()
    const snap = a.snapshot()
    const expected = [a.next(), a.normal(), a.normal(), a.int(1000)]
    const b = fork(1, 'other')
    b.restore(snap)
    expect([b.next(), b.normal(), b.normal(), b.int(1000)]).toEqual(expected)
  })

  it('saves inside a phase every everyEpochs epochs, but not sooner than minSeconds after the last save', async () => {
    const inPhaseSaves = async (minSeconds: number) => {
      let saves = 0
      const checkpoint: CheckpointHooks = { load: () => null, save: (c) => void (c.fit && saves++), everyEpochs: 1, minSeconds, stopRequested: () => false }
      await runJob({ model: 'mlp', seed: 3, config, data }, { onProgress: () => {}, isCancelled: () => false, checkpoint })
      return saves
    }
    // The dense MLP trains one phase of epochs + finetuneEpochs: a save after every epoch but the last.
    expect(await inPhaseSaves(0)).toBe(config.epochs + config.finetuneEpochs - 1)
    // The whole phase takes far less than an hour: no save inside it (the phase's end is the caller's).
    expect(await inPhaseSaves(3600)).toBe(0)
  })

  for (const model of ['iunet', 'mlp'] as const) {
    it(`${model}: stopped at random batches and resumed, the results equal an uninterrupted job's`, async () => {
      const reference = await uninterrupted(model)
      const dir = mkdtempSync(join(tmpdir(), 'iunet-ck-'))
      dirs.push(dir)
      const { result, stops } = await withStops(model, dir, model === 'iunet' ? 11 : 12)
      expect(stops).toBeGreaterThanOrEqual(3)
      expect(numbers(result)).toEqual(numbers(reference))
    }, 60_000)
  }
})
