/**
 * `iunet run --backend`: the run trains on the backend asked for, and the user's saved backend setting is left alone.
 * The webgpu case runs on whatever adapter Dawn finds (in CI: Mesa's llvmpipe, a software adapter, which a forced
 * webgpu accepts); it is skipped, with the reason printed, only when Dawn finds no adapter at all.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openAdapter } from '../../../main/engine/kernels/webgpu.ts'
import { openStore } from '../../../main/store/index.ts'

const BIN = resolve('bin/iunet.mjs')
const tmp = mkdtempSync(join(tmpdir(), 'iunet-backend-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

let noAdapter: string | null = null
try {
  await openAdapter((s) => import(s), false)
} catch (e) {
  noAdapter = (e as Error).message
  console.warn(`iunet run --backend webgpu skipped: ${noAdapter}`)
}

// The adapter check above sets EGL_PLATFORM in this process; the CLI must find llvmpipe without it (from a shell).
const { EGL_PLATFORM: _egl, ...shellEnv } = process.env

function iunet(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: shellEnv })
}

/** A tiny iris run: one MLP, one seed, a few epochs. */
function tinyRun(dataDir: string, json: string, backend: string) {
  return iunet(
    'run',
    '--data',
    'resources/examples/iris.csv',
    '--models',
    'mlp',
    '--seeds',
    '1',
    '--epochs',
    '3',
    '--depth',
    '1',
    '--width',
    '16',
    '--backend',
    backend,
    '--workers',
    '1',
    '--data-dir',
    dataDir,
    '--json',
    json,
    '-q'
  )
}

describe('iunet run --backend', () => {
  it('refuses an unknown backend with exit code 2 and the choices', () => {
    const r = iunet('run', '--data', 'resources/examples/iris.csv', '--backend', 'cuda', '--data-dir', join(tmp, 'bad'))
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/--backend/)
    expect(r.stderr).toMatch(/webgpu/)
  })

  it.skipIf(!!noAdapter)(
    'trains on webgpu (a software adapter when forced) and agrees with wasm; the saved setting stays auto',
    () => {
      const dataDir = join(tmp, 'data')
      const outGpu = join(tmp, 'gpu.json')
      const gpu = tinyRun(dataDir, outGpu, 'webgpu')
      expect(gpu.status, gpu.stderr).toBe(0)
      const a = JSON.parse(readFileSync(outGpu, 'utf8'))
      expect(a.status).toBe('finished')
      expect(a.backend).toBe('webgpu')

      const outWasm = join(tmp, 'wasm.json')
      const wasm = tinyRun(dataDir, outWasm, 'wasm')
      expect(wasm.status, wasm.stderr).toBe(0)
      const b = JSON.parse(readFileSync(outWasm, 'utf8'))
      expect(b.backend).toBe('wasm')
      // Same data, seed and model: accuracy within 2 test rows (iris' test split has ~23 rows).
      const accA = a.models[0].accuracy.mean as number
      const accB = b.models[0].accuracy.mean as number
      expect(Math.abs(accA - accB)).toBeLessThanOrEqual(2 / 22 + 1e-9)

      const store = openStore(dataDir)
      try {
        expect(store.settings.settings().backend).toBe('auto')
      } finally {
        store.close()
      }
    },
    120_000
  )
})
