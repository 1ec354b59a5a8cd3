/** The Training view's rows: one per model × seed × fold, keyed by the contract's taskKey; a fold's epochs stay its own. */
import { describe, expect, it } from 'vitest'
import { runTasks, taskEpochs, type EpochMetrics, type ModelResult } from '../../../main/contract/index.ts'
import { epochsByTask, eventTaskKey, taskStates } from '../../../renderer/src/lib/trainingTasks.ts'
import { config } from './fixtures.ts'

const kfold = { ...config, models: ['iunet', 'mlp'] as const, seeds: 2, epochs: 4, finetuneEpochs: 3, compressions: [8], split: { ...config.split, kfold: 3 } }
const c = { ...kfold, models: [...kfold.models] }

function epoch(model: 'iunet' | 'mlp', seed: number, fold: number | undefined, phase: EpochMetrics['phase'], e: number, valAccuracy = 0.5): EpochMetrics {
  return {
    model,
    seed,
    ...(fold === undefined ? {} : { fold }),
    compression: phase === 'finetune' ? 8 : 1,
    phase,
    epoch: e,
    trainLoss: 1,
    trainAccuracy: 0.5,
    valLoss: 1,
    valAccuracy,
    contrastiveLoss: null,
    seconds: 0.1
  }
}

describe('training tasks', () => {
  it('has a row per task of the contract plan, in its order, each with its fold', () => {
    const states = taskStates(c, new Map(), [])
    expect(states.map((s) => s.key)).toEqual(runTasks(c).map((t) => (t.fold === undefined ? `${t.model}/${t.seed}` : `${t.model}/${t.seed}/${t.fold}`)))
    expect(states).toHaveLength(2 * 2 * 3)
    expect(states.slice(0, 3).map((s) => [s.key, s.fold, s.phase])).toEqual([
      ['iunet/0/0', 0, 'queued'],
      ['mlp/0/0', 0, 'queued'],
      ['iunet/0/1', 1, 'queued']
    ])
    // Each task expects its own budget: IUNet 4 + 3 (one ratio), the MLP the same total in one phase.
    expect(states[0]!.expectedEpochs).toBe(taskEpochs('iunet', c))
    expect(states[1]!.expectedEpochs).toBe(7)
  })

  it('keeps each fold’s epochs apart, so a new fold starting at epoch 1 is its own curve, and marks finished tasks', () => {
    const metrics = [
      epoch('mlp', 0, 0, 'train', 1),
      epoch('mlp', 0, 0, 'train', 2, 0.8),
      // fold 1 of the same seed starts over at epoch 1
      epoch('mlp', 0, 1, 'train', 1, 0.4),
      epoch('iunet', 0, 0, 'supernet', 1)
    ]
    const byTask = epochsByTask(metrics)
    expect([...byTask.keys()]).toEqual(['mlp/0/0', 'mlp/0/1', 'iunet/0/0'])
    expect(byTask.get('mlp/0/0')!.map((e) => e.epoch)).toEqual([1, 2])
    const done = { model: 'mlp', seed: 0, fold: 0, compression: 1 } as ModelResult
    const states = taskStates(c, byTask, [done])
    const s = (k: string) => states.find((x) => x.key === k)!
    expect(s('mlp/0/0')).toMatchObject({ phase: 'done', finished: true, doneEpochs: 7 })
    expect(s('mlp/0/1')).toMatchObject({ phase: 'train', epoch: 1, totalEpochs: 7, doneEpochs: 1, lastValAccuracy: 0.4, finished: false })
    expect(s('iunet/0/0')).toMatchObject({ phase: 'supernet', totalEpochs: 4, doneEpochs: 1 })
    expect(eventTaskKey({ model: 'mlp', seed: 0, fold: 1 })).toBe('mlp/0/1')
  })

  it('without k-fold the keys have no fold, as the contract stores them', () => {
    const plain = { ...c, split: { ...c.split, kfold: null } }
    expect(taskStates(plain, new Map(), []).map((s) => s.key)).toEqual(['iunet/0', 'mlp/0', 'iunet/1', 'mlp/1'])
    expect(eventTaskKey({ model: 'iunet', seed: 1 })).toBe('iunet/1')
  })
})
