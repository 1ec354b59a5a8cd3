#!/usr/bin/env node
/**
 * Builds the native kernels (native/, N-API + OpenBLAS) with node-gyp during `npm install` (the root package's
 * own install step). Never fails the install: when the build is impossible (no compiler, no libopenblas-dev, no
 * Node headers) it prints why and the engine runs on the pure wasm kernels. `IUNET_NATIVE=0` skips the build.
 * Uses the node-gyp bundled with npm, and the Node headers installed on the machine when there are any (offline).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const nativeDir = path.join(root, 'native')

function say(msg) {
  process.stderr.write(`[native] ${msg}\n`)
}

function nodeGyp() {
  const candidates = []
  // npm runs scripts with npm_execpath pointing at its own CLI; node-gyp ships inside npm.
  if (process.env.npm_execpath) candidates.push(path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'))
  candidates.push(path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'))
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'))
  } catch {
    /* not a dependency */
  }
  return candidates.find((c) => existsSync(c)) ?? null
}

/** A folder with include/node/node_api.h matching this Node, so node-gyp needs no download. */
function localNodeDir() {
  const fromConfig = process.env.npm_config_nodedir
  const dirs = [fromConfig, path.join(path.dirname(process.execPath), '..'), '/usr', '/usr/local'].filter(Boolean)
  return dirs.find((d) => existsSync(path.join(d, 'include', 'node', 'node_api.h')) && existsSync(path.join(d, 'include', 'node', 'common.gypi'))) ?? null
}

function main() {
  if (process.env.IUNET_NATIVE === '0') return say('IUNET_NATIVE=0: not building the native kernels')
  if (!existsSync(path.join(nativeDir, 'binding.gyp'))) return say('native/binding.gyp missing; skipped')
  if (
    process.platform === 'linux' &&
    !['/usr/include/x86_64-linux-gnu/cblas.h', '/usr/include/cblas.h', '/usr/include/openblas/cblas.h', '/usr/include/aarch64-linux-gnu/cblas.h'].some((p) =>
      existsSync(p)
    )
  )
    return say('OpenBLAS headers not found (apt-get install build-essential libopenblas-dev); the engine uses the pure wasm kernels')
  const gyp = nodeGyp()
  if (!gyp) return say('node-gyp not found (it ships with npm); the engine uses the pure wasm kernels')
  const args = [gyp, 'rebuild', '--silent']
  const nodedir = localNodeDir()
  if (nodedir) args.push(`--nodedir=${nodedir}`)
  const t0 = Date.now()
  const r = spawnSync(process.execPath, args, { cwd: nativeDir, encoding: 'utf8', env: { ...process.env, JOBS: '1' } })
  if (r.status !== 0) {
    const why = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n').slice(-8).join('\n')
    return say(`build failed (the engine uses the pure wasm kernels):\n${why || r.error?.message}`)
  }
  say(`built native/build/Release/iunet_native.node in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
}

try {
  main()
} catch (e) {
  say(`build skipped: ${e instanceof Error ? e.message : String(e)}`)
}
