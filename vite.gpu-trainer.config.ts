/**
 * The browser training worker (renderer/gpu-trainer.html → main/workers/gpu-trainer.ts): the engine bundle for
 * Chromium's WebGPU. Built after the renderer into the same folder (out/renderer, not emptied) so its hashed files
 * sit in out/renderer/assets: the server serves them like the app's (compressed, immutable) and the desktop app
 * loads the page from disk in a hidden window.
 *
 * The engine reads a few environment switches through `process.env`; in the page there is no process, so they are
 * fixed here: the native BLAS addon is off (IUNET_NATIVE=0) and the Node-only modules it would load are never called.
 */
import { resolve } from 'node:path'
import { defineConfig, type Plugin } from 'vite'
import { GPU_TRAINER_CSP, cspMeta } from './main/contract/wireNames.ts'

/**
 * `node:*` imports of engine modules the page never calls on its path (the native addon loader, Dawn's adapter
 * search): a stub whose every export throws when called (path.join excepted), so a wrong call says what happened
 * instead of failing the build or the page load.
 */
function nodeBuiltinStubs(): Plugin {
  const PREFIX = '\0node-stub:'
  return {
    name: 'iunet-node-builtin-stubs',
    enforce: 'pre',
    resolveId: (id) => (id.startsWith('node:') ? PREFIX + id : null),
    load(id) {
      if (!id.startsWith(PREFIX)) return null
      const name = JSON.stringify(id.slice(PREFIX.length))
      // path.join is evaluated at module load (the addon's file name): a plain join keeps that harmless.
      const known = id.endsWith('node:path') ? `{ join: (...p) => p.join('/') }` : '{}'
      const code = `const fail = (k) => () => { throw new Error(${name} + '.' + String(k) + ' is not available in the browser engine') }
const known = ${known}
export default new Proxy(known, { get: (t, k) => (k in t ? t[k] : fail(k)) })`
      return { code, syntheticNamedExports: true }
    }
  }
}

/** The page's CSP as a <meta> tag (the desktop app loads it from disk, without headers), from the contract. */
const cspMetaTag = (policy: string): Plugin => ({
  name: 'iunet-csp-meta',
  transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: cspMeta(policy) }, injectTo: 'head-prepend' }]
})

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [nodeBuiltinStubs(), cspMetaTag(GPU_TRAINER_CSP)],
  define: {
    'process.env': JSON.stringify({ NODE_ENV: 'production', IUNET_NATIVE: '0' })
  },
  build: {
    outDir: resolve('out/renderer'),
    emptyOutDir: false,
    minify: 'esbuild',
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    rollupOptions: { input: { 'gpu-trainer': resolve('renderer/gpu-trainer.html') } }
  },
  logLevel: 'warn'
})
