import { describe, expect, it } from 'vitest'
import { diffConfigs, flattenConfig } from '../../../renderer/src/lib/configDiff.ts'
import { config } from './fixtures.ts'

describe('config diff', () => {
  it('flattens nested settings to dotted keys and skips the name and dataset id', () => {
    const f = flattenConfig(config)
    expect(f['augment.translate']).toBe('1')
    expect(f['split.kfold']).toBe('—')
    expect(f.models).toBe('iunet, mlp')
    expect(f.name).toBeUndefined()
    expect(f.datasetId).toBeUndefined()
  })

  it('keeps only keys that differ, including the dataset by name; nothing for identical runs or a single run', () => {
    const other = { ...config, name: 'second', epochs: 100, augment: { ...config.augment, translate: 2 }, target: 'label' }
    const rows = diffConfigs([
      { config, datasetName: 'digits' },
      { config: other, datasetName: 'digits' }
    ])
    expect(rows).toEqual([
      { key: 'epochs', values: ['30', '100'] },
      { key: 'augment.translate', values: ['1', '2'] },
      { key: 'target', values: ['—', 'label'] }
    ])
    expect(diffConfigs([{ config }, { config: { ...config, name: 'x' } }])).toEqual([])
    expect(diffConfigs([{ config }])).toEqual([])
    expect(
      diffConfigs([
        { config, datasetName: 'a' },
        { config, datasetName: 'b' }
      ])[0]
    ).toEqual({ key: 'dataset', values: ['a', 'b'] })
  })
})
