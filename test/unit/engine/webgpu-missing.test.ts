/** Forced webgpu with no Dawn or no adapter fails with a clear message; auto goes on down the chain. (A file of its
 * own: the adapter is cached per thread once opened.) */
import { describe, expect, it } from 'vitest'
import { initBackend, type ModuleLoader } from '../../../main/engine/backend.ts'

const noDawn: ModuleLoader = async (spec) => {
  if (spec === 'webgpu' || spec.startsWith('@tensorflow/tfjs-node')) throw new Error(`Cannot find package '${spec}'`)
  return import(spec)
}

/** Dawn loads, but finds no adapter (a machine without GPU drivers or Mesa). */
const dawnWithoutAdapter: ModuleLoader = async (spec) => {
  if (spec === 'webgpu') return { create: () => ({ requestAdapter: async () => null }), globals: {} }
  return noDawn(spec)
}

describe('webgpu without an adapter', () => {
  it('forced webgpu names the missing package', async () => {
    await expect(initBackend('webgpu', { load: noDawn })).rejects.toThrow(/webgpu: Cannot find package 'webgpu'/)
  })

  it('forced webgpu with no adapter says so and what to install', async () => {
    await expect(initBackend('webgpu', { load: dawnWithoutAdapter })).rejects.toThrow(/webgpu: no WebGPU adapter .*libvulkan1/)
  })

  it('auto records why webgpu was skipped and lands on wasm', async () => {
    const info = await initBackend('auto', { load: dawnWithoutAdapter })
    expect(info.name).toBe('wasm')
    expect(info.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow'])
    expect(info.skipped[1]!.reason).toMatch(/no WebGPU adapter/)
    expect(info.adapter).toBeUndefined()
  })
})
