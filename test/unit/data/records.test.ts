/** New rows against a stored preprocessing: clear errors for missing columns, wrong types, unseen categories. */
import { describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkRecords, encodeRecords, readCsvRecords } from '../../../main/data/records.ts'
import type { SerializedPreprocessor } from '../../../main/data/preprocess.ts'

const pre: SerializedPreprocessor = {
  version: 1,
  kind: 'tabular',
  target: 'y',
  classNames: ['a', 'b'],
  steps: [
    { kind: 'numeric', name: 'age', median: 40, mean: 30, std: 10, indicator: false },
    { kind: 'categorical', name: 'city', levels: ['Oslo', 'Rome'], other: true, mode: 'Rome', indicator: false },
    { kind: 'categorical', name: 'size', levels: ['S', 'L'], other: false, mode: 'S', indicator: false }
  ],
  image: null,
  nFeatures: 6,
  featureGroups: [
    [0, 1],
    [1, 3],
    [4, 2]
  ],
  numericMask: [1, 0, 0, 0, 0, 0]
}
const cols = ['age', 'city', 'size']

describe('checkRecords / encodeRecords', () => {
  it('encodes like training: imputation, one-hot, unseen categories into "other" (counted)', () => {
    const { x, check } = encodeRecords(pre, cols, [
      { age: '50', city: 'Oslo', size: 'L' },
      { age: 'NA', city: 'Paris', size: '' }
    ])
    expect(Array.from(x)).toEqual([2, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0])
    expect(check.pooledIntoOther).toEqual({ city: 1 })
  })

  it('names a missing column', () => {
    expect(() => checkRecords(pre, ['age', 'size'], [])).toThrow(/lacks 1 column the model needs: "city"/)
  })

  it('names wrong types and unseen categories of a column without "other", by row and column', () => {
    let err: (Error & { details?: string[]; code?: string }) | null = null
    try {
      checkRecords(pre, cols, [
        { age: '12', city: 'Oslo', size: 'S' },
        { age: 'old', city: 'Oslo', size: 'XL' }
      ])
    } catch (e) {
      err = e as Error
    }
    expect(err?.code).toBe('invalid-data')
    expect(err?.details).toEqual([
      'row 2, column "age": "old" is not a number',
      expect.stringMatching(/^row 2, column "size": "XL" is a category the model never saw \(known: "S", "L"; this column has no "other" level\)/)
    ])
  })

  it('reads a CSV with CRLF lines, a BOM and semicolons', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iunet-rec-'))
    const path = join(dir, 'x.csv')
    writeFileSync(path, '\uFEFFage;city;size\r\n1;Oslo;S\r\n2;Rome;L\r\n')
    const r = await readCsvRecords(path)
    expect(r.columns).toEqual(cols)
    expect(r.records).toEqual([
      { age: '1', city: 'Oslo', size: 'S' },
      { age: '2', city: 'Rome', size: 'L' }
    ])
  })
})
