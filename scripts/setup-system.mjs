#!/usr/bin/env node
// Runs after `npm install`: installs the Debian packages the tests and examples use (Chromium for the
// end-to-end tests, Fashion-MNIST as a large image example) when this is a Debian/Ubuntu machine and we are
// root. Anywhere else it only says what is missing. It never fails the install.
import { execSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const PACKAGES = [
  { name: 'chromium', present: () => existsSync('/usr/bin/chromium'), why: 'end-to-end tests drive the UI in real Chromium' },
  { name: 'dataset-fashion-mnist', present: () => existsSync('/usr/share/datasets/fashion-mnist'), why: 'a large real image dataset for the examples and tests' }
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
  console.warn(`[iunet] Could not install ${names} (${e.message}); the end-to-end tests need chromium.`)
}
