/**
 * API responsiveness during an import: starts the real services and server on a temp data folder, generates a
 * CSV (300,000 rows × 20 columns by default), and times `datasets.list` calls over the WebSocket, one every
 * 20 ms, first while idle and then while the CSV imports. Prints p50/p99/max (ms) of both phases as JSON.
 * Run: npx tsx bench/api-during-import.ts [rows]
 */
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import WebSocket from 'ws'
import { mulberry32 } from '../main/data/index.ts'
import { createServices } from '../main/services/index.ts'
import { startServer } from '../main/transports/server.ts'

const ROWS = Number(process.argv[2] ?? 300_000)

async function generate(path: string): Promise<void> {
  const rng = mulberry32(7)
  const out = createWriteStream(path)
  out.write([...Array.from({ length: 17 }, (_, i) => `x${i + 1}`), 'rating', 'region', 'class'].join(',') + '\n')
  const regions = ['north', 'south', 'east', 'west', 'centre']
  let buf = ''
  for (let r = 0; r < ROWS; r++) {
    const cls = Math.floor(rng() * 4)
    const cells: string[] = []
    for (let j = 0; j < 17; j++) cells.push(((rng() - 0.5) * 10 + cls * (j % 3)).toFixed(3))
    cells.push(String(1 + Math.floor(rng() * 10)), regions[Math.floor(rng() * regions.length)]!, `c${cls}`)
    buf += cells.join(',') + '\n'
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain')
      buf = ''
    }
  }
  out.end(buf)
  await once(out, 'finish')
}

function percentiles(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b)
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!
  return { calls: s.length, p50: +at(0.5).toFixed(1), p99: +at(0.99).toFixed(1), max: +s[s.length - 1]!.toFixed(1) }
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'iunet-bench-api-'))
  const renderer = join(dir, 'renderer')
  await mkdir(renderer)
  await writeFile(join(renderer, 'index.html'), '<!doctype html>')
  const csv = join(dir, 'big.csv')
  await generate(csv)
  const services = createServices({ dataDir: join(dir, 'data'), transport: 'websocket', workers: 1 })
  const server = await startServer(services, { rendererDir: renderer, port: 0 })
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`)
  await once(ws, 'open')
  let nextId = 1
  const pending = new Map<number, () => void>()
  ws.on('message', (m) => {
    const msg = JSON.parse(m.toString()) as { id?: number }
    if (typeof msg.id === 'number') pending.get(msg.id)?.()
  })
  const call = (channel: string, payload: unknown) =>
    new Promise<void>((resolve) => {
      const id = nextId++
      pending.set(id, () => (pending.delete(id), resolve()))
      ws.send(JSON.stringify({ id, channel, payload }))
    })
  /** Calls datasets.list every 20 ms until `until` settles; the latency of each call. */
  async function sample(until: Promise<unknown>) {
    let done = false
    void until.finally(() => (done = true))
    const times: number[] = []
    while (!done) {
      const t0 = performance.now()
      await call('datasets.list', {})
      times.push(performance.now() - t0)
      await new Promise((r) => setTimeout(r, 20))
    }
    return times
  }
  const idle = await sample(new Promise((r) => setTimeout(r, 3000)))
  const t0 = performance.now()
  const importing = call('datasets.import', { path: csv })
  const during = await sample(importing)
  const importSeconds = (performance.now() - t0) / 1000
  console.log(
    JSON.stringify(
      {
        rows: ROWS,
        csvMB: +((await stat(csv)).size / 1e6).toFixed(1),
        importSeconds: +importSeconds.toFixed(2),
        idle: percentiles(idle),
        duringImport: percentiles(during)
      },
      null,
      1
    )
  )
  ws.close()
  await server.close()
  await services.close()
  await rm(dir, { recursive: true, force: true })
}

await main()
