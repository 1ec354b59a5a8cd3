/**
 * A real two-setting grid study (κ × λ, two datasets, IUNet and the dense MLP), trained on this machine: studies.get
 * carries the grid effects and the tuned variants, and the tuned scores equal what the stored per-task results give
 * when each replicate's setting is chosen by its validation score; `iunet study show` fits 120 columns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { canonicalJson, relevantGrid, type ModelResult, type StudyDetail } from '../../../main/contract/index.ts'
import { createServices, type Services } from '../../../main/services/index.ts'
import { formatStudy } from '../../../main/cli/studyShow.ts'
import { parse } from 'csv-parse/sync'

let dir: string
let services: Services
let detail: StudyDetail
const results = new Map<string, ModelResult[]>()

const spec = {
  name: 'kappa × lambda',
  datasets: [{ path: resolve('resources/examples/iris.csv') }, { path: resolve('resources/examples/wine.csv') }],
  models: ['iunet' as const, 'mlp' as const],
  seeds: 2,
  settings: { epochs: 3, finetuneEpochs: 3, width: 16, depth: 1, patience: 0, compressions: [4] },
  grid: { kappa: [0.125, 1], lambda: [0, 1] }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iunet-grid-study-'))
  services = createServices({ dataDir: join(dir, 'data'), transport: 'websocket', workers: 2 })
  const { study, finished } = await services.studies.run(spec, { concurrency: 2 })
  await finished
  detail = await services.call('studies.get', { id: study.id })
  for (const c of detail.cellList) results.set(c.key, services.store.results.results(c.runId!))
}, 240_000)
afterAll(async () => {
  await services.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('a two-setting grid study', () => {
  it('trains the MLP once per dataset and IUNet once per grid point', () => {
    expect(detail.cells).toBe(2 * 4)
    expect(detail.variants.filter((v) => v.model === 'mlp')).toHaveLength(1)
    expect(detail.variants.filter((v) => v.model === 'iunet')).toHaveLength(4)
  })

  it('stores validation scores with every result, the accuracy equal to the kept epoch’s logged one', async () => {
    for (const c of detail.cellList) {
      const metrics = await services.call('runs.metrics', { id: c.runId! })
      for (const r of results.get(c.key)!) {
        expect(r.validation).not.toBeNull()
        const phase = r.model === 'iunet' ? 'finetune' : 'train'
        const kept = metrics.find(
          (m) => m.model === r.model && m.seed === r.seed && m.phase === phase && m.compression === r.compression && m.epoch === r.bestEpoch
        )!
        // The same inference on the same weights and rows: equal to the last bit.
        expect(r.validation!.accuracy).toBe(kept.valAccuracy)
      }
    }
  })

  it('carries the locality figure beside the metric: none of the dense MLP’s units reads a single feature', () => {
    const mlp = detail.variants.findIndex((v) => v.model === 'mlp')
    for (const row of detail.locality) {
      expect(row[mlp]).toBe(0)
      for (const share of row) expect(share).toBeGreaterThanOrEqual(0)
    }
  })

  it('carries grid effects: a 2 × 2 table of IUNet 1/4 against the MLP', () => {
    const e = detail.gridEffects.find((x) => x.model === 'iunet')!
    expect(e.settings.map((s) => s.name)).toEqual(['kappa', 'lambda'])
    expect(e.points).toHaveLength(4)
    const mlp = detail.variants.findIndex((v) => v.model === 'mlp')
    for (const p of e.points)
      p.perDataset.forEach((diff, d) => expect(diff!).toBeCloseTo(detail.matrix[d]![p.variant]!.mean - detail.matrix[d]![mlp]!.mean, 12))
  })

  it('reports for the tuned IUNet the test score of the setting each replicate chose by validation accuracy', () => {
    const tuned = detail.tuned!.variants.find((v) => v.model === 'iunet')!
    expect(tuned.settings).toBe(4)
    detail.datasetList.forEach((ds, d) => {
      // Recomputed from the stored per-task results alone: per seed, the grid point with the best validation accuracy
      // (the first listed on a tie), and its test accuracy.
      const cells = detail.cellList.filter((c) => c.datasetId === ds.id)
      const chosen = [0, 1].map((seed) => {
        let best: ModelResult | null = null
        for (const c of cells) {
          const r = results.get(c.key)!.find((x) => x.model === 'iunet' && x.seed === seed)!
          if (!best || r.validation!.accuracy > best.validation!.accuracy) best = r
        }
        return best!.accuracy
      })
      expect(tuned.choices[d]!.map((c) => c.test)).toEqual(chosen)
      expect(detail.tuned!.matrix[d]![detail.tuned!.variants.indexOf(tuned)]!.mean).toBeCloseTo((chosen[0]! + chosen[1]!) / 2, 12)
    })
    // Each choice points at the variant of the grid point it came from.
    const first = tuned.choices[0]![0]!
    const v = detail.variants[first.variant]!
    expect(canonicalJson(v.grid)).toBe(canonicalJson(relevantGrid('iunet', v.grid)))
  })

  it('exports the long table, the analysis and the CD diagram', async () => {
    const e = await services.call('studies.export', { id: detail.id })
    // Read back with an independent RFC 4180 parser (labels hold commas, so they are quoted).
    const lines = parse(e.csv) as string[][]
    const header = lines[0]!
    expect(header.slice(0, 6)).toEqual(['dataset', 'variant', 'model', 'ratio', 'kappa', 'lambda'])
    // 2 datasets × (4 IUNet settings + the MLP once) × 2 seeds
    expect(lines).toHaveLength(1 + 2 * 5 * 2)
    const rows = lines.slice(1)
    const col = (name: string) => header.indexOf(name)
    const mlpRows = rows.filter((r) => r[col('model')] === 'mlp')
    // Settings the MLP ignores are empty, not the value of the first cell it ran in.
    expect(mlpRows.every((r) => r[col('kappa')] === '' && r[col('lambda')] === '')).toBe(true)
    for (const r of rows) {
      // The cell the row came from: the grid point's for IUNet, the dataset's first for the MLP (it trains once).
      const cells = detail.cellList.filter((c) => c.datasetName === r[col('dataset')])
      const cell =
        r[col('model')] === 'mlp'
          ? cells[0]!
          : cells.find((c) => JSON.stringify(c.grid.kappa) === r[col('kappa')] && JSON.stringify(c.grid.lambda) === r[col('lambda')])!
      const stored = results.get(cell.key)!.find((x) => x.model === r[col('model')] && x.seed === Number(r[col('seed')]))!
      expect([Number(r[col('test_accuracy')]), Number(r[col('val_accuracy')])]).toEqual([stored.accuracy, stored.validation!.accuracy])
    }
    expect(JSON.parse(e.json).id).toBe(detail.id)
    expect(e.svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/)
  })

  it('prints within 120 columns by default, and the matrix only with --wide', () => {
    const text = formatStudy(detail)
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThanOrEqual(120)
    expect(text).toContain('Tuned on validation')
    expect(text).toContain('Grid effects:')
    expect(text).not.toContain('variant \\ dataset')
    expect(formatStudy(detail, { wide: true })).toContain('variant \\ dataset')
    const onlyIunet = formatStudy(detail, { models: ['iunet'], top: 2 })
    // The two best-ranked of IUNet's variants and the MLP (the baseline is always shown): 2 or 3 of the 5 rows.
    expect(onlyIunet).toMatch(/\([23] of 5 shown\)/)
    expect(onlyIunet).toMatch(/^Dense MLP +\S/m)
    // Each test's words follow its variant: printed with it, hidden with it (--model mlp keeps only the baseline).
    const flat = (t: string) => t.replace(/\n\s*/g, ' ')
    expect(text).toMatch(/^IUNet \(pruned\) 1\/4 · kappa=1, lambda=1 vs Dense MLP: \d+ wins, \d+ ties, \d+ losses/m)
    expect(flat(formatStudy(detail, { models: ['mlp'] }))).not.toMatch(/ vs Dense MLP(?: \(1 setting\))?: /)
  })
})
