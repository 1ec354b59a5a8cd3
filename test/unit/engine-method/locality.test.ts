/**
 * The first-layer locality of real tabular runs (penguins: numbers and categorical columns one-hot encoded): every
 * unit of the dense MLP reads every feature; the pruned IUNet's figure covers every unit, agrees with its own mask,
 * and the drawn artifact carries the feature grouping.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { resolve } from 'node:path'
import '../../../main/engine/tfgrad/register.ts'
import { initBackend } from '../../../main/engine/backend.ts'
import { runJob } from '../../../main/engine/pipeline.ts'
import { defaultRunConfig, featuresPerUnit, type PreparedData, type RunConfig } from '../../../main/contract/index.ts'
import { loadSource, prepare } from '../../../main/data/index.ts'

let data: PreparedData
let config: RunConfig
const hooks = { onProgress: () => {}, isCancelled: () => false }

beforeAll(async () => {
  await initBackend('wasm')
  const src = await loadSource(resolve('resources/examples/penguins.csv'), { target: 'species' })
  data = prepare(src.table, src.schema, { train: 0.7, val: 0.15, test: 0.15, kfold: null }, 0)
  const features = src.schema.columns.filter((c) => c.role === 'feature').length
  config = {
    datasetId: 'p',
    ...defaultRunConfig('quick', { kind: 'tabular', rows: src.schema.rows, nFeatures: features, imageShape: null }),
    epochs: 2,
    finetuneEpochs: 2,
    width: 32,
    depth: 1,
    compressions: [16]
  }
})

describe('first-layer locality', () => {
  it('groups the one-hot columns back to their feature', () => {
    expect(data.featureNames).toEqual(['island', 'bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g', 'sex'])
    expect(data.nFeatures).toBeGreaterThan(data.featureNames!.length)
  })

  it('a dense MLP: every unit reads every feature', async () => {
    const out = await runJob({ model: 'mlp', seed: 0, config, data }, hooks)
    const l = out.results[0]!.locality!
    expect(l).toMatchObject({ features: 6, units: 32, singleFeatureShare: 0, meanFeatures: 6 })
    expect(l.histogram).toEqual([0, 0, 0, 0, 0, 0, 32])
  }, 60_000)

  it('IUNet at 1/16: the figure covers every unit and agrees with the drawn units’ mask', async () => {
    const out = await runJob({ model: 'iunet', seed: 0, config, data }, hooks)
    const l = out.results[0]!.locality!
    expect(l.units).toBe(32)
    expect(l.histogram.reduce((a, b) => a + b, 0)).toBe(32)
    expect(l.meanFeatures).toBeLessThan(6)
    const a = out.firstLayer[0]!
    expect(a.features!.names).toEqual(data.featureNames)
    // The artifact keeps up to 64 units, most connected first: here all 32, so its counts make the same histogram.
    const counts = featuresPerUnit(a.mask, a.inputs, a.units, a.features!.groups, 'units×inputs')
    const histogram = Array.from({ length: 7 }, (_, f) => counts.filter((c) => c === f).length)
    expect(histogram).toEqual(l.histogram)
  }, 60_000)
})
