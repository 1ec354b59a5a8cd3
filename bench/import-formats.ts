/**
 * Import benchmark for the formats beyond CSV: a 1,000,000-row × 20-attribute ARFF file (plain and gzipped) and
 * a full-size CIFAR-10 binary folder (50,000 + 10,000 synthetic records, 184 MB), generated in a temp dir and read
 * with the data layer. Prints seconds, rows/s and peak RSS per format as JSON; the budget is the CSV path's
 * (1M rows in < 60 s, < 1.5 GB). Run: npx tsx bench/import-formats.ts [rows]
 */
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { pipeline } from 'node:stream/promises'
import { createReadStream } from 'node:fs'
import { createGzip } from 'node:zlib'
import { loadSource, mulberry32 } from '../main/data/index.ts'

const ROWS = Number(process.argv[2] ?? 1_000_000)

async function arff(path: string): Promise<void> {
  const rng = mulberry32(42)
  const out = createWriteStream(path)
  let buf = '% generated\n@relation bench\n'
  for (let j = 0; j < 17; j++) buf += `@attribute x${j + 1} real\n`
  buf += "@attribute rating integer\n@attribute region {north, south, east, 'far west'}\n@attribute class {c0, c1, c2, c3}\n@data\n"
  for (let r = 0; r < ROWS; r++) {
    const cls = Math.floor(rng() * 4)
    const cells: string[] = []
    for (let j = 0; j < 17; j++) cells.push(rng() < 0.01 ? '?' : ((rng() - 0.5) * 10 + cls * (j % 3)).toFixed(3))
    cells.push(String(1 + Math.floor(rng() * 10)), ['north', 'south', 'east', "'far west'"][Math.floor(rng() * 4)], `c${cls}`)
    buf += cells.join(',') + '\n'
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain')
      buf = ''
    }
  }
  out.end(buf)
  await once(out, 'finish')
}

async function cifar(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true })
  const rng = mulberry32(7)
  for (const name of ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch']) {
    const b = Buffer.alloc(10000 * 3073)
    for (let i = 0; i < b.length; i += 3073) {
      b[i] = Math.floor(rng() * 10)
      for (let p = 1; p < 3073; p++) b[i + p] = (p * 31 + i) & 255
    }
    await writeFile(join(dir, `${name}.bin`), b)
  }
  await writeFile(join(dir, 'batches.meta.txt'), 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n')
}

async function measure(label: string, path: string) {
  global.gc?.()
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25)
  const t0 = performance.now()
  const r = await loadSource(path, { path })
  const seconds = (performance.now() - t0) / 1000
  clearInterval(timer)
  peak = Math.max(peak, process.memoryUsage().rss)
  return { label, rows: r.table.rows, seconds: +seconds.toFixed(2), rowsPerSecond: Math.round(r.table.rows / seconds), peakRssMB: Math.round(peak / 1e6) }
}

const dir = await mkdtemp(join(tmpdir(), 'iunet-bench-formats-'))
try {
  const a = join(dir, 'bench.arff')
  await arff(a)
  await pipeline(createReadStream(a), createGzip(), createWriteStream(a + '.gz'))
  await cifar(join(dir, 'cifar-10-batches-bin'))
  const results = []
  results.push({ ...(await measure('arff', a)), fileMB: +((await stat(a)).size / 1e6).toFixed(1) })
  results.push({ ...(await measure('arff.gz', a + '.gz')), fileMB: +((await stat(a + '.gz')).size / 1e6).toFixed(1) })
  results.push({ ...(await measure('cifar-10 folder', join(dir, 'cifar-10-batches-bin'))), fileMB: 184.4 })
  console.log(JSON.stringify(results, null, 1))
} finally {
  await rm(dir, { recursive: true, force: true })
}
