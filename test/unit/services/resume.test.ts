/**
 * Runs that survive anything (ownership and signals: ownership.test.ts):
 *  - kill -9 of `iunet run` / `iunet resume` at random moments (≥ 10 times): the database stays intact, the next
 *    start leaves no temp or orphan checkpoint files, and the final resume stores numbers identical to an
 *    uninterrupted run of the same seed.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { createServices } from '../../../main/services/index.ts'

const IRIS = resolve('resources/examples/iris.csv')
const BIN = resolve('bin/iunet.mjs')
const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'iunet-resume-'))
  dirs.push(d)
  return d
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

// ---------------------------------------------------------------------------------------------------------------

const RUN_FLAGS = [
  '--data',
  IRIS,
  '--preset',
  'quick',
  '--depth',
  '1',
  '--width',
  '16',
  '--epochs',
  '60',
  '--finetune-epochs',
  '60',
  '--patience',
  '0',
  '--compression',
  '4,8',
  '--seeds',
  '2',
  '--models',
  'iunet,mlp',
  '--workers',
  '1',
  '-q'
]
const ENV = { ...process.env, IUNET_CHECKPOINT_EVERY: '2', IUNET_CHECKPOINT_SECONDS: '0', IUNET_NATIVE: process.env.IUNET_NATIVE }

function cli(args: string[]) {
  return spawn(process.execPath, [BIN, ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] })
}

function exited(child: ReturnType<typeof cli>): Promise<number | null> {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) res(child.exitCode)
    else child.once('exit', (code) => res(code))
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Reads the store while a child writes it (WAL: readers never block the writer). */
function peek<T>(dataDir: string, fn: (db: Database.Database) => T): T | null {
  const file = join(dataDir, 'workbench.sqlite')
  if (!existsSync(file)) return null
  const db = new Database(file, { fileMustExist: true })
  try {
    db.pragma('busy_timeout = 5000')
    return fn(db)
  } catch {
    return null
  } finally {
    db.close()
  }
}

const epochCount = (dataDir: string) => peek(dataDir, (db) => (db.prepare('SELECT count(*) AS n FROM epoch_metrics').get() as { n: number }).n) ?? 0

/** Every stored number of a run except wall-clock timings, in a canonical order. */
function storedNumbers(dataDir: string) {
  return peek(dataDir, (db) => {
    const results = (
      db.prepare('SELECT kind, seed, compression, result_json FROM models WHERE result_json IS NOT NULL ORDER BY kind, seed, compression').all() as {
        result_json: string
      }[]
    ).map((r) => {
      const { trainSeconds: _t, inferenceMsPerExample: _i, ...rest } = JSON.parse(r.result_json) as Record<string, unknown>
      return rest
    })
    const artifacts = db
      .prepare(
        'SELECT m.kind, m.seed, m.compression, a.kind AS what, a.meta_json, hex(a.data) AS data FROM artifacts a JOIN models m ON m.id = a.model_id ORDER BY m.kind, m.seed, m.compression, a.kind'
      )
      .all()
    return { results, artifacts }
  })
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
}

describe('kill -9 at random moments, then resume', () => {
  it("keeps the store intact, leaves no orphans, and resumes to the uninterrupted run's exact numbers", async () => {
    // The uninterrupted reference.
    const refDir = tempDir()
    const ref = cli(['run', ...RUN_FLAGS, '--data-dir', refDir])
    expect(await exited(ref)).toBe(0)
    const expected = storedNumbers(refDir)!
    expect(expected.results).toHaveLength(2 * 3)

    const dataDir = tempDir()
    const seed = Number(process.env.KILL_SEED ?? Date.now() % 100000)
    let state = seed
    const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296
    let runId: string | null = null
    let kills = 0
    const log: string[] = []
    for (let attempt = 0; kills < 10 && attempt < 30; attempt++) {
      const before = epochCount(dataDir)
      const child = runId ? cli(['resume', runId, '--data-dir', dataDir, '--workers', '1', '-q']) : cli(['run', ...RUN_FLAGS, '--data-dir', dataDir])
      // Kill once training has moved on by a random 1–12 epochs, then a further random 0–40 ms so the kill lands
      // anywhere in an epoch or a checkpoint write. Measured in epochs, not time: a fast machine trains ~100 iris
      // epochs a second, and a time-based delay let the run finish before the tenth kill.
      const want = 1 + Math.floor(random() * 12)
      let done = false
      void exited(child).then(() => (done = true))
      while (!done && epochCount(dataDir) < before + want) await sleep(10)
      if (!done) await sleep(Math.floor(random() * 40))
      if (done) {
        log.push(`attempt ${attempt}: finished before the kill`)
        break
      }
      child.kill('SIGKILL')
      await exited(child)
      kills++
      runId ??= peek(dataDir, (db) => (db.prepare('SELECT id FROM runs').get() as { id: string } | undefined)?.id ?? null)
      expect(runId, 'the run is stored').toBeTruthy()
      const integrity = peek(dataDir, (db) => db.pragma('integrity_check', { simple: true }))
      expect(integrity, `integrity after kill ${kills}`).toBe('ok')
      log.push(`kill ${kills}: +${epochCount(dataDir) - before} epochs`)

      // The next start: the dead owner's run becomes interrupted, temp files and finished tasks' checkpoints go.
      const next = createServices({ dataDir, transport: 'websocket', workers: 1 })
      try {
        expect(next.store.runs.get(runId!)?.status).toBe('interrupted')
        const files = filesUnder(join(dataDir, 'runs', runId!, 'checkpoints'))
        expect(
          files.filter((f) => f.includes('.tmp-')),
          'temp files after the next start'
        ).toEqual([])
        const finished = new Set(next.store.results.results(runId!).map((r) => `${r.model}__seed${r.seed}`))
        for (const f of files) {
          const task = f.split('/checkpoints/')[1]!.split('/')[0]!
          // A pruned task is finished once all its ratios are stored; then its checkpoint must be gone.
          const ratios = next.store.results.results(runId!).filter((r) => `${r.model}__seed${r.seed}` === task).length
          expect(finished.has(task) && ratios === (task.startsWith('iunet') ? 2 : 1), `orphan checkpoint ${f}`).toBe(false)
        }
        expect(filesUnder(join(dataDir, 'runs')).filter((f) => !f.includes(runId!))).toEqual([])
      } finally {
        await next.close()
      }
    }
    expect(kills, `kill seed ${seed}: ${log.join('; ')}`).toBeGreaterThanOrEqual(10)

    const last = cli(['resume', runId!, '--data-dir', dataDir, '--workers', '1', '-q'])
    let err = ''
    last.stderr.on('data', (b: Buffer) => (err += b.toString()))
    expect(await exited(last), err).toBe(0)
    expect(peek(dataDir, (db) => db.pragma('integrity_check', { simple: true }))).toBe('ok')
    expect(storedNumbers(dataDir), `kill seed ${seed}: ${log.join('; ')}`).toEqual(expected)
    // A finished run keeps no checkpoints.
    expect(filesUnder(join(dataDir, 'runs', runId!, 'checkpoints'))).toEqual([])
  }, 240_000)
})
