/**
 * Preload of the hidden GPU-training window: hands the page the MessagePort main sent, nothing else. The page
 * (renderer/gpu-trainer.html) speaks the training-worker protocol over it.
 */
import { ipcRenderer } from 'electron'

/** Same values as main/app/gpuWindow.ts and main/workers/gpu-trainer.ts (preload imports nothing of main). */
const PORT_CHANNEL = 'iunet:gpu-trainer-port'
const PAGE_MESSAGE = 'iunet-gpu-trainer-port'

// The preload's tsconfig has no DOM types: the page's window, typed for the one call made on it.
const page = globalThis as unknown as { postMessage(message: string, targetOrigin: string, transfer: unknown[]): void }

ipcRenderer.once(PORT_CHANNEL, (e) => page.postMessage(PAGE_MESSAGE, '*', e.ports))
