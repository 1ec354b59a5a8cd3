import { afterAll, describe, expect, it } from 'vitest'
import { TrainingPool, TaskError } from '../../../main/workers/pool.ts'
import type { EngineProgress } from '../../../main/engine/types.ts'

const pool = new TrainingPool({ size: 2, backend: 'auto' })
afterAll(() => pool.close())

describe('training worker pool', () => {
  it('reports the backend the workers chose (wasm here: native tfjs is not installed)', async () => {
    const info = await pool.backendInfo()
    expect(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']).toContain(info.name)
    expect(info.workers).toBe(2)
    if (info.name === 'wasm') expect(info.skipped.map((s) => s.name)).toEqual(expect.arrayContaining(['tensorflow-gpu', 'tensorflow']))
  })

  it('runs a task with progress and a computed result', async () => {
    const seen: EngineProgress[] = []
    const h = pool.run({ kind: 'probe', steps: 4, delayMs: 5 }, { onProgress: (p) => seen.push(p) })
    const r = await h.promise
    expect(r.kind).toBe('probe')
    // ones(8×8) · fill(8×8, 4) summed = 8·8·8·4
    if (r.kind === 'probe') expect(r.result).toEqual({ steps: 4, checksum: 2048 })
    expect(seen.map((p) => p.epoch)).toEqual([1, 2, 3, 4])
  })

  it('cancels a running task through the shared flag', async () => {
    const seen: number[] = []
    const h = pool.run({ kind: 'probe', steps: 1000, delayMs: 10 }, { onProgress: (p) => seen.push(p.epoch) })
    while (seen.length < 2) await new Promise((r) => setTimeout(r, 10))
    h.cancel()
    const err = await h.promise.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TaskError)
    expect((err as TaskError).cancelled).toBe(true)
    expect(seen.length).toBeLessThan(1000)
  })

  it('interrupt (checkpoint-and-stop) ends a task that keeps no checkpoints as a cancel, without waiting to be killed', async () => {
    const seen: number[] = []
    const h = pool.run({ kind: 'probe', steps: 1000, delayMs: 10 }, { onProgress: (p) => seen.push(p.epoch) })
    while (seen.length < 2) await new Promise((r) => setTimeout(r, 10))
    const t0 = Date.now()
    h.interrupt()
    await expect(h.promise).rejects.toMatchObject({ cancelled: true })
    // The pool kills a task that ignores a stop after 20 s; this one ends at its next step (10 ms apart).
    expect(Date.now() - t0).toBeLessThan(3000)
    expect(seen.length).toBeLessThan(1000)
  })

  it('switches backend for new tasks without interrupting a running one', async () => {
    const local = new TrainingPool({ size: 1, backend: 'auto' })
    try {
      const seen: number[] = []
      const running = local.run({ kind: 'probe', steps: 30, delayMs: 10 }, { onProgress: (p) => seen.push(p.epoch) })
      while (seen.length < 1) await new Promise((r) => setTimeout(r, 5))
      local.reconfigure({ size: 1, backend: 'cpu' })
      const next = local.run({ kind: 'probe', steps: 2, delayMs: 1 })
      await expect(running.promise).resolves.toMatchObject({ kind: 'probe', result: { steps: 30 } })
      await expect(next.promise).resolves.toMatchObject({ kind: 'probe', result: { steps: 2 } })
      expect((await local.backendInfo()).name).toBe('cpu')
    } finally {
      await local.close()
    }
  })

  it('cancels a queued task before it starts, and keeps serving', async () => {
    const a = pool.run({ kind: 'probe', steps: 3, delayMs: 20 })
    const b = pool.run({ kind: 'probe', steps: 3, delayMs: 20 })
    const c = pool.run({ kind: 'probe', steps: 3, delayMs: 20 })
    c.cancel()
    await expect(c.promise).rejects.toMatchObject({ cancelled: true })
    await expect(Promise.all([a.promise, b.promise])).resolves.toHaveLength(2)
  })
})
