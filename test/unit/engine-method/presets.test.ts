import { describe, expect, it } from 'vitest'
import { RunConfig } from '../../../main/contract/index.ts'
import { defaultRunConfig, estimateSeconds } from '../../../main/contract/index.ts'

const iris = { kind: 'tabular' as const, rows: 150, nFeatures: 4, imageShape: null }
const digits = { kind: 'image' as const, rows: 1797, nFeatures: 64, imageShape: [8, 8, 1] as [number, number, number] }
const cifar = { kind: 'image' as const, rows: 60000, nFeatures: 3072, imageShape: [32, 32, 3] as [number, number, number] }

describe('presets', () => {
  it('every preset is a valid RunConfig for tabular and image data', () => {
    for (const preset of ['quick', 'standard', 'paper'] as const)
      for (const d of [iris, digits, cifar]) {
        const cfg = { datasetId: 'x', ...defaultRunConfig(preset, d) }
        expect(RunConfig.safeParse(cfg).success).toBe(true)
        expect(cfg.seeds).toBeGreaterThanOrEqual(3)
      }
  })
  it('default models: tabular → iunet, mlp, resnet, omp; image → iunet, mlp, cnn, omp', () => {
    expect(defaultRunConfig('quick', iris).models).toEqual(['iunet', 'mlp', 'resnet', 'omp'])
    expect(defaultRunConfig('standard', digits).models).toEqual(['iunet', 'mlp', 'cnn', 'omp'])
    expect(defaultRunConfig('paper', iris).models).toEqual(expect.arrayContaining(['no-pis', 'no-ilo', 'iunet-noprune']))
  })
  it('paper settings: κ = 0.125, λ = 1, τ = 0.5, compression 8 and 16', () => {
    const p = defaultRunConfig('paper', iris)
    expect([p.kappa, p.lambda, p.tau]).toEqual([0.125, 1, 0.5])
    expect(p.compressions).toEqual([8, 16])
  })
  it('augmentation defaults fit the data: SCARF for tables, translation for grey digits, colour ops for RGB, no flip', () => {
    expect(defaultRunConfig('quick', iris).augment.corruption).toBe(0.4)
    const d = defaultRunConfig('quick', digits).augment
    expect([d.translate, d.flip, d.colorJitter, d.grayscale, d.corruption]).toEqual([1, false, 0, 0, 0])
    const c = defaultRunConfig('quick', cifar).augment
    expect(c.translate).toBe(4)
    expect(c.colorJitter).toBeGreaterThan(0)
    expect(c.cropScale).toBeLessThan(1)
  })
  it('estimateSeconds grows with the budget and uses the bench when given', () => {
    const q = defaultRunConfig('quick', iris)
    const s = defaultRunConfig('standard', iris)
    const eq = estimateSeconds(q, iris, null)
    expect(eq).toBeGreaterThan(0)
    expect(estimateSeconds(s, iris, null)).toBeGreaterThan(eq)
    const fast = { backend: 'wasm', mlpSamplesPerSecond: 1e6, cnnImagesPerSecond: 1e4, quickComparisonSeconds: null, measuredAt: '' }
    expect(estimateSeconds(defaultRunConfig('standard', cifar), cifar, fast)).toBeLessThan(estimateSeconds(defaultRunConfig('standard', cifar), cifar, null))
  })
})

describe('big data', () => {
  it('quick samples a big file to 50k rows and sizes epochs and estimates for the sample', () => {
    const big = { kind: 'tabular' as const, rows: 1_000_000, nFeatures: 20, imageShape: null }
    const quick = defaultRunConfig('quick', big)
    expect(quick.maxRows).toBe(50_000)
    expect(defaultRunConfig('quick', { ...big, rows: 150 }).maxRows).toBeNull()
    expect(defaultRunConfig('standard', big).maxRows ?? null).toBeNull()
    const sampled = estimateSeconds(quick, big, null)
    expect(estimateSeconds({ ...quick, maxRows: null }, big, null)).toBeGreaterThan(sampled * 5)
  })
})
