/**
 * Run ownership and signals:
 *  - a second services instance on the same data folder leaves a live run `running`; a run whose owner died or
 *    went silent is marked interrupted; read-only opens (and `iunet runs`) change nothing;
 *  - a services start in another process while `iunet run` trains leaves the run `running`;
 *  - SIGINT / SIGTERM to `iunet run` / `iunet resume` save a checkpoint and store the run as `interrupted`.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { createServices } from '../../../main/services/index.ts'
import type { RunConfig } from '../../../main/contract/index.ts'

const IRIS = resolve('resources/examples/iris.csv')
const BIN = resolve('bin/iunet.mjs')
const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'iunet-owner-'))
  dirs.push(d)
  return d
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A pid that surely belongs to no process: one that just exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', ''])
  return r.pid!
}

describe('run ownership', () => {
  it("a second start leaves a live run running; a dead or silent owner's run is interrupted; read-only opens change nothing", async () => {
    const dataDir = tempDir()
    const a = createServices({ dataDir, transport: 'websocket', workers: 1 })
    try {
      const d = await a.call('datasets.import', { path: IRIS })
      const defaults = await a.call('runs.defaults', { datasetId: d.id, preset: 'quick' })
      const config: RunConfig = { ...defaults, models: ['mlp'], seeds: 1, depth: 1, width: 16, epochs: 1500, patience: 0 }
      const live = await a.call('runs.start', config)
      for (let i = 0; i < 200 && a.store.runs.get(live.id)?.status !== 'running'; i++) await new Promise((r) => setTimeout(r, 50))
      expect(a.store.runs.get(live.id)?.status).toBe('running')

      // Two orphans: a dead owner on this host with a fresh heartbeat, a live pid whose heartbeat is stale.
      const now = new Date().toISOString()
      const old = new Date(Date.now() - 60_000).toISOString()
      const orphan = (id: string, pid: number, beat: string) => {
        a.store.runs.create({ id, name: id, config, backend: 'wasm', owner: { pid, host: 'x', instance: id } })
        a.store.db
          .prepare(`UPDATE runs SET status = 'running', owner_host = (SELECT owner_host FROM runs WHERE id = ?), heartbeat_at = ? WHERE id = ?`)
          .run(live.id, beat, id)
      }
      orphan('dead-owner', deadPid(), now)
      orphan('silent-owner', process.pid, old)

      const readOnly = createServices({ dataDir, transport: 'websocket', workers: 1, readOnly: true })
      expect(readOnly.interrupted).toBe(0)
      await readOnly.close()
      expect(a.store.runs.get('dead-owner')?.status).toBe('running')

      const b = createServices({ dataDir, transport: 'websocket', workers: 1 })
      try {
        expect(b.interrupted).toBe(2)
        expect(b.store.runs.get(live.id)?.status).toBe('running')
        expect(b.store.runs.get('dead-owner')?.status).toBe('interrupted')
        expect(b.store.runs.get('silent-owner')?.status).toBe('interrupted')
      } finally {
        await b.close()
      }
      // The `iunet runs` command on the same folder does not touch the live run either.
      const cli = spawnSync(process.execPath, [BIN, 'runs', '--data-dir', dataDir], { encoding: 'utf8', timeout: 60_000 })
      expect(cli.status).toBe(0)
      expect(a.store.runs.get(live.id)?.status).toBe('running')
      await a.call('runs.cancel', { id: live.id })
      await a.whenFinished(live.id)
      expect(a.store.runs.get(live.id)?.status).toBe('cancelled')
    } finally {
      await a.close()
    }
  }, 90_000)
})

/** Reads the store while a child writes it. */
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
const runRow = (dataDir: string) =>
  peek(dataDir, (db) => db.prepare('SELECT id, status, error FROM runs').get() as { id: string; status: string; error: string | null } | undefined) ?? undefined

describe('signals', () => {
  it('SIGINT to iunet run and SIGTERM to iunet resume checkpoint and store the run as interrupted', async () => {
    const dataDir = tempDir()
    const flags = [
      '--data',
      IRIS,
      '--preset',
      'quick',
      '--depth',
      '1',
      '--width',
      '16',
      '--epochs',
      '1500',
      '--patience',
      '0',
      '--seeds',
      '1',
      '--models',
      'mlp',
      '--workers',
      '1',
      '-q',
      '--data-dir',
      dataDir
    ]
    for (const [args, signal] of [
      [['run', ...flags], 'SIGINT'],
      [['resume', '', '--data-dir', dataDir, '--workers', '1', '-q'], 'SIGTERM']
    ] as const) {
      const before = epochCount(dataDir)
      const argv = args[0] === 'resume' ? ['resume', runRow(dataDir)!.id, ...args.slice(2)] : [...args]
      const child = spawn(process.execPath, [BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
      let err = ''
      child.stderr.on('data', (b: Buffer) => (err += b.toString()))
      const exit = new Promise<number | null>((res) => child.once('exit', (code) => res(code)))
      for (let i = 0; i < 1200 && epochCount(dataDir) < before + 3; i++) await sleep(25)
      expect(epochCount(dataDir)).toBeGreaterThanOrEqual(before + 3)
      // Another process starting on the folder meanwhile (this one: another pid, same host) leaves the run alone.
      const other = createServices({ dataDir, transport: 'websocket', workers: 1 })
      expect(other.interrupted).toBe(0)
      expect(other.store.runs.get(runRow(dataDir)!.id)?.status).toBe('running')
      await other.close()
      child.kill(signal)
      expect(await exit).toBe(1)
      expect(err).toContain(`${signal}: saving checkpoints`)
      const run = runRow(dataDir)!
      expect(run.status).toBe('interrupted')
      expect(run.error).toMatch(/resume/i)
      const ck = join(dataDir, 'runs', run.id, 'checkpoints', 'mlp__seed0')
      expect(readdirSync(ck)).toEqual(['state.ckpt'])
      // The saved state is at least as far as the stored epochs (saved at the stop, mid-epoch if need be).
      expect(epochCount(dataDir)).toBeGreaterThan(before)
    }
  }, 90_000)
})
