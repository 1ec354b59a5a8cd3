import { describe, expect, it } from 'vitest'
import {
  defaultRunConfig,
  estimateSeconds,
  isLive,
  isResumable,
  pairedTestName,
  ratioLabel,
  replicatesText,
  resultKey,
  resultLabel,
  runConfigIssues,
  runResults,
  runShape,
  runTasks,
  taskEpochs,
  taskKey,
  taskLabel,
  tasksText,
  trainRowsOf,
  type RunConfig
} from '../../../main/contract/index.ts'

const data = { kind: 'tabular' as const, rows: 178, nFeatures: 13, imageShape: null }
const base = (over: Partial<RunConfig> = {}): RunConfig => ({ datasetId: 'd', ...defaultRunConfig('quick', data), ...over })
const kfold = (k: number | null) => ({ train: 0.7, val: 0.15, test: 0.15, kfold: k })

describe('run shape', () => {
  it('has one task per model × seed × fold, seed-major, and one result per pruned ratio', () => {
    const c = base({ models: ['iunet', 'mlp'], seeds: 2, split: kfold(3), compressions: [8, 16] })
    const tasks = runTasks(c)
    expect(tasks).toHaveLength(2 * 2 * 3)
    expect(tasks.slice(0, 3)).toEqual([
      { model: 'iunet', seed: 0, fold: 0 },
      { model: 'mlp', seed: 0, fold: 0 },
      { model: 'iunet', seed: 0, fold: 1 }
    ])
    // iunet yields 2 ratios per task, the dense MLP one result.
    expect(runResults(c)).toHaveLength(2 * 3 * (2 + 1))
    expect(runShape(c).replicates).toBe(6)
    expect(tasksText(c)).toBe('12 training tasks (2 models × 2 seeds × 3 folds)')
    expect(replicatesText(c)).toBe('2 seeds × 3 folds')
    expect(pairedTestName(c)).toBe('corrected resampled t-test')
  })

  it('has no fold without k-fold, and keys that keep the fold when there is one', () => {
    const c = base({ models: ['mlp'], seeds: 3, split: kfold(null) })
    expect(runTasks(c)).toEqual([0, 1, 2].map((seed) => ({ model: 'mlp', seed })))
    expect(replicatesText(c)).toBe('3 seeds')
    expect(pairedTestName(c)).toBe('paired t-test')
    expect(taskKey({ model: 'mlp', seed: 2 })).toBe('mlp/2')
    expect(taskKey({ model: 'mlp', seed: 2, fold: 0 })).toBe('mlp/2/0')
    expect(resultKey({ model: 'iunet', seed: 1, fold: 2, compression: 8 })).toBe('iunet/1/2@8')
  })

  it('names tasks and results the same way everywhere', () => {
    const c = base({ split: kfold(3) })
    expect(resultLabel({ model: 'iunet', seed: 1, fold: 1, compression: 8 }, c)).toBe('IUNet (pruned) 1/8 · seed 1 · fold 2/3')
    expect(taskLabel({ model: 'mlp', seed: 0, fold: 2 }, c)).toBe('Dense MLP · seed 0 · fold 3/3')
    expect(taskLabel({ model: 'mlp', seed: 4 })).toBe('Dense MLP · seed 4')
    expect(ratioLabel(16)).toBe('1/16')
    expect(ratioLabel(1)).toBe('dense')
  })

  it('budgets epochs per task: pruned rows finetune once per distinct ratio, dense rows get the same total', () => {
    const c = { epochs: 7, finetuneEpochs: 5, compressions: [8, 16, 16] }
    expect(taskEpochs('iunet', c)).toBe(7 + 5 * 2)
    expect(taskEpochs('mlp', c)).toBe(12)
  })

  it('prices every fold: the estimate of a 3-fold run is about 3 × that of one split with the same train rows', () => {
    const one = base({ models: ['mlp'], seeds: 2, split: kfold(null) })
    const three = base({ models: ['mlp'], seeds: 2, split: kfold(3) })
    const ten = base({ models: ['mlp'], seeds: 2, split: kfold(10) })
    // k-fold trains on (k−1)/k of the rows less the validation part (val : train = 0.15 : 0.7).
    expect(trainRowsOf(three, 178)).toBe(Math.floor(178 * (2 / 3) * (0.7 / 0.85)))
    expect(trainRowsOf(one, 178)).toBe(Math.floor(178 * 0.7))
    // A published split (CIFAR: 50,000 of 60,000 rows) trains on its training part less the validation cut from it.
    expect(trainRowsOf(one, 60_000, 50_000)).toBe(Math.floor(50_000 * (0.7 / 0.85)))
    const e1 = estimateSeconds(one, data, null)
    const e3 = estimateSeconds(three, data, null)
    const e10 = estimateSeconds(ten, data, null)
    expect(e3).toBeGreaterThan(2 * e1)
    expect(e10).toBeGreaterThan(2.5 * e3)
  })

  it('tells live and resumable statuses', () => {
    expect(['queued', 'running'].every((s) => isLive(s as never))).toBe(true)
    expect(isLive('finished')).toBe(false)
    expect(isResumable('interrupted') && isResumable('failed')).toBe(true)
    expect(isResumable('cancelled')).toBe(false)
  })
})

describe('run rules', () => {
  const wine = { name: 'wine', kind: 'tabular' as const, rows: 178 }
  it('names each bound that was crossed, never correcting it', () => {
    const { config, issues } = runConfigIssues({ ...base(), epochs: -5, width: 1e9, kappa: -2, batchSize: 0 }, [wine])
    expect(config).toBeNull()
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ['epochs', 'must be at least 1'],
      ['batchSize', 'must be at least 1'],
      ['width', 'must be at most 8192'],
      ['kappa', 'must be greater than 0']
    ])
  })
  it('checks the config against the data and across fields', () => {
    const c = { ...base(), models: ['iunet', 'cnn'], compressions: [8, 8], batchSize: 1, split: kfold(5) }
    const { issues } = runConfigIssues(c, [wine, { name: 'tiny', kind: 'tabular', rows: 4 }])
    expect(issues.map((i) => i.path)).toEqual(['models', 'split.kfold', 'compressions', 'batchSize'])
    expect(issues[1]!.sentence).toBe('Folds (k) must be at most the number of rows (4 in "tiny").')
    expect(issues[3]!.sentence).toContain('Batch size must be at least 2 for IUNet (pruned)')
    // A dense MLP alone may train on batches of one.
    expect(runConfigIssues({ ...base(), models: ['mlp'], batchSize: 1 }, [wine]).issues).toEqual([])
  })
})
