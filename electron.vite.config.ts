import { resolve } from 'node:path'
import { defineConfig, externalizeDepsPlugin } from 'electron-vite'
import vue from '@vitejs/plugin-vue'
import type { Plugin } from 'vite'
import { CSP, cspMeta } from './main/contract/wireNames.ts'

/** The window's CSP as a <meta> tag (a page loaded from disk gets no response header), from the contract's one copy. */
const cspMetaTag = (policy: string): Plugin => ({
  name: 'iunet-csp-meta',
  transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: cspMeta(policy) }, injectTo: 'head-prepend' }]
})

export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // The training and import workers are entries of their own: worker_threads load them from files next to index.js.
        input: {
          index: resolve('main/app/index.ts'),
          'train.worker': resolve('main/workers/train.worker.ts'),
          'import.worker': resolve('main/workers/import.worker.ts')
        }
      }
    }
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/preload',
      rollupOptions: { input: { index: resolve('preload/index.ts'), gpu: resolve('preload/gpu.ts') }, output: { format: 'cjs', entryFileNames: '[name].cjs' } }
    }
  },
  renderer: {
    root: 'renderer',
    plugins: [vue(), cspMetaTag(CSP)],
    resolve: { alias: { '@contract': resolve('main/contract/index.ts'), '@': resolve('renderer/src') } },
    build: { outDir: 'out/renderer', minify: 'esbuild', manifest: true, rollupOptions: { input: resolve('renderer/index.html') }, chunkSizeWarningLimit: 800 }
  }
})
