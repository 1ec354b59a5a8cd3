/**
 * The CLI and its workers bundled once per change of the sources, so a command need not run ~150 TypeScript files
 * through tsx's loader at every start: through tsx the CLI took ~0.9 s of CPU before doing anything, and each
 * training worker ~1 s more (its own loader thread transforms and links every file again); from a bundle, ~0.45 s
 * and ~0.35 s. The bundle is plain esbuild output (esbuild comes with tsx), packages left external, written to
 * out/cli/<fingerprint of main/>/ beside the app's own build: the workers' entries sit next to the CLI's, where
 * workers/pool.ts and importer.ts look for them in a built tree. Any failure (no esbuild, a read-only folder, a
 * build error) answers null and the caller runs the sources through tsx, as before; IUNET_CLI_BUNDLE=0 asks for
 * that (stack traces then point into the TypeScript).
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
/** Where bundles live (ignored by git, like the rest of out/). */
export const BUNDLE_DIR = path.join(root, 'out', 'cli')
/** The bundle's entries: the CLI and the two worker threads it starts (named as the app's build names them). */
const ENTRIES = { iunet: 'main/cli/iunet.ts', 'train.worker': 'main/workers/train.worker.ts', 'import.worker': 'main/workers/import.worker.ts' }
/** Bundles kept besides the newest, and how old others must be before they go: a long-running command (iunet
 *  serve) started from an older bundle still starts workers from its folder. */
const KEEP = 3
const STALE_MS = 24 * 3600 * 1000

/** A hash of every file under main/ (path, size, modification time) and of the build's own settings. */
export function fingerprint(dir = path.join(root, 'main')) {
  const h = createHash('sha256')
  h.update(JSON.stringify(ENTRIES))
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.isFile()) {
        const s = statSync(p)
        h.update(`${path.relative(dir, p)}\0${s.size}\0${s.mtimeMs}\n`)
      }
    }
  }
  walk(dir)
  return h.digest('hex').slice(0, 16)
}

function loadEsbuild() {
  const require = createRequire(import.meta.url)
  try {
    return require('esbuild')
  } catch {
    // Not hoisted: the copy tsx itself depends on.
    return createRequire(require.resolve('tsx'))('esbuild')
  }
}

/** Removes bundles of earlier sources: beyond the newest KEEP, those built more than a day ago (best effort). */
function prune(keep) {
  const dirs = readdirSync(BUNDLE_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== keep && !e.name.includes('.tmp-'))
    .map((e) => ({ name: e.name, t: statSync(path.join(BUNDLE_DIR, e.name)).mtimeMs }))
    .sort((a, b) => b.t - a.t)
  for (const d of dirs.slice(KEEP)) if (Date.now() - d.t > STALE_MS) rmSync(path.join(BUNDLE_DIR, d.name), { recursive: true, force: true })
}

/**
 * The bundled CLI's entry file for the sources as they are now, built when missing; null when bundling is off or
 * impossible. Concurrent starts may both build: each writes its own temp folder and the first rename wins.
 */
export function bundledCli() {
  if (process.env.IUNET_CLI_BUNDLE === '0') return null
  try {
    const key = fingerprint()
    const dir = path.join(BUNDLE_DIR, key)
    const entry = path.join(dir, 'iunet.js')
    if (existsSync(entry)) return entry
    const tmp = `${dir}.tmp-${process.pid}`
    mkdirSync(BUNDLE_DIR, { recursive: true })
    loadEsbuild().buildSync({
      entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, path.join(root, file)])),
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      outdir: tmp,
      logLevel: 'silent'
    })
    try {
      renameSync(tmp, dir)
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true })
      if (!existsSync(entry)) throw e
    }
    prune(key)
    return entry
  } catch {
    return null
  }
}
