/**
 * Entry points for a dropped path: decide what it is from its content (and, where the content cannot say, its
 * name), read it into a Table, infer the schema and — on import — apply the user's choices and validate them.
 * Files: CSV (or .csv.gz), ARFF (or .arff.gz), Parquet, IDX images (.gz or not), SVHN's .mat files, CIFAR
 * batches and their .tar.gz. Folders: CIFAR batches, SVHN's train/test files, IDX files, class sub-folders.
 */
import { readdir, stat } from 'node:fs/promises'
import { basename, dirname, extname, join } from 'node:path'
import type { DataFormat, DatasetSchema, ImageShape, ImportOptions } from '../contract/index.ts'
import { looksLikeArff, readArff } from './arff/read.ts'
import { peekGzip, readCsv, readHead, type Progress } from './csv/read.ts'
import { DataError, fsError } from './errors.ts'
import { cifarBatch, cifarFolder, isCifarPickleName, pickleError, readCifarFile, readCifarFolder, readCifarTar } from './images/cifar.ts'
import { readImageFolder } from './images/folder.ts'
import { isGzip, looksLikeIdx, readIdxPair } from './images/idx.ts'
import { readSvhn, svhnFiles } from './images/svhn.ts'
import { PARQUET_MAGIC, readParquet } from './parquet.ts'
import { applyOverrides, inferSchema, type InferOptions } from './schema.ts'
import type { Table } from './table.ts'
import { looksLikeTar } from './tar.ts'

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

/** A read table and what inference needs to know about where it came from. */
function raw(r: { table: Table; hash: string; sizeBytes: number }, format: DataFormat, opts: Omit<InferOptions, 'target' | 'format'> = {}): RawSource {
  return { table: r.table, hash: r.hash, sizeBytes: r.sizeBytes, infer: (target) => inferSchema(r.table, { ...opts, target, format }) }
}

function noShape(opts: SourceOptions, what: string, shape: ImageShape) {
  if (opts.imageShape && opts.imageShape.join() !== shape.join()) {
    throw new DataError(`The declared image shape ${opts.imageShape.join('×')} does not match ${what}, whose images are ${shape.join('×')}.`)
  }
}

async function readFolder(path: string, opts: SourceOptions): Promise<RawSource> {
  const cifar = await cifarFolder(path)
  if (cifar) {
    const r = await readCifarFolder(cifar, opts)
    noShape(opts, `"${basename(path)}"`, r.table.image!.shape)
    return raw(r, r.version, { kind: 'image', warnings: r.warnings })
  }
  const svhn = await svhnFiles(path)
  if (svhn) {
    const warnings =
      svhn.extra && (svhn.train || svhn.test) ? [`"${svhn.extra}" (SVHN's extra training images) was not imported; import it on its own to use it.`] : []
    const r = await readSvhn(
      { train: svhn.train || svhn.test ? svhn.train && join(path, svhn.train) : join(path, svhn.extra!), test: svhn.test && join(path, svhn.test) },
      { ...opts, warnings }
    )
    noShape(opts, `"${basename(path)}"`, r.table.image!.shape)
    return raw(r, 'svhn', { kind: 'image', warnings: r.warnings })
  }
  const idxImages = await idxInFolder(path)
  if (idxImages) {
    const r = await readIdxPair(join(path, idxImages.file), opts)
    const warnings = idxImages.others.length
      ? [
          `The folder holds several IDX image files; "${idxImages.file}" was imported (not ${idxImages.others.map((o) => `"${o}"`).join(', ')}). Import a file directly to choose.`
        ]
      : []
    return raw(r, 'idx', { kind: 'image', warnings })
  }
  const r = await readImageFolder(path, opts)
  return raw(r, 'image-folder', { kind: 'image', warnings: r.warnings })
}

const startsWith = (head: Uint8Array, text: string) => head.length >= text.length && Buffer.from(head.subarray(0, text.length)).toString('latin1') === text
/** Python pickles (protocol 2–5) start with 0x80 and the protocol number. */
const isPickle = (head: Uint8Array) => head.length >= 2 && head[0] === 0x80 && head[1] >= 2 && head[1] <= 5

async function readGzipped(path: string, opts: SourceOptions): Promise<RawSource> {
  const name = basename(path)
  const inner = peekGzip((await readHead(path, 16 * 1024)).head)
  if (!inner) throw new DataError(`"${name}" is not a valid gzip file; the download may be incomplete.`)
  if (looksLikeTar(inner)) {
    const r = await readCifarTar(path, true, opts)
    noShape(opts, `"${name}"`, r.table.image!.shape)
    return raw(r, r.version, { kind: 'image', warnings: r.warnings })
  }
  if (looksLikeIdx(path, inner) || looksLikeIdx('', inner)) {
    const r = await readIdxPair(path, opts)
    return raw(r, 'idx', { kind: 'image' })
  }
  if (startsWith(inner, PARQUET_MAGIC))
    throw new DataError(`"${name}" is a gzipped Parquet file; unzip it and import the .parquet file (Parquet compresses its pages itself).`)
  if (/\.arff\.gz$/i.test(name) || looksLikeArff(inner.toString('utf8'))) return arff(path, true, opts)
  return csv(path, true, opts)
}

async function arff(path: string, gzip: boolean, opts: SourceOptions): Promise<RawSource> {
  const r = await readArff(path, gzip, opts.onProgress)
  return raw(r, 'arff', { declared: r.declared, suggestedTarget: r.defaultTarget, imageShape: opts.imageShape, warnings: r.warnings })
}

async function csv(path: string, gzip: boolean, opts: SourceOptions): Promise<RawSource> {
  const c = await readCsv(path, opts.onProgress, gzip)
  return raw(c, 'csv', { imageShape: opts.imageShape, parseStats: c.stats, warnings: c.warnings })
}

async function readSource(path: string, opts: SourceOptions): Promise<RawSource> {
  if (typeof path !== 'string' || path.trim() === '') throw new DataError('No file was given: the path is empty.')
  let st
  try {
    st = await stat(path)
  } catch (e) {
    fsError(e, path)
  }
  if (st.isDirectory()) return readFolder(path, opts)
  if (!st.isFile()) throw new DataError(`"${path}" is not a regular file (it may be a device or a pipe).`)
  const name = basename(path)
  const { head } = await readHead(path, 64 * 1024)
  if (isGzip(head)) return readGzipped(path, opts)
  if (startsWith(head, PARQUET_MAGIC)) {
    const r = await readParquet(path, opts.onProgress)
    return raw(r, 'parquet', { declared: r.declared, imageShape: opts.imageShape, warnings: r.warnings })
  }
  if (/^MATLAB (5\.0|7\.3) MAT-file/.test(head.toString('latin1', 0, 24)) || startsWith(head, '\x89HDF') || /\.mat$/i.test(name)) {
    const r = await readSvhn({ train: path }, opts)
    noShape(opts, `"${name}"`, r.table.image!.shape)
    return raw(r, 'svhn', { kind: 'image', warnings: r.warnings })
  }
  if (looksLikeTar(head)) {
    const r = await readCifarTar(path, false, opts)
    noShape(opts, `"${name}"`, r.table.image!.shape)
    return raw(r, r.version, { kind: 'image', warnings: r.warnings })
  }
  if (cifarBatch(name)) {
    const r = await readCifarFile(path, opts)
    noShape(opts, `"${name}"`, r.table.image!.shape)
    return raw(r, r.version, { kind: 'image', warnings: r.warnings })
  }
  if (isPickle(head)) {
    if (isCifarPickleName(name)) throw pickleError(name)
    throw new DataError(
      `"${name}" is a Python pickle, which is not read here (unpickling a file can run code). Save the data as CSV, Parquet or ARFF and import that.`
    )
  }
  if (looksLikeIdx(path, head)) {
    const r = await readIdxPair(path, opts)
    return raw(r, 'idx', { kind: 'image' })
  }
  if (/\.arff$/i.test(name) || looksLikeArff(head.toString('utf8'))) return arff(path, false, opts)
  return csv(path, false, opts)
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
  const base = basename(path.replace(/[\\/]+$/, ''))
    .replace(/\.(gz|tgz)$/i, '')
    .replace(/\.tar$/i, '')
  const ext = extname(base)
  return (ext ? base.slice(0, -ext.length) : base) || base
}
