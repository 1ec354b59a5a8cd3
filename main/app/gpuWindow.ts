/**
 * The desktop app's GPU training: Dawn (npm webgpu) cannot load inside Electron (dawn-gpu/node-webgpu#5), so a
 * webgpu task trains in a hidden window on Chromium's own WebGPU. The window loads renderer/gpu-trainer.html (the
 * engine bundle built by vite.gpu-trainer.config.ts) with the main window's security settings, gets one end of a
 * MessageChannelMain through a small preload, and speaks the training-worker protocol over it; the pool sees a
 * BrowserWorker. One window per GPU worker (one by default); closing or crashing it fails its task like a worker exit.
 */
import { BrowserWindow, MessageChannelMain } from 'electron'
import { join } from 'node:path'
import { GPU_PORT_CHANNEL } from '../contract/gpuPort.ts'
import { BrowserWorker } from '../services/gpu.ts'

export function openGpuWorker(here: string): BrowserWorker {
  const win = new BrowserWindow({
    show: false,
    width: 320,
    height: 240,
    webPreferences: {
      preload: join(here, '../preload/gpu.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      spellcheck: false,
      // Training must not slow down because the window is hidden.
      backgroundThrottling: false
    }
  })
  win.webContents.on('will-navigate', (e) => e.preventDefault())
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
  const { port1, port2 } = new MessageChannelMain()
  const worker = new BrowserWorker({
    send: (m) => port1.postMessage(m),
    onMessage: (fn) => port1.on('message', (e) => fn(e.data)),
    close: () => {
      port1.close()
      if (!win.isDestroyed()) win.destroy()
    }
  })
  port1.start()
  win.webContents.once('did-finish-load', () => win.webContents.postMessage(GPU_PORT_CHANNEL, null, [port2]))
  win.webContents.on('did-fail-load', (_e, _code, description) => worker.pageGone(`the GPU training page did not load (${description}); run "npm run build"`))
  win.webContents.on('render-process-gone', (_e, details) => worker.pageGone(`the GPU training window stopped (${details.reason})`))
  win.on('closed', () => worker.pageGone(null))
  void win.loadFile(join(here, '../renderer/gpu-trainer.html'))
  return worker
}
