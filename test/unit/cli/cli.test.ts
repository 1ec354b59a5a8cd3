import { afterAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const BIN = resolve('bin/iunet.mjs')
const tmp = mkdtempSync(join(tmpdir(), 'iunet-cli-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

function iunet(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 240_000 })
}

describe('iunet CLI', () => {
  it('prints help', () => {
    const r = iunet('--help')
    expect(r.status).toBe(0)
    for (const cmd of ['serve', 'inspect', 'import', 'run', 'runs', 'bench']) expect(r.stdout).toContain(cmd)
  })

  it('inspects a dataset as JSON', () => {
    const r = iunet('inspect', '--data', 'resources/examples/penguins.csv', '--json')
    expect(r.status).toBe(0)
    const schema = JSON.parse(r.stdout)
    expect(schema.rows).toBe(344)
    expect(schema.target).toBe('species')
    expect(schema.columns.find((c: { name: string }) => c.name === 'island')).toMatchObject({ type: 'categorical', role: 'feature' })
  })

  it('reports bad input with a clear message and exit code 2, never a stack trace', () => {
    const empty = join(tmp, 'empty.csv')
    writeFileSync(empty, '')
    for (const args of [
      ['inspect', '--data', empty],
      ['inspect', '--data', join(tmp, 'missing.csv')],
      ['run', '--data', join(tmp, 'missing.csv'), '--data-dir', join(tmp, 'd0')],
      ['run', '--data', 'resources/examples/iris.csv', '--models', 'iunet,bogus', '--data-dir', join(tmp, 'd0')]
    ]) {
      const r = iunet(...args)
      expect(r.status, args.join(' ')).toBe(2)
      expect(r.stderr).toMatch(/^error: /m)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
  })

  it('runs the quick comparison end to end, stores it and writes JSON', () => {
    const dataDir = join(tmp, 'data')
    const json = join(tmp, 'out.json')
    const r = iunet(
      'run',
      '--data',
      'resources/examples/iris.csv',
      '--preset',
      'quick',
      '--seeds',
      '1',
      '--models',
      'iunet,mlp',
      '--data-dir',
      dataDir,
      '--json',
      json,
      '-q'
    )
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/IUNet \(pruned\)/)
    const out = JSON.parse(readFileSync(json, 'utf8'))
    const names = out.models.map((m: { name: string }) => m.name)
    expect(names).toEqual(expect.arrayContaining(['iunet', 'mlp']))
    for (const m of out.models) {
      expect(m).toMatchObject({
        accuracy: { mean: expect.any(Number), std: expect.any(Number) },
        balancedAccuracy: { mean: expect.any(Number) },
        invariance: { mean: expect.any(Number) }
      })
      // three classes: chance is 1/3
      expect(m.accuracy.mean).toBeGreaterThan(0.6)
      expect(m.trainSeconds).toBeGreaterThan(0)
      // per-seed raw values (one seed here), so anyone can run their own test
      expect(m.perSeed).toEqual([expect.objectContaining({ seed: expect.any(Number), accuracy: m.accuracy.mean })])
    }
    // IUNet vs dense MLP paired t-test: needs ≥ 2 seeds, so none with one
    expect(out.tests).toEqual([expect.objectContaining({ model: 'iunet', baseline: 'mlp', p: null })])
    const iunetRow = out.models.find((m: { name: string }) => m.name === 'iunet')
    expect(iunetRow.nonzeroParams).toBeLessThan(iunetRow.params)
    const runs = iunet('runs', '--data-dir', dataDir, '--json')
    expect(JSON.parse(runs.stdout)[0]).toMatchObject({ status: 'finished' })
  })
})
