import { describe, expect, it } from 'vitest'
import { calls, defaultRunConfig, parseRequest, ApiError, type Channel } from '../../../main/contract/index.ts'

const validRunConfig = () => ({ datasetId: 'd', ...defaultRunConfig('quick', { kind: 'tabular', rows: 150, nFeatures: 4, imageShape: null }) })

const channels = Object.keys(calls) as Channel[]

/** Payloads that no channel may accept. */
const malformed: [string, unknown][] = [
  ['a number', 42],
  ['a string', 'datasets'],
  ['an array', [1, 2]],
  ['null', null],
  ['an unknown field with wrong types', { id: 7, path: false, datasetId: [], bogus: true }]
]

describe('contract validation', () => {
  it.each(channels)('%s rejects malformed payloads with a clear error', (channel) => {
    for (const [what, payload] of malformed) {
      let err: unknown
      try {
        parseRequest(channel, payload)
      } catch (e) {
        err = e
      }
      expect(err, `${channel} accepted ${what}`).toBeInstanceOf(ApiError)
      expect((err as ApiError).code).toBe('invalid-request')
      expect((err as ApiError).message).toContain(`Invalid request for ${channel}`)
      expect((err as ApiError).details?.length).toBeGreaterThan(0)
    }
  })

  it('names the offending field', () => {
    expect(() => parseRequest('datasets.preview', { id: 'x', rows: 100000 })).toThrow('"rows" must be at most 500.')
    expect(() => parseRequest('datasets.get', { id: '' })).toThrow('"id": id is empty.')
    // A RunConfig's settings are named by their labels, with the bound that was crossed, never zod's wording.
    expect(() => parseRequest('runs.start', { datasetId: 'd' })).toThrow('Models is required.')
    const bad = () => parseRequest('runs.start', { ...validRunConfig(), epochs: -5, width: 1e9, kappa: -2, finetuneEpochs: 1.5 })
    expect(bad).toThrow(
      'Epochs must be at least 1. Finetune epochs must be a whole number. Width must be at most 8192. κ (PIS init scale) must be greater than 0.'
    )
    expect(bad).not.toThrow(/Too small|Too big|Invalid input|expected int/)
  })

  it('accepts well-formed payloads', () => {
    expect(parseRequest('datasets.list', {})).toEqual({})
    expect(parseRequest('datasets.list', undefined)).toEqual({})
    expect(parseRequest('datasets.preview', { id: 'abc' })).toEqual({ id: 'abc', rows: 20 })
    expect(parseRequest('settings.set', { backend: 'wasm' })).toEqual({ backend: 'wasm' })
  })

  it('rejects unknown channels', () => {
    expect(() => parseRequest('nope' as Channel, {})).toThrow(/Unknown channel/)
  })

  it('checks split fractions sum to one', () => {
    const split = calls['runs.start'].req.shape.split
    expect(split.safeParse({ train: 0.7, val: 0.15, test: 0.15, kfold: null }).success).toBe(true)
    const bad = split.safeParse({ train: 0.7, val: 0.2, test: 0.2, kfold: null })
    expect(bad.success).toBe(false)
    expect(bad.error?.issues[0]?.message).toMatch(/sum to 1/)
  })
})
