/**
 * The CLI tells the truth about folds: a repeated 3-fold × 2-seed `iunet run` (iris, 2 epochs) names every fold in
 * its progress lines (one line per task and epoch, "Dense MLP · seed 0 · fold 2/3"), says "2 seeds × 3 folds" and the
 * corrected resampled t-test in its header, counts n = 6 per row, writes folds into --json, and `iunet runs` lists
 * the run as "2 seeds × 3 folds", not as seeds. `iunet export --fold` picks the fold, and the card names it.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const BIN = resolve('bin/iunet.mjs')
const tmp = mkdtempSync(join(tmpdir(), 'iunet-kfold-cli-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))
const iunet = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 })

describe('iunet run with repeated k-fold', () => {
  it('names folds in progress, header, table, --json, runs list, export and card', () => {
    const dataDir = join(tmp, 'data')
    const json = join(tmp, 'out.json')
    const r = iunet(
      'run',
      ...['--data', 'resources/examples/iris.csv', '--preset', 'quick', '--models', 'iunet,mlp', '--seeds', '2', '--split-kfold', '3'],
      ...['--epochs', '2', '--finetune-epochs', '1', '--width', '8', '--depth', '1', '--compression', '4', '--patience', '0', '--workers', '1'],
      ...['--data-dir', dataDir, '--json', json]
    )
    expect(r.status, r.stderr).toBe(0)
    // Progress (stderr is a pipe: plain lines): every task of the run, each fold its own line.
    for (const model of ['IUNet (pruned)', 'Dense MLP'])
      for (const seed of [0, 1]) for (const fold of [1, 2, 3]) expect(r.stderr).toContain(`${model} · seed ${seed} · fold ${fold}/3 · `)
    expect(r.stderr).toMatch(/^run \S+ · iris · 12 training tasks \(2 models × 2 seeds × 3 folds\)/m)
    // Header and table: what the means are over, the test used, n per row.
    expect(r.stdout).toMatch(/mean ± std over 2 seeds × 3 folds \(each fold's test part\) · IUNet vs Dense MLP: corrected resampled t-test/)
    expect(r.stdout).toMatch(/^Dense MLP\s+6\s/m)
    expect(r.stdout).toMatch(/^IUNet \(pruned\) 1\/4\s+6\s/m)
    expect(r.stdout).not.toMatch(/seed\(s\)/)
    const out = JSON.parse(readFileSync(json, 'utf8'))
    expect(out).toMatchObject({ seeds: 2, folds: 3, replicates: '2 seeds × 3 folds', test: 'corrected resampled t-test' })
    for (const m of out.models) {
      expect(m.n).toBe(6)
      expect(m.perSeed.map((x: { seed: number; fold: number }) => `${x.seed}/${x.fold}`)).toEqual(['0/0', '0/1', '0/2', '1/0', '1/1', '1/2'])
    }

    const list = iunet('runs', '--data-dir', dataDir)
    expect(list.status, list.stderr).toBe(0)
    expect(list.stdout).toContain('2 seeds × 3 folds')
    const [run] = JSON.parse(iunet('runs', '--data-dir', dataDir, '--json').stdout) as { id: string; folds: number }[]
    expect(run!.folds).toBe(3)

    const bundle = join(tmp, 'bundle')
    // --fold counts as the labels do: fold 3/3 is --fold 3.
    const e = iunet('export', '--run', run!.id.slice(0, 8), '--model', 'mlp', '--seed', '1', '--fold', '3', '--out', bundle, '--data-dir', dataDir)
    expect(e.status, e.stderr).toBe(0)
    const card = readFileSync(join(bundle, 'card.md'), 'utf8')
    expect(card).toMatch(/^# Dense MLP — seed 1 · fold 3\/3$/m)
    expect(card).toContain('| metric | this model (seed 1 · fold 3/3) | mean ± std over 2 seeds × 3 folds |')
    expect(card).toMatch(/\| accuracy \| \d+\.\d % \| \d+\.\d ± \d+\.\d % \(n = 6\) \|/)
    expect(JSON.parse(readFileSync(join(bundle, 'model.json'), 'utf8')).userDefinedMetadata.iunet).toMatchObject({ seed: 1, fold: 2 })
    const missing = iunet('export', '--run', run!.id.slice(0, 8), '--model', 'mlp', '--fold', '4', '--out', join(tmp, 'b2'), '--data-dir', dataDir)
    expect(missing.status).toBe(2)
    expect(missing.stderr).toMatch(/no stored fold 4 \(fold index 3\); stored: folds 1, 2, 3/)
    const zero = iunet('export', '--run', run!.id.slice(0, 8), '--model', 'mlp', '--fold', '0', '--out', join(tmp, 'b3'), '--data-dir', dataDir)
    expect(zero.status).toBe(2)
    expect(zero.stderr).toMatch(/--fold counts from 1/)
  }, 120_000)
})
