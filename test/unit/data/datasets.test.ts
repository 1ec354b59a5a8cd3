/** Every example dataset imports with the right kind, types, target and classes, and survives save/load. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { inspectFile, loadSource, loadTable, prepare, previewOf, saveTable } from '../../../main/data/index.ts'
import { splitRange, type SplitArrays } from '../../../main/contract/index.ts'

/** A split's rows, encoded (images decoded from their pixels). */
const enc = (s: SplitArrays) => splitRange(s, 0, s.n)

const DIR = join(import.meta.dirname, '../../../resources/examples')
const SPLIT = { train: 0.7, val: 0.15, test: 0.15, kfold: null }
const tmp = await mkdtemp(join(tmpdir(), 'iunet-data-'))
afterAll(() => rm(tmp, { recursive: true, force: true }))

const col = (s: Awaited<ReturnType<typeof inspectFile>>, name: string) => s.columns.find((c) => c.name === name)!

describe('example datasets', () => {
  it('iris: 4 numeric features, species target with 3 classes', async () => {
    const s = await inspectFile(join(DIR, 'iris.csv'))
    expect(s.kind).toBe('tabular')
    expect(s.rows).toBe(150)
    expect(s.target).toBe('species')
    expect(s.columns.filter((c) => c.role === 'feature').map((c) => c.type)).toEqual(['numeric', 'numeric', 'numeric', 'numeric'])
    expect(s.classes).toEqual([
      { value: 'setosa', count: 50 },
      { value: 'versicolor', count: 50 },
      { value: 'virginica', count: 50 }
    ])
    const c = col(s, 'sepal length (cm)')
    expect(c.min).toBe(4.3)
    expect(c.max).toBe(7.9)
    expect(c.mean).toBeCloseTo(5.8433, 3)
    expect(s.warnings).toEqual([])
  })

  it('penguins: the first column species is the target; island/sex categorical; missing counted', async () => {
    const s = await inspectFile(join(DIR, 'penguins.csv'))
    expect(s.target).toBe('species')
    expect(col(s, 'species').role).toBe('target')
    expect(col(s, 'sex').role).toBe('feature')
    expect(col(s, 'island').type).toBe('categorical')
    expect(col(s, 'sex').type).toBe('categorical')
    expect(col(s, 'sex').missing).toBe(11)
    expect(col(s, 'bill_length_mm').type).toBe('numeric')
    expect(col(s, 'bill_length_mm').missing).toBe(2)
    expect(s.classes.map((c) => c.value)).toEqual(['Adelie', 'Gentoo', 'Chinstrap'])
  })

  it('hpc_jobs: protocol/day categorical, class target with 4 imbalanced classes', async () => {
    const s = await inspectFile(join(DIR, 'hpc_jobs.csv'))
    expect(s.rows).toBe(4331)
    expect(s.target).toBe('class')
    expect(col(s, 'protocol').type).toBe('categorical')
    expect(col(s, 'day').type).toBe('categorical')
    expect(col(s, 'day').distinct).toBe(7)
    expect(col(s, 'iterations').type).toBe('numeric')
    expect(s.classes).toEqual([
      { value: 'VF', count: 2211 },
      { value: 'F', count: 1347 },
      { value: 'M', count: 514 },
      { value: 'L', count: 259 }
    ])
  })

  it('breast_cancer: 30 numeric features, diagnosis with 2 classes', async () => {
    const s = await inspectFile(join(DIR, 'breast_cancer.csv'))
    expect(s.target).toBe('diagnosis')
    expect(s.columns.filter((c) => c.role === 'feature' && c.type === 'numeric')).toHaveLength(30)
    expect(s.classes.map((c) => c.value).sort()).toEqual(['benign', 'malignant'])
  })

  it('wine: cultivar target, 13 numeric features', async () => {
    const s = await inspectFile(join(DIR, 'wine.csv'))
    expect(s.target).toBe('cultivar')
    expect(s.columns.filter((c) => c.role === 'feature')).toHaveLength(13)
    expect(s.classes).toHaveLength(3)
  })

  it('digits_8x8: an 8×8×1 image dataset with 10 classes (shape from px_r_c names)', async () => {
    const s = await inspectFile(join(DIR, 'digits_8x8.csv'))
    expect(s.kind).toBe('image')
    expect(s.imageShape).toEqual([8, 8, 1])
    expect(s.target).toBe('digit')
    expect(s.classes).toHaveLength(10)
    // constant border pixels stay features: they are part of the image
    expect(s.columns.filter((c) => c.role === 'feature')).toHaveLength(64)
  })

  it.each(['iris', 'penguins', 'hpc_jobs', 'breast_cancer', 'wine', 'digits_8x8'])('%s: loadSource → save → load → prepare', async (name) => {
    const r = await loadSource(join(DIR, `${name}.csv`), { path: join(DIR, `${name}.csv`) })
    expect(r.name).toBe(name)
    expect(r.hash).toMatch(/^[0-9a-f]{64}$/)
    const dir = join(tmp, name)
    await saveTable(dir, r.table)
    const back = await loadTable(dir)
    expect(back.rows).toBe(r.table.rows)
    const a = prepare(r.table, r.schema, SPLIT, 7)
    const b = prepare(back, r.schema, SPLIT, 7)
    expect(enc(b.train)).toEqual(enc(a.train))
    expect(a.nClasses).toBe(r.schema.classes.length)
    expect(a.train.n + a.val.n + a.test.n).toBeLessThanOrEqual(r.table.rows)
    expect(enc(a.train).length).toBe(a.train.n * a.nFeatures)
    expect(a.numericMask.length).toBe(a.nFeatures)
    const covered = a.featureGroups.reduce((s, [, len]) => s + len, 0)
    expect(covered).toBe(a.nFeatures)
    expect(JSON.parse(JSON.stringify(a.preprocessor))).toEqual(a.preprocessor)
    const p = previewOf(r.table, r.schema, 5)
    expect(p.rows).toHaveLength(5)
  })

  it('penguins: rows with a missing target would be dropped, categoricals are one-hot blocks', async () => {
    const r = await loadSource(join(DIR, 'penguins.csv'), { path: '' })
    const p = prepare(r.table, r.schema, SPLIT, 1)
    const island = p.preprocessor.steps.find((s) => s.name === 'island')!
    expect(island.kind).toBe('categorical')
    const g = p.featureGroups[p.preprocessor.steps.indexOf(island)]
    expect(g[1]).toBe(3)
    expect(enc(p.train).every((v) => Number.isFinite(v))).toBe(true)
  })

  it('digits: pixels scaled to 0..1 in H×W×C order', async () => {
    const r = await loadSource(join(DIR, 'digits_8x8.csv'), { path: '' })
    const p = prepare(r.table, r.schema, SPLIT, 1)
    expect(p.kind).toBe('image')
    expect(p.imageShape).toEqual([8, 8, 1])
    expect(p.nFeatures).toBe(64)
    expect(Math.max(...enc(p.train))).toBe(1)
    expect(Math.min(...enc(p.train))).toBe(0)
  })
})
