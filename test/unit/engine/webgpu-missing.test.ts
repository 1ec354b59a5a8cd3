/** Forced webgpu with no Dawn or no adapter fails with a clear message; auto goes on down the chain. (A file of its
 * own: the adapter is cached per thread once opened.) */
import { describe, expect, it } from 'vitest'
import { initBackend, type ModuleLoader } from '../../../main/engine/backend.ts'
import { gpuDevicePresent, openAdapter } from '../../../main/engine/kernels/webgpu.ts'

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

  it('auto decides from the probe before Dawn loads: a software adapter alone is refused without loading it', async () => {
    const loaded: string[] = []
    const load: ModuleLoader = (spec) => (loaded.push(spec), dawnWithoutAdapter(spec))
    const llvmpipe = { via: 'opengles', vendor: '', architecture: '', device: 'llvmpipe (LLVM 15.0.6, 256 bits)', description: '' }
    // On a machine without a GPU device node the device check answers first (the next test), naming no adapter.
    await expect(openAdapter(load, true, () => [llvmpipe])).rejects.toThrow(/only a software adapter: .*used only when forced/)
    expect(loaded).toEqual([])
  })

  // Only where the machine has no GPU device node (this check is what it tests).
  it.skipIf(gpuDevicePresent())('auto on a machine without a GPU device skips webgpu before probing or loading Dawn', async () => {
    const loaded: string[] = []
    let probed = false
    const probe = () => ((probed = true), [])
    await expect(openAdapter((spec) => (loaded.push(spec), noDawn(spec)), true, probe)).rejects.toThrow(/only a software adapter: no GPU device/)
    expect([probed, loaded]).toEqual([false, []])
  })
})
