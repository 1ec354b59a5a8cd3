/** Electron entry: the window, its security settings and the IPC transport. The only folder that imports electron. */
import { app, BrowserWindow, ipcMain, session, shell } from 'electron'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CSP } from '../contract/index.ts'
import { createServices } from '../services/index.ts'
import { registerIpc } from '../transports/ipc.ts'
import { openGpuWorker } from './gpuWindow.ts'

const here = dirname(fileURLToPath(import.meta.url))
let win: BrowserWindow | null = null

// WebGPU is behind a flag in Chromium on Linux: IUNET_ENABLE_WEBGPU=1 turns it on for the GPU-training window.
if (process.platform === 'linux' && process.env.IUNET_ENABLE_WEBGPU === '1') app.commandLine.appendSwitch('enable-unsafe-webgpu')

function createWindow() {
  win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 960,
    minHeight: 640,
    title: 'IUNet Workbench',
    show: false,
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      spellcheck: false
    }
  })
  win.once('ready-to-show', () => win?.show())
  // The app never navigates: links open in the system browser, everything else is refused.
  win.webContents.on('will-navigate', (e) => e.preventDefault())
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
  if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL)
  else void win.loadFile(join(here, '../renderer/index.html'))
}

app.whenReady().then(() => {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } })
  })
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false))
  // The desktop user picks files through the system dialog or drops them: any path they choose is theirs to read.
  // webgpu tasks train in a hidden window on Chromium's WebGPU (Dawn cannot load in Electron).
  const services = createServices({ dataDir: app.getPath('userData'), transport: 'ipc', fileAccess: 'any', gpuWorker: () => openGpuWorker(here) })
  registerIpc(ipcMain, services, () => win?.webContents ?? null)
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
  // Quitting while training: each run saves a checkpoint and stops as 'interrupted' (resumable) before the app exits.
  let closing = false
  app.on('before-quit', (e) => {
    if (closing) return
    closing = true
    e.preventDefault()
    void services.close().finally(() => app.exit(0))
  })
})

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (e) => e.preventDefault())
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
