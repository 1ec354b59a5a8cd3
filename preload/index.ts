/** Exposes the contract's transport to the sandboxed renderer. No logic: main validates every payload. */
import { contextBridge, ipcRenderer, webUtils } from 'electron'
// The names only (a file that imports nothing and no other preload imports), bundled in: a sandboxed preload
// cannot require app modules or shared chunks.
import { IPC_CALL, IPC_EVENT, PRELOAD_GLOBAL } from '../main/contract/wireNames.ts'

contextBridge.exposeInMainWorld(PRELOAD_GLOBAL, {
  invoke: (channel: string, payload: unknown) => ipcRenderer.invoke(IPC_CALL, channel, payload),
  onEvent: (handler: (event: string, payload: unknown) => void) => {
    const listener = (_e: unknown, event: string, payload: unknown) => handler(event, payload)
    ipcRenderer.on(IPC_EVENT, listener)
    return () => ipcRenderer.removeListener(IPC_EVENT, listener)
  },
  /** Dropped files' real paths (Electron ≥ 32 no longer puts them on File). */
  pathForFile: (file: File) => webUtils.getPathForFile(file)
})
