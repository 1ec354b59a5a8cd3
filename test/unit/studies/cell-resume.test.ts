/**
 * A Slurm cell that survives kill -9 (the cell-side twin of services/resume.test.ts): `iunet study task DIR 0` is
 * killed with SIGKILL at random moments (≥ 5 times, 1–12 epochs in, then 0–40 ms), then run to the end. Checked:
 *  - its results and first-layer artifacts equal (timings aside) those of an uninterrupted `iunet study task` of the
 *    same cell in a second folder of the same study;
 *  - every epoch it kept is the uninterrupted cell's (timings aside), each once; an epoch whose report was in flight
 *    when the process died may be missing (the checkpoint was already past it), so at most one per kill;
 *  - the finished cell leaves no checkpoints, partial results or error file behind, and its result file is whole.
 * The cell is a 2-fold × 1-seed cell of IUNet (two ratios) and the dense MLP on iris: fold checkpoint folders too.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type EpochMetrics, type FirstLayerArtifact, type ModelResult, resultKey, taskKey } from '../../../main/contract/index.ts'
import { createServices } from '../../../main/services/index.ts'
import type { CellResult } from '../../../main/services/studyFolder.ts'

const BIN = resolve('bin/iunet.mjs')
const ENV = { ...process.env, IUNET_CHECKPOINT_EVERY: '2' }
const tmp = mkdtempSync(join(tmpdir(), 'iunet-cell-resume-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const spec = {
  name: 'cell resume',
  datasets: [{ path: resolve('resources/examples/iris.csv') }],
  models: ['iunet' as const, 'mlp' as const],
  seeds: 1,
  settings: { epochs: 40, finetuneEpochs: 40, width: 16, depth: 1, patience: 0, compressions: [4, 8], split: { kfold: 2 } }
}

const task = (dir: string) => spawn(process.execPath, [BIN, 'study', 'task', dir, '0', '--workers', '1'], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] })
const exited = (child: ReturnType<typeof task>) =>
  new Promise<number | null>((res) => {
    if (child.exitCode !== null || child.signalCode !== null) res(child.exitCode)
    else child.once('exit', (code) => res(code))
  })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
}

/** Epochs the cell has kept so far: its epoch logs' lines and its finished tasks' epochs. */
function epochsKept(dir: string): number {
  let n = 0
  for (const f of filesUnder(join(dir, 'checkpoints'))) if (f.endsWith('epochs.jsonl')) n += readFileSync(f, 'utf8').split('\n').filter(Boolean).length
  for (const f of filesUnder(join(dir, 'partial'))) {
    try {
      n += (JSON.parse(readFileSync(f, 'utf8')) as { epochs: unknown[] }).epochs.length
    } catch {
      // a temp file being written
    }
  }
  return n
}

const untimed = ({ trainSeconds: _t, inferenceMsPerExample: _i, ...r }: ModelResult) => r
const epochKey = (m: EpochMetrics) => `${taskKey(m)}@${m.compression}|${m.phase}|${m.epoch}`
const untimedEpoch = ({ seconds: _s, ...m }: EpochMetrics) => m
const layerKey = (a: FirstLayerArtifact) => resultKey(a)

describe('a Slurm cell killed with SIGKILL', () => {
  it("continues from its checkpoints to the uninterrupted cell's results", async () => {
    const services = createServices({ dataDir: join(tmp, 'data'), transport: 'websocket', workers: 1 })
    try {
      await services.writeStudyFolder(join(tmp, 'ref'), spec)
      await services.writeStudyFolder(join(tmp, 'killed'), spec)
    } finally {
      await services.close()
    }
    const ref = task(join(tmp, 'ref'))
    expect(await exited(ref)).toBe(0)
    const expected = JSON.parse(readFileSync(join(tmp, 'ref', 'results', '0.json'), 'utf8')) as CellResult
    expect(expected.results).toHaveLength(2 * (2 + 1))

    const dir = join(tmp, 'killed')
    const seed = Number(process.env.KILL_SEED ?? Date.now() % 100000)
    let state = seed
    const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296
    const log: string[] = []
    let kills = 0
    for (let attempt = 0; kills < 5 && attempt < 20; attempt++) {
      const before = epochsKept(dir)
      const child = task(dir)
      const want = 1 + Math.floor(random() * 12)
      let done = false
      void exited(child).then(() => (done = true))
      while (!done && epochsKept(dir) < before + want) await sleep(10)
      if (!done) await sleep(Math.floor(random() * 40))
      if (done) {
        log.push(`attempt ${attempt}: finished before the kill`)
        break
      }
      child.kill('SIGKILL')
      await exited(child)
      kills++
      log.push(`kill ${kills}: ${epochsKept(dir) - before} epochs on`)
      expect(existsSync(join(dir, 'results', '0.json')), 'no result file before the cell finished').toBe(false)
    }
    expect(kills, `kill seed ${seed}: ${log.join('; ')}`).toBeGreaterThanOrEqual(5)

    const last = task(dir)
    let err = ''
    last.stderr.on('data', (b: Buffer) => (err += b.toString()))
    expect(await exited(last), err).toBe(0)
    const got = JSON.parse(readFileSync(join(dir, 'results', '0.json'), 'utf8')) as CellResult

    const why = `kill seed ${seed}: ${log.join('; ')}`
    const byKey = <T>(xs: T[], key: (x: T) => string) => [...xs].sort((a, b) => key(a).localeCompare(key(b)))
    expect(byKey(got.results, resultKey).map(untimed), why).toEqual(byKey(expected.results, resultKey).map(untimed))
    expect(byKey(got.firstLayer, layerKey), why).toEqual(byKey(expected.firstLayer, layerKey))
    expect(got.classNames).toEqual(expected.classNames)

    const reference = new Map(expected.epochs.map((m) => [epochKey(m), untimedEpoch(m)]))
    const keys = got.epochs.map(epochKey)
    expect(new Set(keys).size, 'each epoch once').toBe(keys.length)
    for (const m of got.epochs) expect(untimedEpoch(m), epochKey(m)).toEqual(reference.get(epochKey(m)))
    expect(expected.epochs.length - got.epochs.length, why).toBeLessThanOrEqual(kills)

    expect(filesUnder(join(dir, 'checkpoints'))).toEqual([])
    expect(filesUnder(join(dir, 'partial'))).toEqual([])
    expect(readdirSync(join(dir, 'results'))).toEqual(['0.json'])
  }, 240_000)
})
