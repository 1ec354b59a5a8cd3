/**
 * Preload of the hidden GPU-training window: hands the page the MessagePort main sent, nothing else. The page
 * (renderer/gpu-trainer.html) serves the job protocol over it.
 */
import { ipcRenderer } from 'electron'
// The names only (a file that imports nothing and no other preload imports), bundled in: a sandboxed preload
// cannot require app modules or shared chunks.
import { GPU_PORT_CHANNEL, GPU_TRAINER_PORT } from '../main/contract/gpuPort.ts'

// The preload's tsconfig has no DOM types: the page's window, typed for the one call made on it.
const page = globalThis as unknown as { postMessage(message: string, targetOrigin: string, transfer: unknown[]): void }

ipcRenderer.once(GPU_PORT_CHANNEL, (e) => page.postMessage(GPU_TRAINER_PORT, '*', e.ports))
