import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs-core'
import { describeBackend, initBackend, wasmBinaryDir, type ModuleLoader } from '../../../main/engine/backend.ts'

/** A loader on which the native packages are missing, as on a machine without libtensorflow. */
const withoutNative: ModuleLoader = async (spec) => {
  if (spec.startsWith('@tensorflow/tfjs-node')) throw new Error(`Cannot find package '${spec}'`)
  return import(spec)
}

describe('initBackend', () => {
  it('auto skips the missing native backends, records why, and lands on single-threaded wasm', async () => {
    const info = await initBackend('auto', { load: withoutNative })
    expect(info.name).toBe('wasm')
    // wasm itself is single-threaded; with the native kernels the BLAS threads are reported instead.
    expect(info.threads).toBe(info.native?.available ? info.native.threads : 1)
    expect(info.native).toBeDefined()
    if (!info.native!.available) expect(info.native!.reason).toBeTruthy()
    // webgpu: no Dawn adapter, or only a software one (auto never takes llvmpipe/SwiftShader).
    expect(info.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow'])
    expect(info.skipped[0].reason).toContain('tfjs-node-gpu')
    expect(tf.getBackend()).toBe('wasm')
    expect(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(false)
    expect(describeBackend(info)).toMatch(info.native!.available ? /^wasm \+ OpenBLAS [\d.]+.* \(\d+ threads?/ : /^wasm \(1 thread/)
    // wasm computes.
    expect(Array.from(tf.add(tf.tensor1d([1, 2]), 1).dataSync())).toEqual([2, 3])
  })

  it('honours a forced backend and switches between them', async () => {
    const cpu = await initBackend('cpu', { load: withoutNative })
    expect(cpu).toMatchObject({ name: 'cpu', threads: 1, skipped: [] })
    expect(tf.getBackend()).toBe('cpu')
    const wasm = await initBackend('wasm', { load: withoutNative })
    expect(wasm.name).toBe('wasm')
    expect(tf.getBackend()).toBe('wasm')
  })

  it('throws when a forced backend is unavailable, naming the reason', async () => {
    await expect(initBackend('tensorflow', { load: withoutNative })).rejects.toThrow(/tensorflow: Cannot find package '@tensorflow\/tfjs-node'/)
  })

  it('falls through to cpu when wasm fails too', async () => {
    const onlyCpu: ModuleLoader = async (spec) => {
      if (spec !== '@tensorflow/tfjs-backend-cpu') throw new Error(`blocked ${spec}`)
      return import(spec)
    }
    const info = await initBackend('auto', { load: onlyCpu })
    expect(info.name).toBe('cpu')
    expect(info.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm'])
  })

  it('on wasm, clones share memory (no copy per saved gradient tensor) and stay valid after the original is disposed', async () => {
    await initBackend('wasm', { load: withoutNative })
    const a = tf.tensor1d([1, 2, 3])
    const before = tf.memory().numDataBuffers
    const b = tf.clone(a)
    expect(tf.memory().numDataBuffers).toBe(before)
    a.dispose()
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3])
    b.dispose()
  })

  it('resolves the wasm binaries folder through node resolution', () => {
    expect(wasmBinaryDir()).toMatch(/tfjs-backend-wasm[\\/]dist[\\/]$/)
  })
})
