/**
 * Import benchmark: generates a 1,000,000-row × 20-column CSV in a temp dir, imports it with the data layer
 * (streaming parse + schema inference), prepares a stratified 50k-row sample, and prints rows/s, seconds and
 * peak RSS as JSON. Run: npx tsx bench/import-large.ts [rows]
 */
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { loadSource, mulberry32, prepare } from '../main/data/index.ts'

const ROWS = Number(process.argv[2] ?? 1_000_000)
const NUMERIC = 17

async function generate(path: string): Promise<void> {
  const rng = mulberry32(42)
  const out = createWriteStream(path)
  const header = [...Array.from({ length: NUMERIC }, (_, i) => `x${i + 1}`), 'rating', 'region', 'class']
  out.write(header.join(',') + '\n')
  const regions = ['north', 'south', 'east', 'west', 'centre']
  let buf = ''
  for (let r = 0; r < ROWS; r++) {
    const cls = rng() < 0.5 ? 0 : rng() < 0.6 ? 1 : rng() < 0.7 ? 2 : 3
    const cells: string[] = []
    for (let j = 0; j < NUMERIC; j++) cells.push(((rng() - 0.5) * 10 + cls * (j % 3)).toFixed(3))
    // a few missing values, an integer 1–10 rating and a categorical column
    if (rng() < 0.01) cells[3] = ''
    cells.push(String(1 + Math.floor(rng() * 10)), regions[Math.floor(rng() * regions.length)], `c${cls}`)
    buf += cells.join(',') + '\n'
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain')
      buf = ''
    }
  }
  out.end(buf)
  await once(out, 'finish')
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'iunet-bench-'))
  const file = join(dir, 'large.csv')
  try {
    const g0 = performance.now()
    await generate(file)
    const generateSeconds = (performance.now() - g0) / 1000
    const sizeBytes = (await stat(file)).size
    let peak = process.memoryUsage().rss
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25)
    let progressCalls = 0
    let lastRows = 0
    const t0 = performance.now()
    const src = await loadSource(file, {
      path: file,
      onProgress: (p) => {
        progressCalls++
        lastRows = p.rows
        peak = Math.max(peak, process.memoryUsage().rss)
      }
    })
    const importSeconds = (performance.now() - t0) / 1000
    const p0 = performance.now()
    const prepared = prepare(src.table, src.schema, { train: 0.7, val: 0.15, test: 0.15, kfold: null }, 1, { maxRows: 50_000 })
    const prepareSeconds = (performance.now() - p0) / 1000
    clearInterval(timer)
    peak = Math.max(peak, process.memoryUsage().rss)
    console.log(
      JSON.stringify(
        {
          rows: src.table.rows,
          columns: src.table.columns.length,
          fileMB: +(sizeBytes / 1e6).toFixed(1),
          generateSeconds: +generateSeconds.toFixed(2),
          importSeconds: +importSeconds.toFixed(2),
          rowsPerSecond: Math.round(src.table.rows / importSeconds),
          MBPerSecond: +(sizeBytes / 1e6 / importSeconds).toFixed(1),
          progressCalls,
          lastProgressRows: lastRows,
          prepareSampleSeconds: +prepareSeconds.toFixed(2),
          prepared: { train: prepared.train.n, val: prepared.val.n, test: prepared.test.n, nFeatures: prepared.nFeatures },
          target: src.schema.target,
          classes: src.schema.classes,
          peakRssMB: Math.round(peak / 1e6)
        },
        null,
        1
      )
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
