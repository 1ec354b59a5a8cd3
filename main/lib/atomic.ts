/**
 * Atomic writes: readers (and a process started after a crash or power loss) see the old file or the new one,
 * never a part. The data goes to a temp file beside the target, the file is fsynced, renamed over the target, and
 * the folder is fsynced so the rename itself is durable. A failed write removes its temp file.
 *
 * Temp names carry TEMP_MARKER, so a start-up sweep can remove what a crash left behind.
 */
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** Every temp file or folder name written here contains this. */
export const TEMP_MARKER = '.tmp-'

/** `<path>.tmp-<pid>-<random>`: beside the target (same filesystem, so the rename is atomic). */
export function tempPathFor(path: string): string {
  return `${path}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`
}

/** Whether a file or folder name is a temp name of this module (a crash may leave one). */
export const isTempName = (name: string): boolean => basename(name).includes(TEMP_MARKER)

/**
 * Makes a rename or a new entry in `dir` durable. Windows cannot open a folder for syncing, and some filesystems
 * refuse to sync one (EINVAL); there the rename is as durable as the platform makes it.
 */
export function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return
  let fd: number
  try {
    fd = openSync(dir, 'r')
  } catch {
    return
  }
  try {
    fsyncSync(fd)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EINVAL') throw e
  } finally {
    closeSync(fd)
  }
}

/** Writes `data` to `file` atomically and durably (temp file, fsync, rename, fsync of the folder). */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = tempPathFor(file)
  try {
    const fd = openSync(tmp, 'w')
    try {
      writeFullySync(fd, data)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, file)
  } catch (e) {
    rmSync(tmp, { force: true })
    throw e
  }
  fsyncDir(dirname(file))
}

/** `writeSync` may write less than asked for large buffers: loops until all of `data` is written. */
function writeFullySync(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  let off = 0
  while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off)
}

/** `value` as JSON, written atomically (see writeFileAtomic). */
export function writeJsonAtomic(file: string, value: unknown, space?: number): void {
  writeFileAtomic(file, JSON.stringify(value, null, space))
}

/** The same as writeFileAtomic, without blocking the event loop (large dataset columns). */
export async function writeFileAtomicAsync(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPathFor(file)
  try {
    const fh = await open(tmp, 'w')
    try {
      await fh.writeFile(data)
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(tmp, file)
  } catch (e) {
    await rm(tmp, { force: true })
    throw e
  }
  fsyncDir(dirname(file))
}

/**
 * Writes `files` into the folder `dir` as a whole: a temp folder beside it, each file synced, then renamed into
 * place, replacing an older folder of that name. A crash leaves the old folder, the new one, or (between the
 * removal of the old and the rename, a moment) none, plus a temp folder the sweep removes: never a half folder.
 */
export function writeFolderAtomic(dir: string, files: Record<string, string | Uint8Array>): void {
  const tmp = tempPathFor(dir)
  try {
    mkdirSync(tmp, { recursive: true })
    for (const [name, data] of Object.entries(files)) {
      const fd = openSync(join(tmp, name), 'w')
      try {
        writeFullySync(fd, data)
        fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
    }
    fsyncDir(tmp)
    rmSync(dir, { recursive: true, force: true })
    renameSync(tmp, dir)
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true })
    throw e
  }
  fsyncDir(dirname(dir))
}

/** Appends one line to `file` (created with its folder when missing): for logs a crash may cut at a line's end. */
export function appendLine(file: string, line: string): void {
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, line + '\n', { flag: 'a' })
}

/** Removes the temp files a crash left anywhere under `root`; returns how many. */
export function removeTempFiles(root: string): number {
  if (!existsSync(root)) return 0
  let n = 0
  for (const e of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && isTempName(e.name)) {
      rmSync(join(e.parentPath, e.name), { force: true })
      n++
    }
  }
  return n
}
