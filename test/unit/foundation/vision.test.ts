/** The vision facts of the contract: which images are small natural ones, when a flip keeps the class, how pixels are normalised, and what the presets and run rules make of them. */
import { describe, expect, it } from 'vitest'
import {
  defaultRunConfig,
  flipKeepsClass,
  imageNormalization,
  imageNormalizeFor,
  isSmallNaturalImage,
  runRuleIssues,
  type DataFormat
} from '../../../main/contract/index.ts'

describe('vision facts', () => {
  it('32×32×3 is the small natural-image shape; grey or other sizes are not', () => {
    expect(isSmallNaturalImage([32, 32, 3])).toBe(true)
    expect(isSmallNaturalImage([32, 32, 1])).toBe(false)
    expect(isSmallNaturalImage([28, 28, 3])).toBe(false)
    expect(isSmallNaturalImage(null)).toBe(false)
  })

  it('the presets flip CIFAR (and unknown 32×32×3 colour sets) but not SVHN or IDX digits, and pad-crop by 4 px', () => {
    const flip = (shape: [number, number, number], format?: DataFormat) =>
      defaultRunConfig('quick', { kind: 'image', rows: 1000, nFeatures: shape[0] * shape[1] * shape[2], imageShape: shape, format }).augment
    expect(flip([32, 32, 3], 'cifar-10').flip).toBe(true)
    expect(flip([32, 32, 3], 'cifar-100').flip).toBe(true)
    expect(flip([32, 32, 3], 'image-folder').flip).toBe(true)
    expect(flip([32, 32, 3]).flip).toBe(true)
    expect(flip([32, 32, 3], 'svhn').flip).toBe(false)
    expect(flip([32, 32, 3], 'idx').flip).toBe(false)
    expect(flip([28, 28, 1], 'idx').flip).toBe(false)
    expect(flip([64, 64, 3], 'image-folder').flip).toBe(false)
    expect(flip([32, 32, 3], 'svhn').translate).toBe(4)
    expect(flipKeepsClass([32, 32, 3], 'cifar-10')).toBe(true)
  })

  it('colour images are standardised per channel, grey ones scaled to 0..1; the text carries the stored numbers', () => {
    expect(imageNormalizeFor([32, 32, 3])).toBe('standardize')
    expect(imageNormalizeFor([28, 28, 1])).toBe('unit')
    expect(imageNormalization({ imageShape: null })).toBeNull()
    expect(imageNormalization({ imageShape: [28, 28, 1] })!.text).toBe('pixels scaled to 0..1 (÷ 255)')
    const n = imageNormalization({ imageShape: [32, 32, 3], imageStats: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2434, 0.2616] } })!
    expect(n.mode).toBe('standardize')
    expect(n.text).toBe(
      "per-channel standardisation with the training rows' mean and std (mean R 0.491, G 0.482, B 0.447; std R 0.247, G 0.243, B 0.262 on the 0..1 scale)"
    )
  })

  it('k-fold is refused on a dataset with a published split, allowed otherwise', () => {
    const config = { datasetId: 'd', ...defaultRunConfig('quick', { kind: 'image', rows: 100, nFeatures: 3072, imageShape: [32, 32, 3] }) }
    const kfold = { ...config, split: { ...config.split, kfold: 5 } }
    expect(runRuleIssues(kfold, [{ name: 'c', kind: 'image', rows: 100, publishedSplit: true }]).map((i) => i.path)).toEqual(['split.kfold'])
    expect(runRuleIssues(kfold, [{ name: 'c', kind: 'image', rows: 100 }])).toEqual([])
    expect(runRuleIssues(config, [{ name: 'c', kind: 'image', rows: 100, publishedSplit: true }])).toEqual([])
  })
})
