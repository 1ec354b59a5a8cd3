/** Electron transport: one invoke channel for every call, one send channel for every event. No logic here. */
import { IPC_CALL, IPC_EVENT } from '../contract/index.ts'
import type { Services } from '../services/index.ts'

/** The parts of Electron's ipcMain and WebContents this door uses (app/ is the only folder importing electron). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: unknown, ...args: unknown[]) => unknown): void
  removeHandler(channel: string): void
}
export interface EventTarget {
  isDestroyed(): boolean
  send(channel: string, ...args: unknown[]): void
}

export function registerIpc(ipcMain: IpcMainLike, services: Services, target: () => EventTarget | null): () => void {
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
