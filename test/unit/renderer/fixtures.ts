/** Hand-made run data for the renderer helpers' tests (shapes follow the contract). */
import type { MeanStd, ModelAggregate, ModelKind, RunConfig, RunDetail } from '../../../main/contract/index.ts'

export const ms = (mean: number, std = 0, n = 3): MeanStd => ({ mean, std, n })

export function agg(model: ModelKind, compression: number, acc: number, over: Partial<ModelAggregate> = {}): ModelAggregate {
  return {
    model,
    compression,
    seeds: 3,
    params: 1000,
    nonzeroParams: Math.round(1000 / compression),
    flopsDense: 2000,
    flopsSparse: 2000 / compression,
    accuracy: ms(acc, 0.01),
    balancedAccuracy: ms(acc - 0.02, 0.01),
    macroF1: ms(acc - 0.03, 0.01),
    invariancePrediction: ms(0.9, 0.01),
    invarianceRepresentation: ms(0.8, 0.02),
    supernetValAccuracy: compression > 1 ? ms(0.85, 0.01) : null,
    trainSeconds: ms(10, 1),
    inferenceMsPerExample: ms(0.01, 0.001),
    ...over
  }
}

export const config: RunConfig = {
  datasetId: 'ds1',
  name: 'first',
  models: ['iunet', 'mlp'],
  preset: 'quick',
  seeds: 3,
  compressions: [8],
  epochs: 30,
  finetuneEpochs: 30,
  batchSize: 64,
  learningRate: 0.003,
  weightDecay: 0,
  depth: 2,
  width: 256,
  kappa: 0.125,
  lambda: 1,
  tau: 0.5,
  projectionHead: true,
  augment: { translate: 1, flip: false, cropScale: 1, colorJitter: 0, grayscale: 0, corruption: 0, noise: 0 },
  split: { train: 0.7, val: 0.15, test: 0.15, kfold: null },
  patience: 0
}

export function run(id: string, aggregates: ModelAggregate[], over: Partial<RunDetail> = {}): RunDetail {
  return {
    id,
    name: `run ${id}`,
    datasetId: 'ds1',
    datasetName: 'digits',
    status: 'finished',
    models: [...new Set(aggregates.map((a) => a.model))],
    preset: 'quick',
    seeds: 3,
    folds: null,
    backend: 'cpu',
    createdAt: '2026-01-01T00:00:00Z',
    startedAt: null,
    finishedAt: null,
    error: null,
    bestAccuracy: null,
    bestModel: null,
    progress: 1,
    studyId: null,
    config,
    dataset: null,
    results: [],
    aggregates,
    comparisons: [],
    classNames: ['a', 'b'],
    imageShape: null,
    ...over
  }
}
