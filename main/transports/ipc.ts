/** Electron transport: one invoke channel for every call, one send channel for every event. No logic here. */
import type { IpcMain, WebContents } from 'electron'
import type { Services } from '../services/index.ts'

export const IPC_CALL = 'iunet:call'
export const IPC_EVENT = 'iunet:event'

export function registerIpc(ipcMain: IpcMain, services: Services, target: () => WebContents | null): () => void {
  ipcMain.handle(IPC_CALL, (_e, channel: unknown, payload: unknown) => services.handle(channel, payload))
  const unsubscribe = services.bus.subscribe((event, payload) => {
    const wc = target()
    if (wc && !wc.isDestroyed()) wc.send(IPC_EVENT, event, payload)
  })
  return () => {
    unsubscribe()
    ipcMain.removeHandler(IPC_CALL)
  }
}
