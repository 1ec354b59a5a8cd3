#!/usr/bin/env node
// Runs after `npm install`, before the native build: installs the Debian packages the build, tests and examples
// use (a C toolchain and OpenBLAS for native/, Chromium for the end-to-end tests, Mesa for the software WebGPU
// adapter, Fashion-MNIST as a large image example) when this is a Debian/Ubuntu machine and we are root. Anywhere else it only says what is missing. It never fails the install.
import { execSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/** Installed per dpkg (Debian's own record), so the check needs no knowledge of where a package puts its files. */
const dpkgHas = (name) => spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' }).stdout?.includes('install ok installed') ?? false

const PACKAGES = [
  { name: 'chromium', present: () => existsSync('/usr/bin/chromium'), why: 'end-to-end tests drive the UI in real Chromium' },
  {
    name: 'dataset-fashion-mnist',
    present: () => existsSync('/usr/share/datasets/fashion-mnist'),
    why: 'a large real image dataset for the examples and tests'
  },
  { name: 'build-essential', present: () => dpkgHas('build-essential'), why: 'compiles the native kernels (native/) right after this step' },
  { name: 'libopenblas-dev', present: () => dpkgHas('libopenblas-dev'), why: 'OpenBLAS for the native kernels (training runs on pure wasm without it)' },
  { name: 'libegl1', present: () => dpkgHas('libegl1'), why: 'EGL for the software WebGPU adapter (llvmpipe) the webgpu tests use' },
  { name: 'libgles2', present: () => dpkgHas('libgles2'), why: 'OpenGL ES for the software WebGPU adapter' },
  { name: 'libgl1-mesa-dri', present: () => dpkgHas('libgl1-mesa-dri'), why: "Mesa's llvmpipe driver for the software WebGPU adapter" }
]

const missing = PACKAGES.filter((p) => !p.present())
if (process.env.IUNET_SKIP_SYSTEM_SETUP || missing.length === 0) process.exit(0)

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0
const names = missing.map((p) => p.name).join(' ')
if (!isRoot || !hasApt) {
  console.warn(`[iunet] Optional system packages missing: ${names}.`)
  for (const p of missing) console.warn(`  - ${p.name}: ${p.why}`)
  console.warn(`  On Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y ${names}`)
  process.exit(0)
}
try {
  console.log(`[iunet] Installing Debian packages: ${names}`)
  execSync('apt-get update -qq', { stdio: 'inherit' })
  execSync(`DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${names}`, { stdio: 'inherit' })
} catch (e) {
  console.warn(`[iunet] Could not install ${names} (${e.message}); the end-to-end tests need chromium, the native kernels OpenBLAS.`)
}
