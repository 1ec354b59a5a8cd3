/** Encodings, delimiters, quoting and header detection of the CSV reader. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { inspectFile, loadSource } from '../../../main/data/index.ts'
import { looksLikeProse } from '../../../main/data/csv/sniff.ts'
import { cellText } from '../../../main/data/table.ts'

const dir = await mkdtemp(join(tmpdir(), 'iunet-csv-'))
afterAll(() => rm(dir, { recursive: true, force: true }))
let n = 0
async function write(content: string | Buffer): Promise<string> {
  const p = join(dir, `f${n++}.csv`)
  await writeFile(p, content)
  return p
}

// café / Zürich need the right decoding; 12 rows so the classes and types are clear
const body = (sep: string) =>
  [
    'city' + sep + 'temp' + sep + 'label',
    ...Array.from({ length: 12 }, (_, i) => `${['café', 'Zürich', 'Łódź'][i % 3]}${sep}${(i * 1.5).toFixed(1)}${sep}${i % 2 ? 'hot' : 'cold'}`)
  ].join('\r\n') + '\r\n'
const ascii = (sep: string) =>
  [
    'city' + sep + 'temp' + sep + 'label',
    ...Array.from({ length: 12 }, (_, i) => `${['cafe', 'Zurich', 'Paris'][i % 3]}${sep}${(i * 1.5).toFixed(1)}${sep}${i % 2 ? 'hot' : 'cold'}`)
  ].join('\n') + '\n'

function utf16be(s: string): Buffer {
  const le = Buffer.from(s, 'utf16le')
  for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1], le[i]]
  return le
}

async function cities(path: string): Promise<string[]> {
  const r = await loadSource(path, { path })
  const col = r.table.columns.find((c) => c.name === 'city')!
  return [0, 1, 2].map((i) => cellText(col, i)!)
}

describe('encodings', () => {
  it('UTF-8 without BOM', async () => {
    expect(await cities(await write(body(',')))).toEqual(['café', 'Zürich', 'Łódź'])
  })
  it('UTF-8 with BOM: the BOM does not end up in the first column name', async () => {
    const p = await write(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body(','))]))
    const s = await inspectFile(p)
    expect(s.columns[0].name).toBe('city')
    expect(await cities(p)).toEqual(['café', 'Zürich', 'Łódź'])
  })
  it('UTF-16 LE with BOM', async () => {
    const p = await write(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body(','), 'utf16le')]))
    expect(await cities(p)).toEqual(['café', 'Zürich', 'Łódź'])
    expect((await inspectFile(p)).warnings.join()).toMatch(/UTF-16LE/)
  })
  it('UTF-16 BE with BOM', async () => {
    const p = await write(Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(body(';'))]))
    expect(await cities(p)).toEqual(['café', 'Zürich', 'Łódź'])
  })
  it('Latin-1 when the bytes are not valid UTF-8', async () => {
    const text = ascii(',')
      .replace(/cafe/g, 'café')
      .replace(/Zurich/g, 'Zürich')
    const p = await write(Buffer.from(text, 'latin1'))
    expect((await cities(p)).slice(0, 2)).toEqual(['café', 'Zürich'])
    expect((await inspectFile(p)).warnings.join()).toMatch(/Latin-1/)
  })
  it('Latin-1 bytes that appear only after the sniffed head: re-read as Latin-1', async () => {
    const rows = Array.from({ length: 20000 }, (_, i) => `${i % 2 ? 'Paris' : 'Lyon'},${i % 10},${i % 2 ? 'a' : 'b'}`)
    rows.push('Zürich,1,a')
    const p = await write(Buffer.from('city,temp,label\n' + rows.join('\n') + '\n', 'latin1'))
    const r = await loadSource(p, { path: p })
    expect(r.schema.columns[0].topValues.map((v) => v.value)).toContain('Zürich')
    expect(r.schema.warnings.join()).toMatch(/not valid UTF-8.*Latin-1/)
  })
})

describe('delimiters and quoting', () => {
  it.each([
    [',', 'comma'],
    [';', 'semicolon'],
    ['\t', 'tab'],
    ['|', 'pipe']
  ])('sniffs %j (%s)', async (sep) => {
    const s = await inspectFile(await write(ascii(sep)))
    expect(s.columns.map((c) => c.name)).toEqual(['city', 'temp', 'label'])
    expect(s.columns[1].type).toBe('numeric')
  })

  it('semicolon files with decimal commas are not split on the comma', async () => {
    const text = 'a;b;label\n' + Array.from({ length: 10 }, (_, i) => `${i},5;${i % 3};${i % 2 ? 'x' : 'y'}`).join('\n')
    const s = await inspectFile(await write(text))
    expect(s.columns.map((c) => c.name)).toEqual(['a', 'b', 'label'])
  })

  it('quoted delimiters, doubled quotes and newlines inside quotes', async () => {
    const text = 'name,notes,label\n"Smith, J.","said ""hi""\nthen left",a\n"Doe, A.",plain,b\n"Roe, B.","x, y",a\n'
    const p = await write(text)
    const r = await loadSource(p, { path: p, target: 'label' })
    expect(r.table.rows).toBe(3)
    const [name, notes] = r.table.columns
    expect(cellText(name, 0)).toBe('Smith, J.')
    expect(cellText(notes, 0)).toBe('said "hi"\nthen left')
    expect(cellText(notes, 2)).toBe('x, y')
  })

  it('a ragged row after a multi-line quoted field reports the real line number', async () => {
    const text = 'a,b,label\n"1\n2",3,x\n4,5,y\n6,7\n'
    await expect(loadSource(await write(text), { path: '' })).rejects.toThrow(/Line 5 .* has 2 fields/)
  })

  it('prose is told apart from a table with a few bad lines', async () => {
    const rows = (counts: number[]) => counts.map((k) => Array.from({ length: k }, (_, j) => `v${j}`))
    expect(looksLikeProse(rows([1, 3, 2, 1, 4]))).toBe(true) // no count shared by half the lines
    expect(looksLikeProse(rows([1, 1, 2, 1, 1]))).toBe(true) // mostly one field, and some lines split
    expect(looksLikeProse(rows([3, 3, 2, 3, 3]))).toBe(false) // one ragged row: its line gets the error
    expect(looksLikeProse(rows([2, 3, 1, 3]))).toBe(true) // three counts, none shared by 80 % of the lines
    expect(looksLikeProse(rows([3, 3, 3, 3, 2, 3, 3, 3, 3, 4]))).toBe(false) // 80 % agree: two bad lines of a table
    expect(looksLikeProse(rows([3, 4, 4, 4, 4]))).toBe(false) // R's write.csv: the header is one field short
    expect(looksLikeProse(rows([1, 1, 1, 1]))).toBe(false) // one column: told later, as "Only one column"
    expect(looksLikeProse(rows([1, 2]))).toBe(false) // two lines are too few to judge
    // R's row names still get the line-by-line error, not "not a table".
    const rNames = '"a","b","label"\n"1",1,2,"x"\n"2",3,4,"y"\n"3",5,6,"x"\n'
    await expect(loadSource(await write(rNames), { path: '' })).rejects.toThrow(/Line 2 .* has 4 fields but the first row has 3/)
  })

  it('Excel "sep=;" first line and decimal commas in ;-separated files', async () => {
    const text = 'sep=;\nlength;width;label\n' + Array.from({ length: 10 }, (_, i) => `${i},5;${i % 3};${i % 2 ? 'x' : 'y'}`).join('\n') + '\n'
    const s = await inspectFile(await write(text))
    expect(s.columns.map((c) => c.name)).toEqual(['length', 'width', 'label'])
    expect(s.columns[0].type).toBe('numeric')
    expect(s.columns[0].max).toBe(9.5)
  })

  it('the same bytes give the same hash; other bytes another', async () => {
    const a = await loadSource(await write(ascii(',')), { path: '' })
    const b = await loadSource(await write(ascii(',')), { path: '' })
    const c = await loadSource(await write(ascii(';')), { path: '' })
    expect(b.hash).toBe(a.hash)
    expect(c.hash).not.toBe(a.hash)
  })

  it('no header row: columns are named column_1…', async () => {
    const text = Array.from({ length: 20 }, (_, i) => `${i * 0.5},${i % 4},${i % 2 ? 'a' : 'b'}`).join('\n')
    const s = await inspectFile(await write(text))
    expect(s.columns.map((c) => c.name)).toEqual(['column_1', 'column_2', 'column_3'])
    expect(s.rows).toBe(20)
    expect(s.target).toBe('column_3')
    expect(s.warnings.join()).toMatch(/first row looks like data/)
  })

  it('missing-value tokens are counted and stay out of the numbers', async () => {
    const tokens = ['', 'NA', 'n/a', '?', 'null', 'NaN', 'N/A', 'nan']
    const text = 'x,label\n' + Array.from({ length: 24 }, (_, i) => `${i < tokens.length ? tokens[i] : i},${i % 2 ? 'a' : 'b'}`).join('\n')
    const s = await inspectFile(await write(text))
    expect(s.columns[0].type).toBe('numeric')
    expect(s.columns[0].missing).toBe(tokens.length)
    expect(s.columns[0].min).toBe(8)
  })
})

describe('schema inference', () => {
  it('ID columns, constants, booleans and numeric ratings', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => [i + 1, `u${1000 + i}`, 'same', i % 2 ? 'yes' : 'no', (i % 10) + 1, i % 3 ? 'a' : 'b'].join(','))
    const s = await inspectFile(await write('id,user,const,member,rating,label\n' + rows.join('\n')))
    const by = Object.fromEntries(s.columns.map((c) => [c.name, c]))
    expect(by.id.role).toBe('ignore')
    expect(by.id.note).toMatch(/ID-like/)
    expect(by.user.role).toBe('ignore')
    expect(by.user.type).toBe('text')
    expect(by.const.type).toBe('constant')
    expect(by.const.role).toBe('ignore')
    expect(by.member.type).toBe('boolean')
    expect(by.rating.type).toBe('numeric')
    expect(by.rating.distinct).toBe(10)
    expect(s.target).toBe('label')
  })

  it('reads a gzipped CSV (.csv.gz) as a stream: the same schema, the hash and size of the compressed file', async () => {
    const plain = await write(body(';'))
    const gz = join(dir, 'cities.csv.gz')
    const compressed = gzipSync(Buffer.from(body(';')))
    await writeFile(gz, compressed)
    const a = await loadSource(plain, { path: plain })
    const b = await loadSource(gz, { path: gz })
    expect(b.name).toBe('cities')
    expect(b.schema.format).toBe('csv')
    expect(b.schema.columns).toEqual(a.schema.columns)
    expect(b.sizeBytes).toBe(compressed.length)
    expect(await cities(gz)).toEqual(['café', 'Zürich', 'Łódź'])
  })
})
