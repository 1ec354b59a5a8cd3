/** Migration 5: results stored before validation scores were kept get the kept epoch's logged validation accuracy. */
import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { openStore } from '../../../main/store/index.ts'
import { migrations } from '../../../main/store/migrations.ts'

const dirs: string[] = []
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true })
})

const result = (model: string, compression: number, bestEpoch: number) => JSON.stringify({ model, seed: 0, compression, accuracy: 0.7, bestEpoch })

describe('migration 5 (validation scores)', () => {
  it('copies the kept epoch’s validation accuracy into each stored result; the other scores stay unknown', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iunet-valmig-'))
    dirs.push(dir)
    const old = new Database(join(dir, 'workbench.sqlite'))
    old.pragma('foreign_keys = ON')
    for (let v = 0; v < 4; v++) old.exec(migrations[v]!)
    old.pragma('user_version = 4')
    old.prepare(`INSERT INTO datasets VALUES ('d1','toy','tabular','h1','/x.csv',10,3,'{}','/tmp/d1','2026-01-01')`).run()
    old
      .prepare(
        `INSERT INTO runs (id,name,dataset_id,config_json,status,backend,seeds,created_at) VALUES ('r1','run','d1','{}','finished','wasm',1,'2026-01-01')`
      )
      .run()
    // A dense model (phase train) kept epoch 2; a pruned one at 1/8 kept finetune epoch 1 (its supernet epochs live
    // in the compression-1 row and must not be read); a third has no logged epoch at all.
    old.prepare(`INSERT INTO models (id, run_id, kind, seed, fold, compression, result_json) VALUES (1, 'r1', 'mlp', 0, -1, 1, ?)`).run(result('mlp', 1, 2))
    old.prepare(`INSERT INTO models (id, run_id, kind, seed, fold, compression, result_json) VALUES (2, 'r1', 'iunet', 0, -1, 8, ?)`).run(result('iunet', 8, 1))
    old.prepare(`INSERT INTO models (id, run_id, kind, seed, fold, compression, result_json) VALUES (3, 'r1', 'iunet', 0, -1, 1, NULL)`).run()
    old.prepare(`INSERT INTO models (id, run_id, kind, seed, fold, compression, result_json) VALUES (4, 'r1', 'omp', 0, -1, 8, ?)`).run(result('omp', 8, 3))
    const epoch = old.prepare(`INSERT INTO epoch_metrics VALUES (?, ?, ?, 1, 0.5, 1, ?, NULL, 0.1)`)
    epoch.run(1, 'train', 1, 0.61)
    epoch.run(1, 'train', 2, 0.62)
    epoch.run(3, 'supernet', 1, 0.99)
    epoch.run(2, 'finetune', 1, 0.81)
    epoch.run(2, 'finetune', 2, 0.82)
    old.close()

    const store = openStore(dir)
    const byModel = Object.fromEntries(store.results.results('r1').map((r) => [r.model, r.validation]))
    expect(byModel).toEqual({
      mlp: { accuracy: 0.62, balancedAccuracy: null, macroF1: null },
      iunet: { accuracy: 0.81, balancedAccuracy: null, macroF1: null },
      omp: null
    })
    store.close()
  })
})
