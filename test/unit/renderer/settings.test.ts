/** The wizard's settings as the contract describes them: label, help, step and range from metadata and schema. */
import { describe, expect, it } from 'vitest'
import { settingBounds } from '../../../main/contract/index.ts'
import { getSetting, percentRange, rangeText, setSetting, settingView } from '../../../renderer/src/lib/settings.ts'
import { config } from './fixtures.ts'

describe('wizard settings', () => {
  it('reads label, help, step and range from the contract', () => {
    expect(settingView('epochs')).toMatchObject({ label: 'Epochs', step: 1, range: '1 to 2000, whole' })
    expect(settingView('epochs').help).toMatch(/unpruned models train epochs \+ finetune epochs \(the same budget\)/)
    expect(settingView('kappa')).toMatchObject({ label: 'κ (PIS init scale)', step: 0.025, range: '> 0 and ≤ 1' })
    expect(settingView('augment.translate')).toMatchObject({ unit: 'px', range: '0 to 16, whole' })
    expect(settingView('batchSize').range).toBe(rangeText(settingBounds('batchSize')))
    expect(() => settingView('nonsense')).toThrow(/not a run setting/)
    expect(percentRange('split.val')).toBe('more than 0 % and less than 100 %')
  })

  it('reads and writes settings by dotted path, keeping what was written', () => {
    const c = structuredClone(config)
    expect(getSetting(c, 'augment.noise')).toBe(0)
    setSetting(c, 'augment.noise', 0.3)
    setSetting(c, 'epochs', -5)
    expect([c.augment.noise, c.epochs]).toEqual([0.3, -5])
  })
})
