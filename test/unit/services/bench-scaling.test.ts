/**
 * The scaling part of `iunet bench` (services/benchScaling.ts): which worker counts it measures, and one measured
 * run end to end on a small table — a real `iunet run` child whose --json reports its own wall time, CPU time and
 * peak RSS, turned into training samples per second (epochs of every task × training rows ÷ wall seconds).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultRunConfig, trainRowsOf } from '../../../main/contract/index.ts'
import { createServices } from '../../../main/services/index.ts'
import { examplesDir } from '../../../main/services/paths.ts'
import { measureRun, scalingArgs, workerCounts } from '../../../main/services/benchScaling.ts'

const dir = mkdtempSync(join(tmpdir(), 'iunet-bench-scaling-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('bench scaling', () => {
  it('measures 1, 2, 4, … workers up to the cores, the cores included', () => {
    expect(workerCounts(1)).toEqual([1])
    expect(workerCounts(2)).toEqual([1, 2])
    expect(workerCounts(6)).toEqual([1, 2, 4, 6])
    expect(workerCounts(16)).toEqual([1, 2, 4, 8, 16])
    expect(scalingArgs(4)).toEqual(['--preset', 'standard', '--models', 'mlp', '--seeds', '4', '--epochs', '1', '--finetune-epochs', '1', '--workers', '4'])
  })

  it('one measured run: the child reports its wall, CPU and peak RSS; samples/s = epochs × training rows ÷ wall', async () => {
    const services = createServices({ dataDir: dir, transport: 'websocket', workers: 1 })
    let d: { id: string; rows: number }
    try {
      d = await services.call('datasets.import', { path: join(examplesDir(), 'iris.csv') })
    } finally {
      await services.close()
    }
    const args = ['--preset', 'quick', '--models', 'mlp', '--seeds', '2', '--epochs', '1', '--finetune-epochs', '1', '--workers', '1']
    const f = measureRun(dir, d.id, d.rows, args)
    expect(f.command).toBe(args.join(' '))
    expect(f.workers).toBe(1)
    // A Node process with tfjs loaded holds well over 30 MB; the wall time covers at least the CPU of one core's share.
    expect(f.peakRssMB).toBeGreaterThan(30)
    expect(f.wallSeconds).toBeGreaterThan(0)
    expect(f.cpuSeconds).toBeGreaterThan(0)
    // Two dense MLPs of 1 + 1 epochs: 4 epochs of the quick preset's training rows.
    const config = defaultRunConfig('quick', { kind: 'tabular', rows: d.rows, nFeatures: 4, imageShape: null })
    expect(f.samplesPerSecond * f.wallSeconds).toBeCloseTo(4 * trainRowsOf(config, d.rows), 6)
  }, 60_000)
})
