/**
 * ARFF: files written by liac-arff (Debian's python3-liac-arff) — dense and sparse, quoted names and values with
 * spaces, commas and quotes, string attributes, missing values — and hand-written edge cases (dates, comments,
 * integer/real types, gzip). The declared types must be kept (a {0,1} nominal stays categorical, a 0/1 numeric
 * stays numeric) and the default target must be the last nominal attribute.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { inspectFile, loadSource, prepare } from '../../../main/data/index.ts'
import type { CategoricalColumn, NumericColumn } from '../../../main/data/index.ts'
import { python, pythonMissing } from './formatFixtures.ts'

const root = await mkdtemp(join(tmpdir(), 'iunet-arff-'))
afterAll(() => rm(root, { recursive: true, force: true }))
const load = (path: string, extra: Record<string, unknown> = {}) => loadSource(path, { path, ...extra })
const file = async (name: string, body: string | Buffer) => {
  const p = join(root, name)
  await writeFile(p, body)
  return p
}
const cat = (t: { columns: unknown[] }, name: string) => {
  const c = (t.columns as CategoricalColumn[]).find((x) => x.name === name)!
  return Array.from(c.codes, (k) => (k < 0 ? null : c.levels[k]))
}
const num = (t: { columns: unknown[] }, name: string) => Array.from((t.columns as NumericColumn[]).find((x) => x.name === name)!.values)

const missing = pythonMissing('arff')

/** 60 rows: a numeric, a 0/1 numeric, a {0,1} nominal, a nominal with spaces and quotes, a string, the class. */
const MAKE = `
import arff
rows = []
for i in range(60):
    rows.append([i * 0.5 if i % 7 else None, i % 2, str(i % 2), ['red one', "it's", 'x,y'][i % 3], 'note %d, "quoted"' % i, ['good', 'bad'][i % 2]])
attrs = [('width cm', 'REAL'), ('flag', 'INTEGER'), ('bin', ['0', '1']), ('colour', ['red one', "it's", 'x,y', 'unused']), ('comment', 'STRING'), ('class', ['good', 'bad'])]
open('dense.arff', 'w').write(arff.dumps({'relation': 'a test, with spaces', 'description': 'written by liac-arff', 'attributes': attrs, 'data': rows}))
sparse = []
for i in range(40):
    d = {}
    if i % 3: d[0] = float(i)
    if i % 4 == 0: d[2] = 'v'
    d[3] = ['p', 'q'][i % 2]
    sparse.append(d)
open('sparse.arff', 'w').write(arff.dumps({'relation': 'sp', 'attributes': [('a', 'NUMERIC'), ('b', 'NUMERIC'), ('c', ['u', 'v']), ('y', ['p', 'q'])], 'data': sparse}))
`

describe.skipIf(missing)(`ARFF written by liac-arff${missing ? ` (skipped: ${missing})` : ''}`, async () => {
  const dir = join(root, 'liac')
  if (!missing) {
    await mkdir(dir, { recursive: true })
    python(MAKE, dir)
  }

  it('dense: declared types kept, quoted names and values read, ? missing, target = last nominal', async () => {
    const r = await load(join(dir, 'dense.arff'))
    expect(r.schema.format).toBe('arff')
    expect(r.schema.kind).toBe('tabular')
    expect(r.table.rows).toBe(60)
    expect(r.schema.target).toBe('class')
    const type = (n: string) => r.schema.columns.find((c) => c.name === n)!
    expect(type('width cm').type).toBe('numeric')
    expect(type('width cm').missing).toBe(9)
    // declared types are not re-guessed: a 0/1 integer stays numeric, a {0,1} nominal stays categorical
    expect(type('flag').type).toBe('numeric')
    expect(type('bin').type).toBe('categorical')
    expect(type('colour').type).toBe('categorical')
    expect(type('comment').type).toBe('text')
    expect(type('comment').role).toBe('ignore')
    expect(cat(r.table, 'colour').slice(0, 3)).toEqual(['red one', "it's", 'x,y'])
    expect(cat(r.table, 'comment')[4]).toBe('note 4, "quoted"')
    expect(num(r.table, 'width cm').slice(4, 7)).toEqual([2, 2.5, 3])
    expect(Number.isNaN(num(r.table, 'width cm')[7 * 2])).toBe(true)
    // declared level order is the class order
    expect(prepare(r.table, r.schema, { train: 0.6, val: 0.2, test: 0.2, kfold: null }, 1).classNames).toEqual(['good', 'bad'])
  })

  it('sparse: omitted numbers are 0, an omitted nominal is its first declared value (Weka)', async () => {
    const r = await load(join(dir, 'sparse.arff'))
    expect(r.table.rows).toBe(40)
    expect(num(r.table, 'a').slice(0, 4)).toEqual([0, 1, 2, 0])
    expect(num(r.table, 'b').every((v) => v === 0)).toBe(true)
    expect(cat(r.table, 'c').slice(0, 5)).toEqual(['v', 'u', 'u', 'u', 'v'])
    expect(r.schema.target).toBe('y')
  })
})

describe('ARFF by hand', () => {
  const HEAD = `% OpenML-style header
% with comments

@RELATION 'weather'
@ATTRIBUTE outlook {sunny, overcast, "light rain"}
@attribute temperature real
@attribute humidity integer
@attribute when date "yyyy-MM-dd HH:mm"
@attribute windy {TRUE, FALSE}
@attribute play {yes, no}
@attribute id numeric

@DATA
% a comment among the rows
`
  const rows = Array.from(
    { length: 30 },
    (_, i) =>
      `${['sunny', 'overcast', "'light rain'"][i % 3]},${(20 + i * 0.37).toFixed(2)},${60 + i},"2024-03-${String(1 + (i % 28)).padStart(2, '0')} 12:30",${i % 2 ? 'TRUE' : 'FALSE'},${i % 3 ? 'yes' : 'no'},${i}`
  ).join('\n')

  it('dates are seconds since 1970 (UTC), a default target the last nominal even when other columns follow', async () => {
    const r = await load(await file('weather.arff', HEAD + rows + '\n'))
    expect(r.schema.target).toBe('play')
    expect(num(r.table, 'when')[0]).toBe(Date.UTC(2024, 2, 1, 12, 30) / 1000)
    expect(r.schema.columns.find((c) => c.name === 'when')!.type).toBe('numeric')
    expect(r.schema.warnings).toContainEqual(expect.stringMatching(/Date attributes \("when"\) are read as numbers: seconds since 1970/))
    expect(cat(r.table, 'outlook')[2]).toBe('light rain')
    expect(r.schema.columns.find((c) => c.name === 'id')!.role).toBe('ignore')
  })

  it('reads .arff.gz as a stream, to the same table and a hash of the compressed bytes', async () => {
    const body = HEAD + rows + '\n'
    const a = await load(await file('w2.arff', body))
    const g = await load(await file('w2.arff.gz', gzipSync(body)))
    expect(g.name).toBe('w2')
    expect(g.schema.columns).toEqual(a.schema.columns)
    expect(g.hash).not.toBe(a.hash)
    expect(g.sizeBytes).toBeLessThan(a.sizeBytes)
  })

  it('the target can be any attribute; a continuous one is refused as for CSV', async () => {
    const path = await file('w3.arff', HEAD + rows + '\n')
    expect((await load(path, { target: 'outlook' })).schema.classes).toHaveLength(3)
    await expect(load(path, { target: 'temperature' })).rejects.toThrow(/"temperature" looks continuous/)
  })

  const bad: Array<[string, string, RegExp]> = [
    [
      'an undeclared nominal value',
      HEAD + 'sunny,20,60,"2024-03-01 12:30",TRUE,maybe,1\n',
      /Line 15 of "bad\.arff": "maybe" is not a declared value of the nominal attribute "play" \(declared: "yes", "no"\)/
    ],
    ['a truncated record', HEAD + rows + '\nsunny,20,60', /Line 45 of "bad\.arff": 3 values where 7 attributes are declared/],
    [
      'a number that is none',
      HEAD + 'sunny,warm,60,"2024-03-01 12:30",TRUE,yes,1\n',
      /Line 15 of "bad\.arff": the value "warm" of the numeric attribute "temperature" is not a number/
    ],
    [
      'a date in the wrong format',
      HEAD + 'sunny,20,60,"01/03/2024",TRUE,yes,1\n',
      /the value "01\/03\/2024" of the date attribute "when" does not match its format "yyyy-MM-dd HH:mm"/
    ],
    [
      'an unknown type',
      '@relation r\n@attribute a numeric\n@attribute b bogus\n@data\n1,2\n',
      /Line 3 of "bad\.arff": the attribute "b" has the unknown type "bogus"/
    ],
    ['no @data', '@relation r\n@attribute a numeric\n@attribute c {x,y}\n', /"bad\.arff" has no "@data" section/],
    ['no rows', '@relation r\n@attribute a numeric\n@attribute c {x,y}\n@data\n% nothing\n', /declares 2 attributes but has no data rows/],
    ['an unclosed quote', "@relation r\n@attribute a numeric\n@attribute c {x,y}\n@data\n1,'x\n", /Line 5 of "bad\.arff": a quote \('\) is never closed/],
    [
      'a sparse index past the end',
      '@relation r\n@attribute a numeric\n@attribute c {x,y}\n@data\n{0 1, 5 y}\n',
      /Line 5 of "bad\.arff": the sparse index 5 is past the last attribute \(1\)/
    ],
    ['a duplicate attribute', '@relation r\n@attribute a numeric\n@attribute a {x,y}\n@data\n', /Line 3 of "bad\.arff": the attribute "a" is declared twice/],
    ['relational attributes', '@relation r\n@attribute bag relational\n@data\n', /relational \(multi-instance data\), which is not supported/]
  ]
  it.each(bad)('refuses %s, naming the line', async (_n, body, error) => {
    await expect(inspectFile(await file('bad.arff', body))).rejects.toMatchObject({ code: 'invalid-data', message: expect.stringMatching(error) })
  })

  it('refuses a cut .arff.gz as an incomplete download', async () => {
    const gz = gzipSync(HEAD + (rows + '\n').repeat(20))
    await expect(inspectFile(await file('cut.arff.gz', gz.subarray(0, gz.length - 30)))).rejects.toThrow(
      /"cut\.arff\.gz" is not a valid gzip file \(it ends too early\)/
    )
  })
})
