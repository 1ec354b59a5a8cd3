/**
 * lib/atomic: the one atomic write. Checks that the file ends up with exactly the data, that no temp file stays
 * (after success or a failed rename), that the file and then its folder are fsynced (node:fs spied: the fds
 * synced are matched to the paths opened), and that a folder is replaced as a whole.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest'

const calls = vi.hoisted(() => ({ opened: new Map<number, string>(), synced: [] as string[] }))
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>()
  const openSync = ((path: string, ...rest: unknown[]) => {
    const fd = (fs.openSync as (...a: unknown[]) => number)(path, ...rest)
    calls.opened.set(fd, String(path))
    return fd
  }) as typeof fs.openSync
  const fsyncSync = (fd: number) => {
    calls.synced.push(calls.opened.get(fd) ?? `fd ${fd}`)
    return fs.fsyncSync(fd)
  }
  return { ...fs, default: { ...fs, openSync, fsyncSync }, openSync, fsyncSync }
})

const { writeFileAtomic, writeFileAtomicAsync, writeFolderAtomic, writeJsonAtomic, removeTempFiles, isTempName } = await import('../../../main/lib/atomic.ts')

const root = mkdtempSync(join(tmpdir(), 'iunet-atomic-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
beforeEach(() => {
  calls.opened.clear()
  calls.synced.length = 0
})

describe('writeFileAtomic', () => {
  it('writes exactly the data, replaces an older file, leaves no temp file', () => {
    const dir = join(root, 'a')
    mkdirSync(dir)
    const file = join(dir, 'x.json')
    writeFileSync(file, 'old contents that are longer than the new')
    writeFileAtomic(file, 'new')
    expect(readFileSync(file, 'utf8')).toBe('new')
    const bytes = new Uint8Array(300_000).map((_, i) => i % 251)
    writeFileAtomic(file, bytes)
    expect(new Uint8Array(readFileSync(file))).toEqual(bytes)
    expect(readdirSync(dir)).toEqual(['x.json'])
  })

  it('fsyncs the temp file before the rename, then the folder', () => {
    const dir = join(root, 'b')
    mkdirSync(dir)
    writeJsonAtomic(join(dir, 'y.json'), { a: 1 })
    expect(calls.synced).toHaveLength(2)
    expect(isTempName(calls.synced[0]!)).toBe(true)
    expect(calls.synced[0]!.startsWith(join(dir, 'y.json'))).toBe(true)
    expect(calls.synced[1]).toBe(dir)
    expect(JSON.parse(readFileSync(join(dir, 'y.json'), 'utf8'))).toEqual({ a: 1 })
  })

  it('a failed rename removes its temp file and keeps what was there', () => {
    const dir = join(root, 'c')
    mkdirSync(join(dir, 'target'), { recursive: true })
    writeFileSync(join(dir, 'target', 'keep'), 'k')
    // Renaming a file over a non-empty folder fails (EISDIR / ENOTEMPTY).
    expect(() => writeFileAtomic(join(dir, 'target'), 'data')).toThrow()
    expect(readdirSync(dir)).toEqual(['target'])
    expect(readFileSync(join(dir, 'target', 'keep'), 'utf8')).toBe('k')
  })

  it('the async form writes, syncs and cleans up the same way', async () => {
    const dir = join(root, 'd')
    mkdirSync(dir)
    await writeFileAtomicAsync(join(dir, 'z.bin'), new Uint8Array([1, 2, 3]))
    expect([...readFileSync(join(dir, 'z.bin'))]).toEqual([1, 2, 3])
    expect(readdirSync(dir)).toEqual(['z.bin'])
    expect(calls.synced).toContain(dir)
    await expect(writeFileAtomicAsync(join(dir, 'missing', 'z.bin'), 'x')).rejects.toThrow()
    expect(readdirSync(dir)).toEqual(['z.bin'])
  })
})

describe('writeFolderAtomic', () => {
  it('replaces a folder as a whole, syncing every file, the new folder and its parent', () => {
    const parent = join(root, 'e')
    const dir = join(parent, 'bundle')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'stale.txt'), 'from an older bundle')
    writeFolderAtomic(dir, { 'a.txt': 'A', 'b.bin': new Uint8Array([7]) })
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'b.bin'])
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('A')
    expect(readdirSync(parent)).toEqual(['bundle'])
    expect(calls.synced.filter((p) => p.endsWith('a.txt') || p.endsWith('b.bin'))).toHaveLength(2)
    expect(calls.synced.at(-1)).toBe(parent)
  })
})

describe('removeTempFiles', () => {
  it('removes only temp names, at any depth', () => {
    const dir = join(root, 'f')
    mkdirSync(join(dir, 'deep'), { recursive: true })
    writeFileSync(join(dir, 'keep.ckpt'), '')
    writeFileSync(join(dir, 'deep', 'state.ckpt.tmp-123-abcd'), '')
    expect(removeTempFiles(dir)).toBe(1)
    expect(existsSync(join(dir, 'keep.ckpt'))).toBe(true)
    expect(readdirSync(join(dir, 'deep'))).toEqual([])
    expect(removeTempFiles(join(dir, 'absent'))).toBe(0)
  })
})
