/**
 * Parquet written by another implementation (parquet-wasm, i.e. Rust's arrow-rs; fixtures and their generator in
 * test/fixtures/parquet): snappy, gzip, zstd and brotli pages, dictionary encoding, 4 row groups, nulls. Every value
 * must come back as written (expected.json, from the same generator; float32 values compared exactly as written),
 * with the schema's types; damaged files must be refused by name.
 */
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet'
import { afterAll, describe, expect, it } from 'vitest'
import { inspectFile, loadSource, prepare } from '../../../main/data/index.ts'
import type { CategoricalColumn, NumericColumn } from '../../../main/data/index.ts'

const DIR = join(import.meta.dirname, '../../fixtures/parquet')
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, Array<number | string | null>> & { rows: number }
const root = await mkdtemp(join(tmpdir(), 'iunet-parquet-'))
afterAll(() => rm(root, { recursive: true, force: true }))
const load = (path: string) => loadSource(path, { path })

describe.each(['snappy', 'gzip', 'zstd', 'brotli'])('Parquet with %s pages', (codec) => {
  const path = join(DIR, `types.${codec}.parquet`)

  it('the fixture really uses this codec, dictionary encoding and several row groups', async () => {
    const m = await parquetMetadataAsync(await asyncBufferFromFile(path))
    expect(m.row_groups).toHaveLength(4)
    const chunks = m.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data!))
    expect(new Set(chunks.map((c) => c.codec))).toEqual(new Set([codec.toUpperCase()]))
    expect(chunks.some((c) => c.encodings.includes('RLE_DICTIONARY'))).toBe(true)
  })

  it('reads every value as written, nulls as missing, types from the schema', async () => {
    const r = await load(path)
    expect(r.schema.format).toBe('parquet')
    expect(r.table.rows).toBe(expected.rows)
    for (const name of ['count', 'big', 'x', 'f', 'flag', 'day']) {
      const col = r.table.columns.find((c) => c.name === name) as NumericColumn
      expect(col.kind, name).toBe('num')
      expect(
        Array.from(col.values, (v) => (Number.isNaN(v) ? null : v)),
        name
      ).toEqual(expected[name])
    }
    for (const name of ['colour', 'class']) {
      const col = r.table.columns.find((c) => c.name === name) as CategoricalColumn
      expect(
        Array.from(col.codes, (k) => (k < 0 ? null : col.levels[k])),
        name
      ).toEqual(expected[name])
    }
    const type = (n: string) => r.schema.columns.find((c) => c.name === n)!
    expect(type('count').type).toBe('numeric')
    expect(type('count').missing).toBe(expected.count.filter((v) => v === null).length)
    expect(type('flag').type).toBe('boolean')
    expect(type('colour').type).toBe('categorical')
    expect(type('day').type).toBe('numeric')
    expect(r.schema.target).toBe('class')
    const p = prepare(r.table, r.schema, { train: 0.6, val: 0.2, test: 0.2, kfold: null }, 1)
    expect(p.classNames).toEqual(['bird', 'cat', 'dog'])
  })
})

describe('Parquet', () => {
  it('leaves nested columns out with a warning and reads the flat ones', async () => {
    const s = await inspectFile(join(DIR, 'nested.snappy.parquet'))
    expect(s.columns.map((c) => c.name)).toEqual(['id', 'label'])
    expect(s.warnings).toContainEqual('Nested column "tags" (lists, structs or maps) was not read.')
  })

  const good = readFileSync(join(DIR, 'types.snappy.parquet'))
  const bad: Array<[string, Buffer, RegExp]> = [
    [
      'a corrupt footer',
      Buffer.concat([good.subarray(0, good.length - 8), Buffer.from([0xff, 0xff, 0xff, 0x7f]), Buffer.from('PAR1')]),
      /"bad\.parquet" is not a readable Parquet file \(.*\); it may be damaged or cut short/
    ],
    ['a file cut short', good.subarray(0, 3000), /"bad\.parquet" is not a readable Parquet file/],
    ['a damaged page', Buffer.from(good.map((b, i) => (i > 200 && i < 1200 ? b ^ 0x5a : b))), /"bad\.parquet" is not a readable Parquet file/],
    ['only the magic bytes', Buffer.from('PAR1PAR1'), /"bad\.parquet" is not a readable Parquet file/]
  ]
  it.each(bad)('refuses %s', async (_n, bytes, error) => {
    const p = join(root, 'bad.parquet')
    await writeFile(p, bytes)
    await expect(inspectFile(p)).rejects.toMatchObject({ code: 'invalid-data', message: expect.stringMatching(error) })
  })
})
