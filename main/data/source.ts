/**
 * Entry points for a dropped path: decide what it is (CSV text, IDX images, a folder of class folders),
 * read it into a Table, infer the schema and — on import — apply the user's choices and validate them.
 */
import { readdir, stat } from 'node:fs/promises'
import { basename, dirname, extname, join } from 'node:path'
import type { DatasetSchema, ImageShape, ImportOptions } from '../contract/index.ts'
import { readCsv, readHead, type Progress } from './csv/read.ts'
import { DataError, fsError } from './errors.ts'
import { readImageFolder } from './images/folder.ts'
import { isGzip, looksLikeIdx, readIdxPair } from './images/idx.ts'
import { applyOverrides, inferSchema } from './schema.ts'
import type { Table } from './table.ts'
import { gunzipSync } from 'node:zlib'

export interface SourceOptions {
  target?: string
  imageShape?: ImageShape
  onProgress?: (p: Progress) => void
}

export interface LoadedSource {
  name: string
  hash: string
  sizeBytes: number
  schema: DatasetSchema
  table: Table
}

interface RawSource {
  table: Table
  hash: string
  sizeBytes: number
  /** The inferred schema for a given target (the suggested one when undefined). */
  infer(target?: string): DatasetSchema
}

async function readSource(path: string, opts: SourceOptions): Promise<RawSource> {
  if (typeof path !== 'string' || path.trim() === '') throw new DataError('No file was given: the path is empty.')
  let st
  try {
    st = await stat(path)
  } catch (e) {
    fsError(e, path)
  }
  if (st.isDirectory()) {
    const idxImages = await idxInFolder(path)
    if (idxImages) {
      const r = await readIdxPair(join(path, idxImages.file), opts)
      const warnings = idxImages.others.length
        ? [
            `The folder holds several IDX image files; "${idxImages.file}" was imported (not ${idxImages.others.map((o) => `"${o}"`).join(', ')}). Import a file directly to choose.`
          ]
        : []
      return { table: r.table, hash: r.hash, sizeBytes: r.sizeBytes, infer: () => inferSchema(r.table, { target: 'label', kind: 'image', warnings }) }
    }
    const r = await readImageFolder(path, opts)
    return { ...r, infer: () => inferSchema(r.table, { target: 'label', kind: 'image', warnings: r.warnings }) }
  }
  if (!st.isFile()) throw new DataError(`"${path}" is not a regular file (it may be a device or a pipe).`)
  const { head } = await readHead(path, 16)
  if (isGzip(head) && !looksLikeIdx(path, head)) {
    // peek inside: a gzipped IDX file named unusually is still an IDX file
    const inner = peekGzip(await readHead(path, 64 * 1024).then((h) => h.head))
    if (!inner || !looksLikeIdx('', inner)) {
      throw new DataError(`"${basename(path)}" is a gzip archive; unzip it and import the CSV inside, or import an IDX (.gz) images file.`)
    }
  }
  if (looksLikeIdx(path, head) || isGzip(head)) {
    const r = await readIdxPair(path, opts)
    return { table: r.table, hash: r.hash, sizeBytes: r.sizeBytes, infer: () => inferSchema(r.table, { target: 'label', kind: 'image' }) }
  }
  const csv = await readCsv(path, opts.onProgress)
  const infer = (target?: string) => inferSchema(csv.table, { target, imageShape: opts.imageShape, parseStats: csv.stats, warnings: csv.warnings })
  return { table: csv.table, hash: csv.hash, sizeBytes: csv.sizeBytes, infer }
}

/** A folder like the MNIST downloads: IDX images files (the training one preferred) rather than class folders. */
async function idxInFolder(dir: string): Promise<{ file: string; others: string[] } | null> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (e) {
    fsError(e, dir, 'folder')
  }
  const images = names.filter((n) => /images[-.]idx[34]-ubyte(\.gz)?$/i.test(n)).sort()
  if (images.length === 0) return null
  // the same file both gzipped and not counts once
  const unique = [...new Map(images.map((n) => [n.replace(/\.gz$/i, ''), n])).values()]
  const file = unique.find((n) => /^train/i.test(n)) ?? unique[0]
  return { file, others: unique.filter((n) => n !== file) }
}

function peekGzip(head: Uint8Array): Uint8Array | null {
  try {
    return gunzipSync(head, { finishFlush: 2 /* Z_SYNC_FLUSH: tolerate a cut stream */ }).subarray(0, 16)
  } catch {
    return null
  }
}

/** Reads and describes a file without importing it; target problems come back as warnings, not errors. */
export async function inspectFile(path: string, opts: SourceOptions = {}): Promise<DatasetSchema> {
  const r = await readSource(path, opts)
  const suggested = r.infer()
  if (opts.target === undefined || opts.target === suggested.target) return suggested
  if (!r.table.columns.some((c) => c.name === opts.target)) {
    suggested.warnings.push(`Target: there is no column named "${opts.target}"; the suggested target "${suggested.target}" is shown instead.`)
    return suggested
  }
  return r.infer(opts.target)
}

/** Imports a file: the table, its content hash and a validated schema with the user's overrides applied. */
export async function loadSource(
  path: string,
  opts: Omit<ImportOptions, 'path'> & { path?: string; onProgress?: (p: Progress) => void }
): Promise<LoadedSource> {
  const r = await readSource(path, { imageShape: opts.imageShape, onProgress: opts.onProgress })
  const target = opts.target ?? opts.columns?.find((c) => c.role === 'target')?.name
  const inferred = r.infer(target)
  const schema = applyOverrides(inferred, { target, columns: opts.columns }, r.table)
  const name = opts.name ?? defaultName(path)
  return { name, hash: r.hash, sizeBytes: r.sizeBytes, schema, table: r.table }
}

function defaultName(path: string): string {
  // MNIST-style downloads share file names: name them after their folder ("fashion-mnist (train)")
  const idx = /^(train|t10k|test)[-.]images[-.]idx\d-ubyte(\.gz)?$/i.exec(basename(path))
  if (idx) return `${basename(dirname(path))} (${idx[1].toLowerCase() === 'train' ? 'train' : 'test'})`
  const base = basename(path.replace(/[\\/]+$/, '')).replace(/\.gz$/i, '')
  const ext = extname(base)
  return (ext ? base.slice(0, -ext.length) : base) || base
}
