import { describe, expect, it } from 'vitest'
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { Worker } from 'node:worker_threads'
import { CSP, cspMeta, GPU_TRAINER_CSP } from '../../main/contract/index.ts'
import type { FromWorker, ToWorker } from '../../main/workers/protocol.ts'

// The desktop app cannot start here (no Electron binary), so its built parts are checked directly:
// the bundled training worker must load, pick a backend and compute outside the source tree's tsx loader.
describe('built desktop bundle', () => {
  it('has main, preload (CommonJS, for the sandbox) and renderer with a CSP', () => {
    expect(existsSync(resolve('out/main/index.js'))).toBe(true)
    expect(readFileSync(resolve('out/preload/index.cjs'), 'utf8')).toMatch(/contextBridge/)
    // A sandboxed preload can require electron only: each must be one file with the contract's names inlined.
    for (const preload of ['index', 'gpu']) {
      const code = readFileSync(resolve(`out/preload/${preload}.cjs`), 'utf8')
      expect(
        [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]),
        preload
      ).toEqual(['electron'])
    }
    // The pages carry the contract's policies as <meta> tags (a file loaded from disk gets no response header).
    const metaOf = (file: string) => {
      const tag = readFileSync(resolve('out/renderer', file), 'utf8').match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/)
      return tag ? tag[1].replaceAll('&#39;', "'") : null
    }
    expect(metaOf('index.html')).toBe(cspMeta(CSP))
    if (existsSync(resolve('out/renderer/gpu-trainer.html'))) expect(metaOf('gpu-trainer.html')).toBe(cspMeta(GPU_TRAINER_CSP))
    const main = readFileSync(resolve('out/main/index.js'), 'utf8')
    for (const flag of ['contextIsolation: true', 'nodeIntegration: false', 'sandbox: true']) expect(main).toContain(flag)
  })

  it('runs the bundled training worker', async () => {
    const worker = new Worker(resolve('out/main/train.worker.js'))
    const messages: FromWorker[] = []
    const done = new Promise<void>((res, rej) => {
      worker.on('error', rej)
      worker.on('message', (m: FromWorker) => {
        messages.push(m)
        if (m.type === 'ready')
          worker.postMessage({ type: 'job', jobId: 1, task: { kind: 'probe', steps: 3, delayMs: 1 }, cancelFlag: new SharedArrayBuffer(4) } satisfies ToWorker)
        if (m.type === 'result' || m.type === 'error' || m.type === 'init-failed') res()
      })
    })
    worker.postMessage({ type: 'init', backend: 'auto' } satisfies ToWorker)
    await done
    await worker.terminate()
    const ready = messages.find((m) => m.type === 'ready')
    expect(ready && ready.type === 'ready' && ready.backend.name).toMatch(/wasm|cpu|tensorflow/)
    const result = messages.find((m) => m.type === 'result')
    expect(result && result.type === 'result' && result.result).toEqual({ kind: 'probe', result: { steps: 3, checksum: 3 * 8 * 8 * 8 } })
  })
})
