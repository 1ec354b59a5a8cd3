/**
 * The main-thread side of the import worker (import.worker.ts): one worker thread per inspect or import, so
 * CSV parsing never blocks the event loop that answers the API. Errors come back with their contract code
 * (DataError's 'invalid-data') so the services report them exactly as if the file had been read in-process.
 */
import { Worker } from 'node:worker_threads'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { DatasetSchema, ImportOptions } from '../contract/index.ts'
import type { LoadedSource, SourceOptions } from '../data/index.ts'

type Progress = { bytesRead: number; totalBytes: number; rows: number }
type ReadOptions = Omit<ImportOptions, 'path'>

export type ImportJob = { op: 'inspect'; path: string; opts: Omit<SourceOptions, 'onProgress'> } | { op: 'import'; path: string; opts: ReadOptions }
export type ImportWorkerIn = { type: 'job'; job: ImportJob } | { type: 'save'; dir: string } | { type: 'skip' }
export interface WireError {
  message: string
  code?: string
  details?: string[]
  line?: number
}
export type Parsed = Omit<LoadedSource, 'table'>
export type ImportWorkerOut =
  | { type: 'inspected'; schema: DatasetSchema }
  | { type: 'progress'; progress: Progress }
  | ({ type: 'parsed' } & Parsed)
  | { type: 'saved' }
  | { type: 'done' }
  | { type: 'error'; error: WireError }

function entry(): { file: string; workerData?: unknown } {
  const here = fileURLToPath(import.meta.url)
  if (here.endsWith('.js')) {
    const built = fileURLToPath(new URL('./import.worker.js', import.meta.url))
    if (existsSync(built)) return { file: built }
  }
  return { file: fileURLToPath(new URL('./bootstrap.mjs', import.meta.url)), workerData: { entry: new URL('./import.worker.ts', import.meta.url).href } }
}

class ImportWorkerError extends Error {
  code?: string
  details?: string[]
  line?: number
  constructor(e: WireError) {
    super(e.message)
    this.code = e.code
    this.details = e.details
    this.line = e.line
  }
}

/** Runs one job on a fresh worker; `onMessage` sees every message and may answer through `send`. */
function runJob(job: ImportJob, onMessage: (m: ImportWorkerOut, send: (m: ImportWorkerIn) => void) => void | Promise<void>): Promise<void> {
  const e = entry()
  const worker = new Worker(e.file, { workerData: e.workerData })
  const send = (m: ImportWorkerIn) => worker.postMessage(m)
  return new Promise<void>((resolve, reject) => {
    let settled = false
    const settle = (err?: Error) => {
      if (settled) return
      settled = true
      void worker.terminate()
      if (err) reject(err)
      else resolve()
    }
    worker.on('message', (m: ImportWorkerOut) => {
      if (m.type === 'done') return settle()
      if (m.type === 'error') return settle(new ImportWorkerError(m.error))
      Promise.resolve(onMessage(m, send)).catch((err: Error) => {
        send({ type: 'skip' })
        settle(err)
      })
    })
    worker.on('error', (err) => settle(new Error(`the import worker crashed: ${err.message}`)))
    worker.on('exit', (code) => settle(new Error(`the import worker exited (code ${code}) before it finished`)))
    send({ type: 'job', job })
  })
}

/** `inspectFile` on a worker thread. */
export async function inspectInWorker(path: string, opts: Omit<SourceOptions, 'onProgress'>): Promise<DatasetSchema> {
  let schema: DatasetSchema | null = null
  await runJob({ op: 'inspect', path, opts }, (m) => {
    if (m.type === 'inspected') schema = m.schema
  })
  if (!schema) throw new Error('the import worker gave no answer')
  return schema
}

/**
 * Reads `path` on a worker thread. `decide` gets what was read (hash, schema, …) and returns the folder to
 * write the table into, or null to drop it; resolves with what was read once the table is written.
 */
export async function importInWorker(
  path: string,
  opts: ReadOptions,
  onProgress: (p: Progress) => void,
  decide: (parsed: Parsed) => Promise<string | null> | string | null
): Promise<Parsed> {
  let parsed: Parsed | null = null
  await runJob({ op: 'import', path, opts }, async (m, send) => {
    if (m.type === 'progress') onProgress(m.progress)
    else if (m.type === 'parsed') {
      const { type: _t, ...rest } = m
      parsed = rest
      const dir = await decide(rest)
      send(dir === null ? { type: 'skip' } : { type: 'save', dir })
    }
  })
  if (!parsed) throw new Error('the import worker gave no answer')
  return parsed
}
