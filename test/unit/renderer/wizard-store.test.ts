// Stores run in the page: this test is type-checked with the renderer (tsconfig.web.json: DOM), not with Node.
/**
 * The wizard's store against a stand-in API (the real contract's defaults): what it says a run or a study trains
 * equals the contract's plan, for random configurations (a property test over models × seeds × folds × ratios ×
 * grids × datasets), and out-of-range input is named with its bound and kept as typed, never changed.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import {
  RECIPES,
  StudySpec,
  defaultRunConfig,
  planStudy,
  runTasks,
  type DatasetSummary,
  type ModelKind,
  type Preset,
  type RunConfig
} from '../../../main/contract/index.ts'

const DATASETS: DatasetSummary[] = [
  { id: 'wine', name: 'wine', kind: 'tabular', rows: 178, features: 13, classes: 3, target: 'class' },
  { id: 'iris', name: 'iris', kind: 'tabular', rows: 150, features: 4, classes: 3, target: 'species' },
  { id: 'tiny', name: 'tiny', kind: 'tabular', rows: 12, features: 2, classes: 2, target: 'y' }
] as unknown as DatasetSummary[]

const defaultsOf = (id: string, preset: Preset): RunConfig => {
  const d = DATASETS.find((x) => x.id === id)!
  return { datasetId: id, ...defaultRunConfig(preset, { kind: 'tabular', rows: d.rows, nFeatures: d.features, imageShape: null }) }
}

vi.mock('../../../renderer/src/api/client', () => ({
  api: {
    transport: 'websocket',
    on: () => () => undefined,
    pathForFile: async () => '',
    call: async (channel: string, req: Record<string, unknown>) => {
      if (channel === 'datasets.get')
        return { ...DATASETS.find((d) => d.id === req.id)!, imageShape: null, schema: { target: 'class', columns: [], classes: [] } }
      if (channel === 'runs.defaults') return defaultsOf(req.datasetId as string, req.preset as Preset)
      if (channel === 'runs.estimate') return { seconds: 1, basis: 'default' }
      if (channel === 'studies.estimate') return { cells: 1, tasks: 1, seconds: 1, basis: 'default' }
      if (channel === 'datasets.list' || channel === 'datasets.examples') return []
      throw new Error(`unexpected call ${channel}`)
    }
  }
}))

const { useWizardStore } = await import('../../../renderer/src/stores/wizard.ts')
const { useDatasetsStore } = await import('../../../renderer/src/stores/datasets.ts')
const { buildStudySpec } = await import('../../../renderer/src/lib/wizardStudy.ts')

/** Lets the store's watchers and its fetches of each dataset's defaults run. */
async function settle() {
  for (let i = 0; i < 6; i++) await new Promise((r) => setTimeout(r, 0))
}

async function wizardOn(...ids: string[]) {
  setActivePinia(createPinia())
  useDatasetsStore().list = DATASETS
  const w = useWizardStore()
  await w.chooseDataset(ids[0]!)
  if (ids.length > 1) {
    w.setMulti(true)
    for (const id of ids.slice(1)) await w.toggleDataset(id)
  }
  await settle()
  return w
}

/** mulberry32: a small seeded PRNG, so a failing case can be replayed. */
function rng(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('the wizard counts what will train', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('a run: the contract’s tasks, models × seeds × folds (a 3-fold × 2-seed run on wine is 12 tasks for 2 models)', async () => {
    const w = await wizardOn('wine')
    Object.assign(w.config!, { models: ['iunet', 'mlp'], seeds: 2 })
    w.config!.split.kfold = 3
    expect(w.taskCount).toBe(12)
    expect(w.shape!.replicates).toBe(6)
    w.config!.split.kfold = null
    expect(w.taskCount).toBe(4)
  })

  it('a study: the dense MLP over a κ grid trains once per dataset (6 tasks, not 8)', async () => {
    const w = await wizardOn('wine', 'iris')
    Object.assign(w.config!, { models: ['iunet', 'mlp'], seeds: 1 })
    w.sweeps = { kappa: '0.0625, 0.125' }
    await settle()
    expect(w.isStudy).toBe(true)
    expect(w.plan!.cells).toBe(4)
    expect(w.taskCount).toBe(2 * (2 + 1))
  })

  // Property: for random configurations the wizard's count is the contract's plan and an independent count of it:
  // per dataset and model, seeds × folds × the number of distinct values of the swept settings that matter to it.
  it('for 60 random configurations, equals the contract plan (runTasks / planStudy) and an independent count', async () => {
    const next = rng(20260516)
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!
    const some = <T>(xs: readonly T[], min = 1) => {
      const out = xs.filter(() => next() < 0.5)
      return out.length >= min ? out : xs.slice(0, min)
    }
    const MODELS: ModelKind[] = ['iunet', 'mlp', 'resnet', 'omp', 'no-pis', 'no-ilo', 'iunet-noprune']
    const SWEEPS = { kappa: [0.0625, 0.125, 0.5], lambda: [0, 0.5, 1], compressions: [4, 8, 16], width: [16, 32], depth: [1, 2], learningRate: [0.001, 0.003] }
    const MATTERS: Record<keyof typeof SWEEPS, (m: ModelKind) => boolean> = {
      kappa: (m) => RECIPES[m].pis,
      lambda: (m) => RECIPES[m].ilo,
      compressions: (m) => RECIPES[m].prune,
      width: () => true,
      depth: () => true,
      learningRate: () => true
    }
    for (let i = 0; i < 60; i++) {
      const ids = some(['wine', 'iris'])
      const w = await wizardOn(...ids)
      const models = some(MODELS)
      const seeds = 1 + Math.floor(next() * 3)
      const kfold = pick([null, 2, 3, 5])
      Object.assign(w.config!, { models, seeds, compressions: some([2, 4, 8, 16]), epochs: 1, finetuneEpochs: 1, batchSize: 16 })
      w.config!.split.kfold = kfold
      const swept = next() < 0.7 ? some(Object.keys(SWEEPS) as (keyof typeof SWEEPS)[], 0).slice(0, 2) : []
      const values = Object.fromEntries(swept.map((k) => [k, some(SWEEPS[k])]))
      w.sweeps = Object.fromEntries(swept.map((k) => [k, values[k]!.join(', ')]))
      await settle()
      const where = `case ${i}: ${JSON.stringify({ ids, models, seeds, kfold, values })}`
      expect(w.valid, `${where}: ${JSON.stringify(w.issueList)}`).toBe(true)

      const folds = kfold ?? 1
      const independent =
        ids.length * models.reduce((n, m) => n + seeds * folds * swept.filter((k) => MATTERS[k](m)).reduce((v, k) => v * values[k]!.length, 1), 0)
      expect(w.taskCount, where).toBe(independent)
      if (!w.isStudy) expect(w.taskCount, where).toBe(runTasks(w.config!).length)
      else {
        // The spec the wizard sends, planned by the contract as the services plan it (each dataset's own defaults).
        const sent = buildStudySpec({ name: 'x', datasets: w.studyDatasets, config: w.config!, defaults: defaultsOf(ids[0]!, w.preset), grid: w.grid })
        const spec = StudySpec.parse(sent)
        const contract = planStudy(
          spec,
          ids.map((id) => ({ id, name: id, defaults: defaultsOf(id, w.preset) }))
        )
        expect(w.taskCount, where).toBe(contract.tasks)
        expect(w.plan!.cells, where).toBe(contract.cells.length)
      }
    }
  }, 60_000)
})

describe('the wizard names a bound instead of correcting the value', () => {
  it('keeps each typed value and says what is wrong with it, in the contract’s words', async () => {
    const w = await wizardOn('wine')
    const c = w.config!
    Object.assign(c, { models: ['iunet', 'mlp'], epochs: -5, width: 1e9, kappa: -2, batchSize: 1 })
    expect([c.epochs, c.width, c.kappa, c.batchSize]).toEqual([-5, 1e9, -2, 1])
    expect(w.issues.epochs).toBe('must be at least 1')
    expect(w.issues.width).toBe('must be at most 8192')
    expect(w.issues.kappa).toBe('must be greater than 0')
    const sentences = w.issueList.map((i) => i.sentence)
    expect(sentences).toContain('Epochs must be at least 1.')
    expect(sentences.join(' ')).not.toMatch(/Invalid input|expected|received/)
    expect(w.valid).toBe(false)
    // Batch 1 passes the schema but not NT-Xent: the rule the services apply, once the schema is satisfied.
    Object.assign(c, { epochs: 5, width: 64, kappa: 0.125 })
    expect(w.issues.batchSize).toMatch(/^must be at least 2 for IUNet \(pruned\)/)
    c.batchSize = 16
    c.epochs = 2.5
    expect(w.issues.epochs).toBe('must be a whole number')
    c.epochs = null as unknown as number
    expect(w.issues.epochs).toBe('is required')
    c.epochs = 5
    c.compressions = [8, 8]
    expect(w.issues.compressions).toBe('must list each ratio once')
    c.compressions = [8]
    expect(w.valid).toBe(true)
  })

  it('refuses more folds than the smallest dataset has rows, and image-only models on tabular data', async () => {
    const w = await wizardOn('tiny')
    w.config!.split.kfold = 20
    expect(w.issues['split.kfold']).toBe('must be at most the number of rows (12 in "tiny")')
    w.config!.split.kfold = 3
    w.config!.models = ['cnn']
    expect(w.issues.models).toMatch(/^include CNN, which needs image data/)
  })
})
