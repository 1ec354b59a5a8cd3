/** Dataset services: inspect, import (one transaction: files then row, undone together), preview, delete. */
import { randomUUID } from 'node:crypto'
import { appendFile, mkdir, realpath, rm, stat, writeFile } from 'node:fs/promises'
import { basename, join, resolve, sep } from 'node:path'
import { ApiError, type AugmentPreview, type DatasetDetail, type DatasetPreview, type ImportOptions, type Req } from '../contract/index.ts'
import { applyOverrides, inspectFile, loadSource, loadTable, previewOf, saveTable } from '../data/index.ts'
import { buildAugmentations } from '../engine/augment/index.ts'
import { createRng } from '../lib/random.ts'
import type { Store } from '../store/index.ts'
import { summaryOf } from '../store/datasets.ts'
import type { EventBus } from './events.ts'
import { FASHION_MNIST_DIR } from './examples.ts'
import { resourcesDir } from './paths.ts'

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

export function datasetServices(ctx: { dataDir: string; store: Store; bus: EventBus; fileAccess?: FileAccess }) {
  const { store, bus } = ctx
  const storageRoot = join(ctx.dataDir, 'datasets')
  const fileAccess = ctx.fileAccess ?? 'any'
  const readable = (path: string) => checkFileAccess(path, fileAccess, [ctx.dataDir, join(resourcesDir(), 'examples'), FASHION_MNIST_DIR])

  function getOrThrow(id: string) {
    const d = store.datasets.get(id)
    if (!d) throw new ApiError('not-found', `No dataset with id ${id}: it may have been deleted.`)
    return d
  }

  async function importFile(opts: ImportOptions): Promise<DatasetDetail & { storageDir: string }> {
    const onProgress = (p: { bytesRead: number; totalBytes: number; rows: number }) => bus.emit('import.progress', { path: opts.path, ...p })
    const src = await loadSource(await readable(opts.path), { ...opts, onProgress })
    const existing = store.datasets.findByHash(src.hash)
    if (existing) {
      if (opts.reuseExisting) return existing
      throw new ApiError('conflict', `This file is already imported as "${existing.name}" (dataset ${existing.id}).`, [existing.id])
    }
    const id = randomUUID()
    const storageDir = join(storageRoot, id)
    await mkdir(storageRoot, { recursive: true })
    await saveTable(storageDir, src.table)
    try {
      const detail = store.transaction(() =>
        store.datasets.insert({ id, name: opts.name ?? src.name, hash: src.hash, sourcePath: opts.path, sizeBytes: src.sizeBytes, schema: src.schema, storageDir })
      )
      bus.emit('datasets.changed', {})
      return detail
    } catch (e) {
      // The row failed: remove the files so nothing half-imported stays behind.
      await rm(storageDir, { recursive: true, force: true })
      throw e
    }
  }

  return {
    getOrThrow,
    importFile,
    list: () => store.datasets.list().map(summaryOf),
    get: (id: string): DatasetDetail => {
      const { storageDir: _dir, ...detail } = getOrThrow(id)
      return detail
    },
    inspect: async (req: Req<'datasets.inspect'>) => inspectFile(await readable(req.path), { target: req.target, imageShape: req.imageShape }),
    async upload(req: Req<'datasets.upload'>) {
      // One folder per upload keeps the user's file name as the file's own name, so error messages and the
      // default dataset name say "iris.csv", while the name can never choose the folder.
      const safe = basename(req.name).replace(/[^\w.\- ()]+/g, '_').slice(0, 120) || 'upload'
      const offset = req.offset ?? 0
      const uploadId = req.uploadId ?? `${Date.now()}-${randomUUID().slice(0, 8)}`
      if (!req.uploadId && offset !== 0) throw new ApiError('invalid-request', 'An upload starts at offset 0.')
      const dir = join(ctx.dataDir, 'uploads', uploadId)
      const path = join(dir, safe)
      const bytes = Buffer.from(req.data, 'base64')
      if (!req.uploadId) {
        await mkdir(dir, { recursive: true })
        await writeFile(path, bytes)
      } else {
        const size = await stat(path).then((s) => s.size, () => -1)
        if (size < 0) throw new ApiError('not-found', `Upload ${uploadId} of "${safe}" is unknown: start it again.`)
        if (size !== offset) throw new ApiError('conflict', `Upload of "${safe}" expected offset ${size}, got ${offset}: start it again.`)
        await appendFile(path, bytes)
      }
      return { path, uploadId, received: offset + bytes.length }
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
        kind: 'image', nFeatures, nClasses: d.schema.classes.length, classNames: [], imageShape: shape,
        featureGroups: [], numericMask: new Uint8Array(nFeatures), train: empty, val: empty, test: empty
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
