/**
 * Fixtures for the file-format tests, written by writers that are not this project's readers: CIFAR batches byte
 * by byte from the published record layout, MAT files by SciPy and ARFF files by liac-arff (Debian's python3-scipy
 * and python3-liac-arff, run with /usr/bin/python3 as the other Python-backed tests do), tar archives by GNU tar.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const PYTHON = '/usr/bin/python3'

/** Why a Python module cannot be used here, or null when it can (the test then skips with this reason). */
export function pythonMissing(module: string): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} is not installed`
  const r = spawnSync(PYTHON, ['-c', `import ${module}`], { encoding: 'utf8' })
  return r.status === 0 ? null : `${PYTHON} has no module "${module}" (apt-get install python3-${module === 'arff' ? 'liac-arff' : module})`
}

/** Runs a Python script in `cwd`; its stdout back. */
export function python(code: string, cwd: string): string {
  return execFileSync(PYTHON, ['-c', code], { cwd, encoding: 'utf8' })
}

export const CIFAR10_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']

/** A deterministic 32×32×3 image, H×W×C row-major: a function of (image, row, column, channel). */
export function testImage(k: number): Uint8Array {
  const px = new Uint8Array(32 * 32 * 3)
  for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) for (let c = 0; c < 3; c++) px[(y * 32 + x) * 3 + c] = (k * 37 + y * 5 + x * 3 + c * 71) % 256
  return px
}

/** One CIFAR record: label byte(s), then the image planar (1024 R, 1024 G, 1024 B), rows top to bottom. */
export function cifarRecord(labels: number[], image: Uint8Array): Uint8Array {
  const out = new Uint8Array(labels.length + 3072)
  out.set(labels, 0)
  for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) out[labels.length + c * 1024 + p] = image[p * 3 + c]
  return out
}

export function concat(parts: Uint8Array[]): Buffer {
  return Buffer.concat(parts.map((p) => Buffer.from(p)))
}

/**
 * A CIFAR-10 binary folder: `batches` training batches and a test batch of `perBatch` records each; record i of
 * batch b has label (b·perBatch + i) mod 10 and image testImage(b·perBatch + i) (test batch: b = batches).
 */
export async function cifar10Folder(dir: string, opts: { batches?: number; perBatch?: number; meta?: boolean } = {}): Promise<string> {
  const batches = opts.batches ?? 2
  const per = opts.perBatch ?? 20
  await mkdir(dir, { recursive: true })
  for (let b = 0; b <= batches; b++) {
    const recs = Array.from({ length: per }, (_, i) => cifarRecord([(b * per + i) % 10], testImage(b * per + i)))
    await writeFile(join(dir, b < batches ? `data_batch_${b + 1}.bin` : 'test_batch.bin'), concat(recs))
  }
  if (opts.meta !== false) await writeFile(join(dir, 'batches.meta.txt'), CIFAR10_NAMES.join('\n') + '\n\n')
  return dir
}

/** A CIFAR-100 binary folder: train.bin and test.bin; record k has coarse label k mod 20, fine label (3k) mod 100. */
export async function cifar100Folder(dir: string, train = 40, test = 20): Promise<string> {
  await mkdir(dir, { recursive: true })
  const recs = (from: number, n: number) =>
    concat(Array.from({ length: n }, (_, i) => cifarRecord([(from + i) % 20, (3 * (from + i)) % 100], testImage(from + i))))
  await writeFile(join(dir, 'train.bin'), recs(0, train))
  await writeFile(join(dir, 'test.bin'), recs(train, test))
  await writeFile(join(dir, 'coarse_label_names.txt'), Array.from({ length: 20 }, (_, i) => `super${i}`).join('\n') + '\n')
  await writeFile(join(dir, 'fine_label_names.txt'), Array.from({ length: 100 }, (_, i) => `fine${i}`).join('\n') + '\n')
  return dir
}

/** `tar czf archive -C parent folder` with GNU tar, as the CIFAR downloads were made. */
export function tarGz(archive: string, parent: string, folder: string): string {
  execFileSync('tar', ['czf', archive, '-C', parent, folder])
  return archive
}
