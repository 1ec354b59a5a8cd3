/** k-fold in the store: migration 3 keeps old rows (and their children), and folds of one seed are separate rows. */
import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { openStore } from '../../../main/store/index.ts'
import { migrations } from '../../../main/store/migrations.ts'
import type { DatasetSchema, ModelResult, RunConfig } from '../../../main/contract/index.ts'
import { runTasks as trainingTasks, taskKey } from '../../../main/contract/index.ts'

const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'iunet-kfold-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true })
})

const schema = { kind: 'tabular', rows: 3, columns: [], target: 'y', imageShape: null, classes: [], warnings: [] } as unknown as DatasetSchema
const config = { datasetId: 'd1', models: ['iunet', 'mlp'], seeds: 2, split: { train: 0.7, val: 0.15, test: 0.15, kfold: 3 } } as unknown as RunConfig

function result(seed: number, fold: number | undefined, accuracy: number): ModelResult {
  return {
    model: 'mlp',
    seed,
    ...(fold === undefined ? {} : { fold }),
    compression: 1,
    accuracy,
    balancedAccuracy: accuracy,
    macroF1: accuracy,
    confusion: [[1]],
    params: 10,
    nonzeroParams: 10,
    flopsDense: 1,
    flopsSparse: 1,
    trainSeconds: 1,
    inferenceMsPerExample: 0.1,
    invariancePrediction: 1,
    invarianceRepresentation: 1,
    supernetValAccuracy: null,
    bestEpoch: 1,
    layers: []
  }
}

describe('k-fold tasks and storage', () => {
  it('makes one task per model × seed × fold, and one per model × seed without k-fold', () => {
    const tasks = trainingTasks(config)
    expect(tasks).toHaveLength(2 * 2 * 3)
    expect(new Set(tasks.map(taskKey)).size).toBe(12)
    expect(tasks[0]).toEqual({ model: 'iunet', seed: 0, fold: 0 })
    expect(trainingTasks({ ...config, split: { ...config.split, kfold: null } })).toEqual([
      { model: 'iunet', seed: 0 },
      { model: 'mlp', seed: 0 },
      { model: 'iunet', seed: 1 },
      { model: 'mlp', seed: 1 }
    ])
  })

  it('stores each fold of a seed as its own row, with its epochs', () => {
    const store = openStore(tempDir())
    store.datasets.insert({ id: 'd1', name: 'toy', hash: 'h1', sourcePath: '/x.csv', sizeBytes: 10, schema, storageDir: '/tmp/d1' })
    store.runs.create({ id: 'r1', name: 'run', config, backend: 'wasm' })
    for (const fold of [0, 1, 2]) {
      store.results.saveResult('r1', result(0, fold, 0.5 + fold / 10))
      store.results.addEpoch('r1', {
        model: 'mlp',
        seed: 0,
        fold,
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
    }
    const rs = store.results.results('r1')
    expect(rs.map((r) => [r.seed, r.fold, r.accuracy])).toEqual([
      [0, 0, 0.5],
      [0, 1, 0.6],
      [0, 2, 0.7]
    ])
    expect(store.results.metrics('r1').map((m) => m.fold)).toEqual([0, 1, 2])
    // saving a fold again replaces it rather than adding a row
    store.results.saveResult('r1', result(0, 1, 0.9))
    expect(store.results.results('r1').map((r) => r.accuracy)).toEqual([0.5, 0.9, 0.7])
    store.close()
  })

  it('migrates a version-2 file keeping models, epochs and artifacts (no cascade on the rebuild)', () => {
    const dir = tempDir()
    const file = join(dir, 'workbench.sqlite')
    const old = new Database(file)
    old.pragma('foreign_keys = ON')
    for (let v = 0; v < 2; v++) old.exec(migrations[v]!)
    old.pragma('user_version = 2')
    old.prepare(`INSERT INTO datasets VALUES ('d1','toy','tabular','h1','/x.csv',10,3,?, '/tmp/d1','2026-01-01')`).run(JSON.stringify(schema))
    old
      .prepare(`INSERT INTO runs (id,name,dataset_id,config_json,status,backend,seeds,created_at) VALUES ('r1','run','d1',?,'finished','wasm',1,'2026-01-01')`)
      .run(JSON.stringify(config))
    old
      .prepare(`INSERT INTO models (id, run_id, kind, seed, compression, result_json) VALUES (7, 'r1', 'mlp', 0, 1, ?)`)
      .run(JSON.stringify(result(0, undefined, 0.75)))
    old.prepare(`INSERT INTO epoch_metrics VALUES (7, 'train', 1, 1, 0.5, 1, 0.5, NULL, 0.1)`).run()
    old.prepare(`INSERT INTO artifacts (model_id, kind, meta_json, data) VALUES (7, 'first-layer', '{}', x'00')`).run()
    old.close()

    const store = openStore(dir)
    expect(store.db.pragma('user_version', { simple: true })).toBe(migrations.length)
    expect(store.results.results('r1').map((r) => r.accuracy)).toEqual([0.75])
    expect(store.results.metrics('r1')).toHaveLength(1)
    expect(store.results.metrics('r1')[0]!.fold).toBeUndefined()
    expect((store.db.prepare('SELECT count(*) AS n FROM artifacts').get() as { n: number }).n).toBe(1)
    expect(store.db.pragma('foreign_key_check')).toEqual([])
    // the children point at the new models table: deleting the run cascades to them
    store.runs.delete('r1')
    expect((store.db.prepare('SELECT count(*) AS n FROM epoch_metrics').get() as { n: number }).n).toBe(0)
    expect((store.db.prepare('SELECT count(*) AS n FROM artifacts').get() as { n: number }).n).toBe(0)
    store.close()
  })
})
