/**
 * Import worker: reads a dropped file or folder (CSV parsing, image decoding, hashing) off the main thread so
 * the API keeps answering while a large file imports. One worker per job: `inspect` answers the inferred
 * schema; `import` reads the source, reports progress, asks the main thread whether to keep it (its hash may
 * already be imported), then writes the table into the folder it is given.
 */
import { parentPort } from 'node:worker_threads'
import { inspectFile, loadSource, saveTable } from '../data/index.ts'
import type { ImportJob, ImportWorkerIn, ImportWorkerOut, WireError } from './importer.ts'

const port = parentPort!
const post = (m: ImportWorkerOut) => port.postMessage(m)

function wireError(e: unknown): WireError {
  const err = e as { code?: unknown; message?: unknown; details?: unknown; line?: unknown }
  return {
    message: typeof err?.message === 'string' ? err.message : String(e),
    code: typeof err?.code === 'string' ? err.code : undefined,
    details: Array.isArray(err?.details) ? err.details.map(String) : undefined,
    line: typeof err?.line === 'number' ? err.line : undefined
  }
}

function next(): Promise<ImportWorkerIn> {
  return new Promise((resolve) => port.once('message', resolve))
}

async function run(job: ImportJob) {
  if (job.op === 'inspect') {
    post({ type: 'inspected', schema: await inspectFile(job.path, job.opts) })
    return
  }
  const src = await loadSource(job.path, { ...job.opts, onProgress: (p) => post({ type: 'progress', progress: p }) })
  const { table, ...meta } = src
  post({ type: 'parsed', ...meta })
  const answer = await next()
  if (answer.type !== 'save') return
  await saveTable(answer.dir, table)
  post({ type: 'saved' })
}

port.once('message', (job: ImportWorkerIn) => {
  if (job.type !== 'job') return
  run(job.job).then(
    () => post({ type: 'done' }),
    (e: unknown) => post({ type: 'error', error: wireError(e) })
  )
})
