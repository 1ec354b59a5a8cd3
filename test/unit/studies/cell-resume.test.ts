/**
 * A Slurm cell that survives kill -9 (the cell-side twin of services/resume.test.ts): `iunet study task DIR 0` is
 * killed with SIGKILL at random moments (≥ 5 times, 1–12 epochs in, then 0–40 ms), then run to the end. Checked:
 *  - its results and first-layer artifacts equal (timings aside) those of an uninterrupted `iunet study task` of the
 *    same cell in a second folder of the same study;
 *  - every epoch it kept is the uninterrupted cell's (timings aside), each once; an epoch whose report was in flight
 *    when the process died may be missing (the checkpoint was already past it), so at most one per kill;
 *  - it did continue: in the last run, a task that had a checkpoint does not start from its first epoch again, and a
 *    task kept as finished does not train at all (read from the progress lines, which name each task and fold);
 *  - the finished cell leaves no checkpoints, partial results or error file behind, and its result file is whole.
 * The cell is a 2-fold × 1-seed cell of IUNet (two ratios) and the dense MLP on iris: fold checkpoint folders too.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type EpochMetrics, type FirstLayerArtifact, type ModelResult, resultKey, runTasks, taskKey, taskLabel } from '../../../main/contract/index.ts'
import { createServices } from '../../../main/services/index.ts'
import type { CellResult } from '../../../main/services/studyFolder.ts'

const BIN = resolve('bin/iunet.mjs')
const ENV = { ...process.env, IUNET_CHECKPOINT_EVERY: '2', IUNET_CHECKPOINT_SECONDS: '0' }
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

/** The first progress line of each task in a run's stderr, by task label ("Dense MLP · seed 0 · fold 2/2"). */
function firstLines(stderr: string): Map<string, string> {
  const first = new Map<string, string>()
  for (const line of stderr.split('\n')) {
    const m = /^\[\s*\d+%\] (.+? · seed \d+(?: · fold \d+\/\d+)?) · (\w+ \d+)\//.exec(line)
    if (m && !first.has(m[1]!)) first.set(m[1]!, m[2]!)
  }
  return first
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
    let refErr = ''
    ref.stderr.on('data', (b: Buffer) => (refErr += b.toString()))
    expect(await exited(ref)).toBe(0)
    // Where each task starts when it trains from scratch ("supernet 1", "train 1").
    const fresh = firstLines(refErr)
    const expected = JSON.parse(readFileSync(join(tmp, 'ref', 'results', '0.json'), 'utf8')) as CellResult
    expect(expected.results).toHaveLength(2 * (2 + 1))

    const dir = join(tmp, 'killed')
    const folder = JSON.parse(readFileSync(join(dir, 'study.json'), 'utf8')) as {
      cells: { config: Parameters<typeof runTasks>[0] & { split: { kfold: number } } }[]
    }
    const config = folder.cells[0]!.config
    const tasks = runTasks(config)
    const seed = Number(process.env.KILL_SEED ?? Date.now() % 100000)
    let state = seed
    const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296
    const log: string[] = []
    let kills = 0
    let continued = 0

    /** Runs the cell, killed after `want` more epochs (or to the end); checks that it continued what was kept. */
    async function attempt(want: number | null): Promise<{ finished: boolean; err: string }> {
      // What the cell kept: finished tasks (partial files) and checkpoints of the others.
      const keptFinished = tasks.filter((t) => existsSync(join(dir, 'partial', '0', `${taskKey(t).replace(/\//g, '__')}.json`)))
      const checkpointed = tasks.filter(
        (t) => !keptFinished.includes(t) && existsSync(join(dir, 'checkpoints', '0', `${t.model}__seed${t.seed}`, `fold${t.fold}`, 'state.ckpt'))
      )
      const before = epochsKept(dir)
      const child = task(dir)
      let err = ''
      child.stderr.on('data', (b: Buffer) => (err += b.toString()))
      let done = false
      const code = exited(child).then((c) => ((done = true), c))
      if (want !== null) {
        while (!done && epochsKept(dir) < before + want) await sleep(10)
        if (!done) await sleep(Math.floor(random() * 40))
        if (!done) child.kill('SIGKILL')
      }
      const exit = await code
      const killed = child.signalCode === 'SIGKILL'
      if (!killed) expect(exit, err).toBe(0)
      const first = firstLines(err)
      if (!killed && keptFinished.length) expect(err).toContain(`continuing: ${keptFinished.length} finished before`)
      for (const t of keptFinished) expect(first.has(taskLabel(t, config)), `${taskLabel(t, config)} trained again`).toBe(false)
      for (const t of checkpointed) {
        const label = taskLabel(t, config)
        // A killed run may die before it reaches the task; one that ran to the end must have trained it.
        if (!killed) expect(first.get(label), `${label} never trained`).toBeDefined()
        if (first.has(label)) {
          expect(first.get(label), `${label} started over`).not.toBe(fresh.get(label))
          continued++
        }
      }
      return { finished: !killed, err }
    }

    for (let i = 0; kills < 5 && i < 20; i++) {
      const r = await attempt(1 + Math.floor(random() * 12))
      if (r.finished) {
        log.push(`attempt ${i}: finished before the kill`)
        break
      }
      kills++
      log.push(`kill ${kills}: ${epochsKept(dir)} epochs kept`)
      expect(existsSync(join(dir, 'results', '0.json')), 'no result file before the cell finished').toBe(false)
    }
    expect(kills, `kill seed ${seed}: ${log.join('; ')}`).toBeGreaterThanOrEqual(5)
    if (!existsSync(join(dir, 'results', '0.json'))) await attempt(null)
    // Some task went on from a checkpoint (not only from finished tasks): what this test is about.
    expect(continued, `kill seed ${seed}: ${log.join('; ')}`).toBeGreaterThan(0)
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
