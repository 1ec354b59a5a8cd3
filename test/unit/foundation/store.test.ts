import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { openStore } from '../../../main/store/index.ts'
import { migrations } from '../../../main/store/migrations.ts'
import { openDb, schemaVersion } from '../../../main/store/db.ts'
import type { DatasetSchema, RunConfig } from '../../../main/contract/index.ts'

const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'iunet-store-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true })
})

const schema: DatasetSchema = {
  kind: 'tabular',
  rows: 3,
  columns: [
    { name: 'a', type: 'numeric', role: 'feature', missing: 0, distinct: 3, min: 0, max: 2, mean: 1, topValues: [] },
    { name: 'y', type: 'categorical', role: 'target', missing: 0, distinct: 2, min: null, max: null, mean: null, topValues: [] }
  ],
  target: 'y',
  imageShape: null,
  classes: [
    { value: 'p', count: 2 },
    { value: 'q', count: 1 }
  ],
  warnings: []
}

function config(datasetId: string): RunConfig {
  return {
    datasetId,
    models: ['iunet', 'mlp'],
    preset: 'quick',
    seeds: 2,
    compressions: [8],
    epochs: 3,
    finetuneEpochs: 3,
    batchSize: 32,
    learningRate: 1e-3,
    weightDecay: 0,
    depth: 2,
    width: 64,
    kappa: 0.125,
    lambda: 1,
    tau: 0.5,
    projectionHead: true,
    augment: { translate: 2, flip: false, cropScale: 1, colorJitter: 0, grayscale: 0, corruption: 0.4, noise: 0 },
    split: { train: 0.7, val: 0.15, test: 0.15, kfold: null },
    patience: 0
  }
}

describe('store', () => {
  it('migrates an empty file to the latest schema with WAL and foreign keys', () => {
    const dir = tempDir()
    const store = openStore(dir)
    expect(schemaVersion(store.db)).toBe(migrations.length)
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1)
    const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['datasets', 'runs', 'models', 'epoch_metrics', 'artifacts', 'settings']))
    store.close()
  })

  it('re-opens an existing file without re-running migrations or losing rows', () => {
    const dir = tempDir()
    const a = openStore(dir)
    a.datasets.insert({ id: 'd1', name: 'toy', hash: 'h1', sourcePath: '/x.csv', sizeBytes: 10, schema, storageDir: '/tmp/d1' })
    a.runs.create({ id: 'r1', name: 'run', config: config('d1'), backend: 'wasm' })
    a.results.addEpoch('r1', {
      model: 'mlp',
      seed: 0,
      compression: 1,
      phase: 'train',
      epoch: 1,
      trainLoss: 1,
      trainAccuracy: 0.5,
      valLoss: 1,
      valAccuracy: 0.5,
      contrastiveLoss: null,
      seconds: 0.1
    })
    a.close()
    const b = openStore(dir)
    expect(schemaVersion(b.db)).toBe(migrations.length)
    expect(b.datasets.list().map((d) => d.name)).toEqual(['toy'])
    expect(b.runs.get('r1')?.config.models).toEqual(['iunet', 'mlp'])
    expect(b.results.metrics('r1')).toHaveLength(1)
    b.close()
  })

  it('refuses a data folder written by a newer schema, leaving it untouched', () => {
    const dir = tempDir()
    const file = join(dir, 'workbench.sqlite')
    const raw = new Database(file)
    raw.pragma(`user_version = ${migrations.length + 5}`)
    raw.close()
    expect(() => openDb(file)).toThrow(/newer IUNet Workbench/)
    const again = new Database(file)
    expect(again.pragma('user_version', { simple: true })).toBe(migrations.length + 5)
    again.close()
  })

  it('keeps hashes unique, cascades dataset deletion to runs and their metrics', () => {
    const store = openStore(tempDir())
    store.datasets.insert({ id: 'd1', name: 'toy', hash: 'h1', sourcePath: '/x.csv', sizeBytes: 10, schema, storageDir: '/tmp/d1' })
    expect(() => store.datasets.insert({ id: 'd2', name: 'again', hash: 'h1', sourcePath: '/x.csv', sizeBytes: 10, schema, storageDir: '/tmp/d2' })).toThrow(
      /UNIQUE/
    )
    store.runs.create({ id: 'r1', name: 'run', config: config('d1'), backend: 'wasm' })
    store.results.addEpoch('r1', {
      model: 'mlp',
      seed: 0,
      compression: 1,
      phase: 'train',
      epoch: 1,
      trainLoss: 1,
      trainAccuracy: 0.5,
      valLoss: 1,
      valAccuracy: 0.5,
      contrastiveLoss: null,
      seconds: 0.1
    })
    store.datasets.delete('d1')
    expect(store.runs.list()).toHaveLength(0)
    expect((store.db.prepare('SELECT count(*) AS n FROM epoch_metrics').get() as { n: number }).n).toBe(0)
    store.close()
  })

  it('marks runs left running by a dead process as interrupted', () => {
    const store = openStore(tempDir())
    store.datasets.insert({ id: 'd1', name: 'toy', hash: 'h1', sourcePath: '/x.csv', sizeBytes: 10, schema, storageDir: '/tmp/d1' })
    store.runs.create({ id: 'r1', name: 'run', config: config('d1'), backend: 'wasm' })
    store.runs.setStatus('r1', 'running')
    expect(store.runs.markInterrupted()).toBe(1)
    expect(store.runs.get('r1')?.status).toBe('interrupted')
    store.close()
  })

  it('round-trips first-layer artifacts and best accuracy', () => {
    const store = openStore(tempDir())
    store.datasets.insert({ id: 'd1', name: 'toy', hash: 'h1', sourcePath: '/x.csv', sizeBytes: 10, schema, storageDir: '/tmp/d1' })
    store.runs.create({ id: 'r1', name: 'run', config: config('d1'), backend: 'wasm' })
    const weights = [0.5, -0.25, 0, 1.5, 2, -3]
    store.results.saveFirstLayer('r1', { model: 'iunet', seed: 0, compression: 8, inputs: 3, units: 2, weights, mask: [1, 1, 0, 1, 0, 1] })
    const [a] = store.results.firstLayers('r1')
    expect(a?.weights).toEqual(weights)
    expect(a?.mask).toEqual([1, 1, 0, 1, 0, 1])
    store.close()
  })
})
