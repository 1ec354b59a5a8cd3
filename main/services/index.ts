/**
 * The workbench's services behind the contract. Transports (Electron IPC, the HTTP/WebSocket server) and the
 * CLI call `handle`, which validates the payload with the contract's schema before anything else runs.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { ZodError } from 'zod'
import {
  ApiError,
  describeZodError,
  isChannel,
  parseRequest,
  type ApiErrorShape,
  type AppInfo,
  type BackendChoice,
  type Channel,
  type Req,
  type Res
} from '../contract/index.ts'
import { runBenchSuite, type BenchSuiteOptions } from './bench.ts'
import { EventBus } from './events.ts'
import { appRoot } from './paths.ts'
import { datasetServices, type FileAccess } from './datasets.ts'
import { listExamples } from './examples.ts'
import { dataLayout } from './layout.ts'
import { modelServices } from './models.ts'
import { runServices, STALE_MS } from './runs.ts'
import { studyServices, type StudyRunOptions } from './studies.ts'
import { collectStudyFolder, writeStudyFolder } from './studyFolder.ts'
import { openStore, type Store } from '../store/index.ts'
import { TrainingPool, type WorkerLike } from '../workers/pool.ts'

export type Reply<T> = { ok: true; data: T } | { ok: false; error: ApiErrorShape }

export interface ServicesOptions {
  dataDir: string
  transport: AppInfo['transport']
  /** Overrides the saved worker count (tests use 1). */
  workers?: number
  /**
   * Overrides the saved backend for this process's training pool only (`iunet run --backend webgpu`); the user's
   * setting is neither read for the pool nor changed.
   */
  backend?: BackendChoice
  /** The desktop app: webgpu tasks train in a hidden window on Chromium's WebGPU (Dawn cannot load in Electron). */
  gpuWorker?: () => WorkerLike
  /** Files `datasets.inspect/import` may read; the server passes its allowed folders, other doors 'any' (default). */
  fileAccess?: FileAccess
  /** Upload size cap in bytes (default 4 GB; `iunet serve --max-upload-mb`). */
  maxUploadBytes?: number
  /** Files from this size on are parsed on a worker thread (default 1 MB; 0: always). */
  parseInWorkerFromBytes?: number
  /**
   * Read-only commands (`iunet runs`, `inspect`, `config`): no start-up recovery, so opening the store never
   * changes a run's state or files.
   */
  readOnly?: boolean
}

/** Whether process `pid` exists on this host (EPERM: it exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version: string }).version
  } catch {
    return '0.0.0'
  }
}

/** Any thrown value → the wire error shape, without stack traces. */
export function toApiError(e: unknown): ApiErrorShape {
  if (e instanceof ApiError) return e.toJSON()
  if (e instanceof ZodError) return describeZodError('response', e).toJSON()
  // Errors of lower layers (data's DataError) carry a contract code of their own.
  const err = e as { code?: unknown; message?: unknown; details?: unknown }
  if (
    typeof err?.code === 'string' &&
    typeof err.message === 'string' &&
    ['invalid-request', 'invalid-data', 'not-found', 'conflict', 'cancelled'].includes(err.code)
  ) {
    const details = Array.isArray(err.details) ? err.details.map(String) : undefined
    return { code: err.code as ApiErrorShape['code'], message: err.message, ...(details ? { details } : {}) }
  }
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) }
}

export function createServices(opts: ServicesOptions) {
  const store: Store = openStore(opts.dataDir)
  const owner = { pid: process.pid, host: hostname(), instance: randomUUID() }
  // Only runs whose owner is gone (same host, pid dead) or silent (stale heartbeat) are interrupted.
  const interrupted = opts.readOnly
    ? 0
    : store.runs.markInterrupted({ staleMs: STALE_MS, isOwnerGone: (o) => o.host === owner.host && o.pid !== null && !pidAlive(o.pid) })
  const bus = new EventBus()
  const settings = store.settings.settings()
  const pool = new TrainingPool({ size: opts.workers ?? settings.workers, backend: opts.backend ?? settings.backend, gpuWorker: opts.gpuWorker })
  const datasets = datasetServices({
    dataDir: opts.dataDir,
    store,
    bus,
    fileAccess: opts.fileAccess,
    maxUploadBytes: opts.maxUploadBytes,
    parseInWorkerFromBytes: opts.parseInWorkerFromBytes
  })
  // What crashed imports and abandoned uploads left behind (only old leftovers: never an import in flight).
  const swept = datasets.sweepStale().catch(() => ({ removed: [] as string[] }))
  const layout = dataLayout(opts.dataDir)
  const models = modelServices({ dataDir: opts.dataDir, store, version, fileAccess: opts.fileAccess, layout })
  const runs = runServices({ store, pool, bus, datasets, layout, owner, models })
  const studies = studyServices({ store, bus, datasets, runs })
  if (!opts.readOnly) {
    runs.sweepCheckpoints()
    models.sweep()
  }
  /** Runs started by this process, until they end (for in-process doors that wait: the CLI). */
  const ending = new Map<string, Promise<void>>()

  const handlers: { [C in Channel]: (req: z_in<C>) => Promise<Res<C>> | Res<C> } = {
    'app.info': async () => ({
      version: version(),
      dataDir: opts.dataDir,
      transport: opts.transport,
      backend: await pool.backendInfo(),
      settings: store.settings.settings(),
      bench: store.settings.bench()
    }),
    'settings.set': async (req) => {
      const before = store.settings.settings()
      const next = store.settings.saveSettings(req)
      // Running tasks finish on their workers; new tasks start on workers with the new settings.
      if (next.backend !== before.backend || next.workers !== before.workers)
        pool.reconfigure({ size: opts.workers ?? next.workers, backend: opts.backend ?? next.backend })
      return next
    },
    'datasets.list': () => datasets.list(),
    'datasets.examples': () => listExamples(),
    'datasets.inspect': (req) => datasets.inspect(req),
    'datasets.upload': (req) => datasets.upload(req),
    'datasets.import': async (req) => {
      const { storageDir: _dir, ...detail } = await datasets.importFile(req)
      return detail
    },
    'datasets.get': (req) => datasets.get(req.id),
    'datasets.preview': (req) => datasets.preview(req.id, req.rows ?? 20),
    'datasets.delete': (req) => {
      // Deleting the dataset would take the run with it (cascade) while its worker still writes progress.
      const training = store.runs.list().filter((r) => r.datasetId === req.id && (runs.isActive(r.id) || r.status === 'running' || r.status === 'queued'))
      if (training.length) {
        const names = training.map((r) => `"${r.name}"`).join(', ')
        throw new ApiError(
          'conflict',
          `This dataset is in use by ${training.length === 1 ? 'a training run' : `${training.length} training runs`} (${names}): cancel ${training.length === 1 ? 'it' : 'them'} first, then delete the dataset.`,
          training.map((r) => r.id)
        )
      }
      return datasets.remove(req.id)
    },
    'datasets.update': (req) => datasets.update(req),
    'datasets.augmentPreview': (req) => datasets.augmentPreview(req),
    'runs.list': () => runs.list(),
    'runs.get': (req) => runs.get(req.id),
    'runs.defaults': (req) => runs.defaults(req.datasetId, req.preset),
    'runs.start': async (req) => {
      const { summary, finished } = await runs.start(req)
      ending.set(summary.id, finished)
      void finished.finally(() => ending.delete(summary.id))
      return summary
    },
    'runs.resume': async (req) => {
      const { summary, finished } = await runs.resume(req.id)
      ending.set(summary.id, finished)
      void finished.finally(() => ending.delete(summary.id))
      return summary
    },
    'runs.estimate': (req) => runs.estimate(req),
    'runs.cancel': (req) => runs.cancel(req.id),
    'runs.delete': (req) => runs.remove(req.id),
    'runs.metrics': (req) => runs.metrics(req.id),
    'runs.artifacts': (req) => runs.artifacts(req.id),
    'models.export': (req) => models.export(req),
    'models.download': (req) => models.download(req),
    'models.predict': (req) => models.predict(req),
    'studies.list': () => studies.list(),
    'studies.get': (req) => studies.get(req.id, req),
    'studies.export': (req) => studies.export(req.id, req),
    'studies.start': (req) => studies.start(req),
    'studies.resume': (req) => studies.resume(req.id),
    'studies.cancel': (req) => studies.cancel(req.id),
    'studies.estimate': (req) => studies.estimate(req)
  }

  return {
    bus,
    // The parts, for tests that set up or inspect state directly; doors use the methods below.
    store,
    interrupted,
    runs,
    datasets,
    studies,
    /** The start-up sweep of import/upload leftovers, once it has run. */
    swept,
    pool,
    /** Runs (or resumes) a study on this process's pool; `finished` settles when every cell has ended. */
    runStudy: (spec: Parameters<typeof studies.run>[0], o: StudyRunOptions = {}) => studies.run(spec, o),
    /** Prepares a study and writes its folder for Slurm (a shared path; compute nodes never open the store). */
    writeStudyFolder: async (dir: string, spec: Parameters<typeof studies.prepare>[0]) => writeStudyFolder(dir, await studies.prepare(spec), store),
    /** Merges a study folder's result files into the store; collecting twice adds nothing. */
    collectStudyFolder: (dir: string) => collectStudyFolder(dir, store),
    /** Every active run saves a checkpoint and stops as 'interrupted' (signals, the app closing). */
    interruptAll: () => {
      studies.stop()
      return runs.interruptAll()
    },
    /** Validates and dispatches one call; never throws: errors come back as `{ ok: false, error }`. */
    async handle(channel: unknown, payload: unknown): Promise<Reply<unknown>> {
      try {
        if (!isChannel(channel))
          throw new ApiError('invalid-request', `Unknown channel: ${typeof channel === 'string' ? channel.slice(0, 80) : typeof channel}`)
        const req = parseRequest(channel, payload)
        const data = await (handlers[channel] as (r: unknown) => unknown)(req)
        return { ok: true, data }
      } catch (e) {
        return { ok: false, error: toApiError(e) }
      }
    },
    /** Runs the benchmark suite in this process (`iunet bench`) and keeps its figures for the wizard's estimates. */
    async bench(o: BenchSuiteOptions, say: (line: string) => void) {
      const figures = await runBenchSuite(o, say, (dataDir) => createServices({ dataDir, transport: opts.transport }))
      store.settings.saveBench({
        backend: figures.backend,
        mlpSamplesPerSecond: figures.mlpSamplesPerSecond,
        cnnImagesPerSecond: figures.cnnImagesPerSecond,
        quickComparisonSeconds: figures.quickComparisonSeconds,
        measuredAt: figures.measuredAt
      })
      return figures
    },
    /** Settles once run `id`, started by this process, has ended (at once for any other run). */
    async whenFinished(id: string): Promise<void> {
      await ending.get(id)
    },
    /** Typed direct call for in-process users (CLI, tests); throws ApiError on failure. */
    async call<C extends Channel>(channel: C, req: Req<C>): Promise<Res<C>> {
      const r = await this.handle(channel, req)
      if (!r.ok) throw new ApiError(r.error.code, r.error.message, r.error.details)
      return r.data as Res<C>
    },
    async close() {
      // Training runs save a checkpoint and stop as 'interrupted' (resumable) rather than dying mid-epoch; a
      // running study starts no further cells.
      studies.stop()
      await runs.interruptAll()
      await pool.close()
      store.close()
    }
  }
}
type z_in<C extends Channel> = ReturnType<typeof parseRequest<C>>
export type Services = ReturnType<typeof createServices>
