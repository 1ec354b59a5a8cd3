/** Dataset services: inspect, import (one transaction: files then row, undone together), preview, delete. */
import { randomUUID } from 'node:crypto'
import { appendFile, mkdir, readdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, join, relative, resolve, sep } from 'node:path'
import { ApiError, type AugmentPreview, type DatasetDetail, type DatasetPreview, type ImportOptions, type Req } from '../contract/index.ts'
import { applyOverrides, inspectFile, loadSource, loadTable, previewOf, saveTable } from '../data/index.ts'
import { buildAugmentations } from '../engine/augment/index.ts'
import { fsyncDir, isTempName, TEMP_MARKER } from '../lib/atomic.ts'
import { createRng } from '../lib/random.ts'
import type { Store } from '../store/index.ts'
import { summaryOf } from '../store/datasets.ts'
import type { EventBus } from './events.ts'
import { FASHION_MNIST_DIR } from './examples.ts'
import { dataLayout } from './layout.ts'
import { importInWorker, inspectInWorker } from '../workers/importer.ts'
import { examplesDir } from './paths.ts'

/**
 * Which files `datasets.inspect/import` may read: any (the desktop app and the CLI, for files their user picks)
 * or only those under the allowed folders (the server, whose callers are remote). The data folder (uploads),
 * the bundled examples and Fashion-MNIST are always allowed.
 */
export type FileAccess = 'any' | { allow: string[] }

function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep)
}

/** The real path of `path` when the policy lets it be read; an ApiError saying why not otherwise. */
export async function checkFileAccess(path: string, access: FileAccess, alwaysAllowed: string[] = []): Promise<string> {
  if (access === 'any') return path
  const dirs = [...access.allow, ...alwaysAllowed].map((d) => resolve(d))
  // Allowed folders by their names and by their real paths (a folder may itself be a symlink).
  const real = await Promise.all(dirs.map((d) => realpath(d).catch(() => null)))
  const allowed = [...new Set([...dirs, ...real.filter((d): d is string => d !== null)])]
  const refuse = () =>
    new ApiError(
      'invalid-request',
      `This server reads files only inside its allowed folders (${access.allow.map((d) => `"${d}"`).join(', ') || 'none'}); "${path}" is outside them. Upload the file instead, or restart "iunet serve" with --allow-dir for its folder.`
    )
  // Refused before the file system is asked, so the answer says nothing about what exists elsewhere.
  if (!allowed.some((d) => within(resolve(path), d))) throw refuse()
  const target = await realpath(path).catch(() => null)
  if (target === null) throw new ApiError('not-found', `No file or folder at "${path}".`)
  // A symlink inside an allowed folder that leads out of it is refused too.
  if (!allowed.some((d) => within(target, d))) throw refuse()
  return target
}

/** An import writes its table here (under datasets/) and renames it into place once complete. */
const IMPORT_TMP_PREFIX = `${TEMP_MARKER}import-`
/** Import temp folders and unclaimed dataset folders older than this are a crashed import's leftovers. */
export const STALE_IMPORT_MS = 10 * 60 * 1000
/** Upload folders not touched for this long are abandoned (an import removes its upload at once). */
export const STALE_UPLOAD_MS = 24 * 60 * 60 * 1000
export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 ** 3
/** Files from this size on (and folders) are read on a worker thread, so the API keeps answering. */
export const PARSE_IN_WORKER_FROM_BYTES = 1024 * 1024

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

function formatBytes(n: number): string {
  return n >= 1024 ** 3 ? `${+(n / 1024 ** 3).toFixed(2)} GB` : n >= 1024 ** 2 ? `${+(n / 1024 ** 2).toFixed(1)} MB` : `${n} bytes`
}

/** The newest modification time of a path and, for a folder, of its direct entries (ms). */
async function lastTouched(path: string): Promise<number> {
  const st = await stat(path)
  let t = st.mtimeMs
  if (st.isDirectory()) {
    for (const name of await readdir(path).catch(() => [] as string[])) {
      t = Math.max(
        t,
        await stat(join(path, name)).then(
          (s) => s.mtimeMs,
          () => 0
        )
      )
    }
  }
  return t
}

export interface DatasetServiceOptions {
  dataDir: string
  store: Store
  bus: EventBus
  fileAccess?: FileAccess
  /** Upload size cap in bytes (default 4 GB). */
  maxUploadBytes?: number
  /** Files from this size on are parsed on a worker thread (default 1 MB; 0: always; Infinity: never). */
  parseInWorkerFromBytes?: number
}

export function datasetServices(ctx: DatasetServiceOptions) {
  const { store, bus } = ctx
  const layout = dataLayout(ctx.dataDir)
  const storageRoot = layout.datasets
  const fileAccess = ctx.fileAccess ?? 'any'
  const uploadsRoot = layout.uploads
  const maxUploadBytes = ctx.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES
  const workerFrom = ctx.parseInWorkerFromBytes ?? PARSE_IN_WORKER_FROM_BYTES
  /** The chunk being written per upload id: a chunk waits for the one before it (one writer per upload). */
  const uploading = new Map<string, Promise<unknown>>()
  const readable = (path: string) => checkFileAccess(path, fileAccess, [ctx.dataDir, examplesDir(), FASHION_MNIST_DIR])

  function getOrThrow(id: string) {
    const d = store.datasets.get(id)
    if (!d) throw new ApiError('not-found', `No dataset with id ${id}: it may have been deleted.`)
    return d
  }

  async function inWorker(path: string): Promise<boolean> {
    if (workerFrom === 0) return true
    if (!Number.isFinite(workerFrom)) return false
    const st = await stat(path).catch(() => null)
    return !!st && (st.isDirectory() || st.size >= workerFrom)
  }

  /** After an import from an upload, its folder (uploads/<id>/) has served its purpose. */
  async function removeUpload(path: string) {
    const rel = relative(uploadsRoot, path)
    if (rel.startsWith('..') || rel.split(sep).length !== 2) return
    await rm(dirname(path), { recursive: true, force: true }).catch(() => undefined)
  }

  async function importFile(opts: ImportOptions): Promise<DatasetDetail & { storageDir: string }> {
    const path = await readable(opts.path)
    const onProgress = (p: { bytesRead: number; totalBytes: number; rows: number }) => bus.emit('import.progress', { path: opts.path, ...p })
    const id = randomUUID()
    const storageDir = layout.dataset(id)
    const tmpDir = join(storageRoot, IMPORT_TMP_PREFIX + id)
    // A file whose content is already imported is not written again.
    const found: { existing: ReturnType<Store['datasets']['findByHash']> } = { existing: null }
    const keep = (hash: string) => {
      found.existing = store.datasets.findByHash(hash)
      return found.existing ? null : tmpDir
    }
    let src: { name: string; hash: string; sizeBytes: number; schema: DatasetDetail['schema'] }
    await mkdir(storageRoot, { recursive: true })
    try {
      if (await inWorker(path)) {
        const { path: _p, ...readOpts } = opts
        src = await importInWorker(path, readOpts, onProgress, (parsed) => keep(parsed.hash))
      } else {
        const loaded = await loadSource(path, { ...opts, onProgress })
        const dir = keep(loaded.hash)
        if (dir) await saveTable(dir, loaded.table)
        src = loaded
      }
      if (found.existing) {
        if (!opts.reuseExisting)
          throw new ApiError('conflict', `This file is already imported as "${found.existing.name}" (dataset ${found.existing.id}).`, [found.existing.id])
        await removeUpload(path)
        return found.existing
      }
      // Complete tables only ever appear under their id: a crash before this leaves a temp folder swept at start.
      await rename(tmpDir, storageDir)
      fsyncDir(storageRoot)
    } catch (e) {
      await rm(tmpDir, { recursive: true, force: true })
      throw e
    }
    let detail: DatasetDetail & { storageDir: string }
    try {
      detail = store.transaction(() =>
        store.datasets.insert({
          id,
          name: opts.name ?? src.name,
          hash: src.hash,
          sourcePath: opts.path,
          sizeBytes: src.sizeBytes,
          schema: src.schema,
          storageDir
        })
      )
    } catch (e) {
      // The row failed: remove the files so nothing half-imported stays behind.
      await rm(storageDir, { recursive: true, force: true })
      throw e
    }
    await removeUpload(path)
    bus.emit('datasets.changed', {})
    return detail
  }

  /**
   * Start-up sweep of what crashed imports and abandoned uploads left: import temp folders, dataset folders
   * no row claims and `.tmp-*` files (older than STALE_IMPORT_MS, so another process's import in flight is
   * left alone), and upload folders untouched for STALE_UPLOAD_MS.
   */
  async function sweepStale(now = Date.now()): Promise<{ removed: string[] }> {
    const removed: string[] = []
    // Claimed by name (a dataset's id or its folder's name), so a data folder that was moved keeps its tables.
    const claimed = new Set(store.datasets.list().flatMap((d) => [d.id, basename(d.storageDir)]))
    const drop = async (path: string) => {
      await rm(path, { recursive: true, force: true })
      removed.push(path)
    }
    const old = async (path: string, ms: number) => now - (await lastTouched(path).catch(() => now)) > ms
    for (const name of await readdir(storageRoot).catch(() => [] as string[])) {
      const path = join(storageRoot, name)
      if (claimed.has(name)) {
        // A stored dataset: only a writer's `.tmp-*` files left by a crash go.
        for (const f of await readdir(path).catch(() => [] as string[])) {
          if (isTempName(f) && (await old(join(path, f), STALE_IMPORT_MS))) await drop(join(path, f))
        }
      } else if (await old(path, STALE_IMPORT_MS)) {
        // An import temp folder or a folder no row claims; anything recent may be an import in flight elsewhere.
        await drop(path)
      }
    }
    for (const name of await readdir(uploadsRoot).catch(() => [] as string[])) {
      const path = join(uploadsRoot, name)
      if (await old(path, STALE_UPLOAD_MS)) await drop(path)
    }
    return { removed }
  }

  async function writeChunk(req: Req<'datasets.upload'>) {
    // One folder per upload keeps the user's file name as the file's own name, so error messages and the
    // default dataset name say "iris.csv", while the name can never choose the folder.
    const safe =
      basename(req.name)
        .replace(/[^\w.\- ()]+/g, '_')
        .slice(0, 120) || 'upload'
    const offset = req.offset ?? 0
    const uploadId = req.uploadId ?? `${Date.now()}-${randomUUID().slice(0, 8)}`
    if (!req.uploadId && offset !== 0) throw new ApiError('invalid-request', 'An upload starts at offset 0.')
    if (req.data.length % 4 !== 0 || !BASE64.test(req.data)) {
      throw new ApiError(
        'invalid-request',
        `Upload of "${safe}": the chunk is not valid base64 (only A–Z, a–z, 0–9, + and /, padded with = to a multiple of 4 characters).`
      )
    }
    const bytes = Buffer.from(req.data, 'base64')
    if (offset + bytes.length > maxUploadBytes) {
      throw new ApiError('invalid-request', `Upload of "${safe}" is larger than this server's upload limit of ${formatBytes(maxUploadBytes)}.`)
    }
    const dir = layout.upload(uploadId)
    const path = join(dir, safe)
    if (!req.uploadId) {
      await mkdir(dir, { recursive: true })
      await writeFile(path, bytes)
    } else {
      const size = await stat(path).then(
        (s) => s.size,
        () => -1
      )
      if (size < 0) throw new ApiError('not-found', `Upload ${uploadId} of "${safe}" is unknown: start it again.`)
      if (size !== offset) throw new ApiError('conflict', `Upload of "${safe}" expected offset ${size}, got ${offset}: start it again.`)
      await appendFile(path, bytes)
    }
    return { path, uploadId, received: offset + bytes.length }
  }

  return {
    getOrThrow,
    importFile,
    list: () => store.datasets.list().map(summaryOf),
    get: (id: string): DatasetDetail => {
      const { storageDir: _dir, ...detail } = getOrThrow(id)
      return detail
    },
    sweepStale,
    async inspect(req: Req<'datasets.inspect'>) {
      const path = await readable(req.path)
      const opts = { target: req.target, imageShape: req.imageShape }
      return (await inWorker(path)) ? inspectInWorker(path, opts) : inspectFile(path, opts)
    },
    upload(req: Req<'datasets.upload'>) {
      if (!req.uploadId) return writeChunk(req)
      // Chunks of one upload are written one after the other: two sent at once for the same offset cannot
      // both append (the second finds the size moved on and is refused).
      const key = req.uploadId
      const run = (uploading.get(key) ?? Promise.resolve()).catch(() => undefined).then(() => writeChunk(req))
      uploading.set(key, run)
      void run.finally(() => uploading.get(key) === run && uploading.delete(key)).catch(() => undefined)
      return run
    },
    async preview(id: string, rows: number): Promise<DatasetPreview> {
      const d = getOrThrow(id)
      return previewOf(await loadTable(d.storageDir), d.schema, rows)
    },
    async update(req: Req<'datasets.update'>): Promise<DatasetDetail> {
      const d = getOrThrow(req.id)
      const schema = applyOverrides(d.schema, { target: req.target, columns: req.columns }, await loadTable(d.storageDir))
      store.transaction(() => {
        store.datasets.updateSchema(d.id, schema)
        if (req.name) store.datasets.rename(d.id, req.name)
      })
      bus.emit('datasets.changed', {})
      const { storageDir: _dir, ...detail } = getOrThrow(d.id)
      return detail
    },
    async augmentPreview(req: Req<'datasets.augmentPreview'>): Promise<AugmentPreview> {
      const d = getOrThrow(req.id)
      const shape = d.schema.imageShape
      if (d.kind !== 'image' || !shape) throw new ApiError('invalid-request', `"${d.name}" is tabular: augmentation previews are for image datasets.`)
      const count = req.count ?? 6
      const preview = previewOf(await loadTable(d.storageDir), d.schema, count)
      const nFeatures = shape[0] * shape[1] * shape[2]
      const empty = { x: new Float32Array(0), y: new Int32Array(0), n: 0 }
      // Image augmentations only read the kind and shape of the prepared data.
      const aug = buildAugmentations(req.augment, {
        kind: 'image',
        nFeatures,
        nClasses: d.schema.classes.length,
        classNames: [],
        imageShape: shape,
        featureGroups: [],
        numericMask: new Uint8Array(nFeatures),
        train: empty,
        val: empty,
        test: empty
      })
      const rng = createRng(req.seed ?? 0)
      const samples = preview.images.slice(0, count).map((img) => {
        const x = Float32Array.from(img.pixels)
        const views = Array.from({ length: req.views ?? 4 }, () => Array.from(aug.ilo(x, [1, ...shape], rng)))
        return { label: img.label, original: img.pixels, views }
      })
      return { imageShape: shape, samples, describe: aug.describe }
    },
    async remove(id: string) {
      const d = getOrThrow(id)
      store.transaction(() => store.datasets.delete(id))
      await rm(d.storageDir, { recursive: true, force: true })
      bus.emit('datasets.changed', {})
      bus.emit('runs.changed', {})
      return { ok: true as const }
    }
  }
}
export type DatasetServices = ReturnType<typeof datasetServices>
