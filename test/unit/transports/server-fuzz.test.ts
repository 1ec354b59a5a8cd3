/**
 * Fuzzing the server door: malformed HTTP paths and request lines on raw sockets, malformed WebSocket frames
 * written raw after a real upgrade, and random or hostile JSON messages, unauthenticated and authenticated.
 * Whatever arrives, the process must not crash and a normal authenticated call must still be answered.
 * Loopback only; every loop is bounded in count and time, and the random inputs come from a fixed seed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect as netConnect, type Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { createServices, type Services } from '../../../main/services/index.ts'
import { requestPath, startServer, wireId, type ServerHandle } from '../../../main/transports/server.ts'

let dir: string
let services: Services
let server: ServerHandle
const crashes: unknown[] = []
const onCrash = (e: unknown) => crashes.push(e)

beforeAll(async () => {
  process.on('uncaughtException', onCrash)
  process.on('unhandledRejection', onCrash)
  dir = mkdtempSync(join(tmpdir(), 'iunet-fuzz-'))
  const renderer = join(dir, 'renderer')
  mkdirSync(renderer)
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>t</title>')
  services = createServices({ dataDir: join(dir, 'data'), transport: 'websocket', workers: 1 })
  server = await startServer(services, { rendererDir: renderer, port: 0 })
})
afterAll(async () => {
  await server?.close()
  await services?.close()
  process.off('uncaughtException', onCrash)
  process.off('unhandledRejection', onCrash)
  rmSync(dir, { recursive: true, force: true })
})

/** mulberry32: the fuzz inputs are the same on every run. */
function rng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const rand = rng(1234)
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!

/** Writes raw bytes to the server and collects whatever comes back until it closes (or `ms` passes). */
function raw(bytes: Buffer | string, ms = 1500, onOpen?: (s: Socket) => void): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    const s = netConnect(server.port, '127.0.0.1')
    const done = () => {
      clearTimeout(timer)
      s.destroy()
      resolve(Buffer.concat(chunks))
    }
    const timer = setTimeout(done, ms)
    s.on('data', (d) => chunks.push(d))
    s.on('error', done)
    s.on('close', done)
    s.on('connect', () => {
      s.write(bytes)
      onOpen?.(s)
    })
  })
}

async function inBatches<T>(items: T[], size: number, fn: (x: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn))
}

function connect(token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${token}`)
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
  })
}

async function stillAnswers() {
  const ws = await connect(server.token)
  const reply = await new Promise<{ id: unknown; ok: boolean; data?: unknown }>((resolve) => {
    ws.once('message', (m) => resolve(JSON.parse(m.toString())))
    ws.send(JSON.stringify({ id: 7, channel: 'datasets.list', payload: {} }))
  })
  ws.close()
  expect(reply).toMatchObject({ id: 7, ok: true })
  expect(crashes).toEqual([])
}

const PATHS = [
  '//',
  '///',
  '//evil.example/x',
  '/%',
  '/%E0%A4%A',
  '/%ZZ',
  '/%00',
  '/a%00.js',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/..%2f..%2fpackage.json',
  '/\\..\\..\\x',
  '*',
  'http://evil.example/x',
  'x',
  '',
  '/?%',
  '/#',
  `/${'a'.repeat(9000)}`,
  `/${'%2F'.repeat(3000)}.js`,
  '/ws',
  '/ws?token=%',
  '//ws',
  '/ws?token=',
  '/index.html/..',
  '/\u00e9\u00e8',
  '/%C0%AF',
  '/%ED%A0%80'
]

function randomPath(): string {
  const alphabet = "/%.?#&=;:@!$'()*+,~-_abcXYZ019\\ "
  let p = rand() < 0.8 ? '/' : ''
  const n = Math.floor(rand() * 40)
  for (let i = 0; i < n; i++) {
    const r = rand()
    if (r < 0.15)
      p +=
        '%' +
        Math.floor(rand() * 256)
          .toString(16)
          .padStart(2, '0')
    else if (r < 0.2) p += '%' + pick(['', 'G', 'Z1', 'E0%A4'])
    else p += pick([...alphabet])
  }
  return p
}

function get(path: string, headers = ''): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n${headers}Connection: close\r\n\r\n`
}

/** A client frame: FIN + opcode, masked unless told otherwise, with extended lengths as needed. */
function frame(opcode: number, payload: Buffer, o: { fin?: boolean; rsv?: number; mask?: boolean; len?: bigint } = {}): Buffer {
  const mask = o.mask ?? true
  const len = o.len ?? BigInt(payload.length)
  const head: number[] = [((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | opcode]
  const m = mask ? 0x80 : 0
  let ext = Buffer.alloc(0)
  if (len < 126n) head.push(m | Number(len))
  else if (len < 65536n) {
    head.push(m | 126)
    ext = Buffer.alloc(2)
    ext.writeUInt16BE(Number(len))
  } else {
    head.push(m | 127)
    ext = Buffer.alloc(8)
    ext.writeBigUInt64BE(len)
  }
  const key = mask ? randomBytes(4) : Buffer.alloc(0)
  const body = Buffer.from(payload)
  if (mask) for (let i = 0; i < body.length; i++) body[i]! ^= key[i % 4]!
  return Buffer.concat([Buffer.from(head), ext, key, body])
}

/** Opens a real upgrade on a raw socket, then writes `frames` after the 101. */
function upgradeThen(frames: Buffer[], token = server.token): Promise<Buffer> {
  const hello =
    `GET /ws?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`
  return raw(hello, 1500, (s) => {
    s.once('data', (d) => {
      if (!d.toString('latin1').startsWith('HTTP/1.1 101')) return
      for (const f of frames) if (!s.destroyed) s.write(f)
    })
  })
}

describe('server fuzz', () => {
  it('unit: request paths and reply ids are parsed defensively', () => {
    expect(requestPath('//')).toBe('//')
    expect(requestPath('/%E0%A4%A')).toBeNull()
    expect(requestPath('/%00')).toBeNull()
    expect(requestPath('/a%20b.js')).toBe('/a b.js')
    expect(requestPath(`/${'a'.repeat(5000)}`)).toBeNull()
    expect(wireId({ id: 3 })).toBe(3)
    expect(wireId({ id: 'abc' })).toBe('abc')
    expect(wireId({ id: [[[1]]] })).toBeNull()
    expect(wireId({ id: 'x'.repeat(65) })).toBeNull()
    expect(wireId({ id: Infinity })).toBeNull()
    expect(wireId(null)).toBeNull()
  })

  it('survives malformed and random HTTP paths and request lines', async () => {
    const started = Date.now()
    const paths = [...PATHS, ...Array.from({ length: 120 }, randomPath)]
    const answers: string[] = []
    await inBatches(paths, 8, async (p) => answers.push((await raw(get(p))).toString('latin1').split('\r\n')[0]!))
    // Every one gets a proper status line: bad paths are 400/404, never a dropped connection from a crash.
    for (const a of answers) expect(a).toMatch(/^HTTP\/1\.1 (200|400|404|421)/)
    // The path parses against a fixed origin: "//x" never reads as a host, a bad escape is a 400.
    expect((await raw(get('/%E0%A4%A'))).toString('latin1')).toMatch(/^HTTP\/1\.1 400/)
    expect((await raw(get('//evil.example/x'))).toString('latin1')).toMatch(/^HTTP\/1\.1 200/)
    // Garbage request lines and headers, and upgrades with broken URLs or keys.
    const garbage = [
      'GET\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n',
      '\x00\x01\x02\r\n\r\n',
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Length: -1\r\n\r\n`,
      `GET / HTTP/1.1\r\n${'X: y\r\n'.repeat(3000)}\r\n`,
      randomBytes(300).toString('latin1'),
      get('/ws?token=%', 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: x\r\n'),
      get('//ws', 'Upgrade: websocket\r\nConnection: Upgrade\r\n'),
      get(`/ws?token=${server.token}`, 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: not-a-key\r\n'),
      get(`/ws?token=${server.token}`, 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 99\r\n')
    ]
    await inBatches(garbage, 5, (g) => raw(g))
    await stillAnswers()
    expect(Date.now() - started).toBeLessThan(30_000)
  })

  it('survives malformed WebSocket frames written raw to an upgraded socket', async () => {
    const text = (s: string) => Buffer.from(s)
    const cases: Buffer[][] = [
      [frame(1, text('{"id":1}'), { mask: false })], // unmasked client frame
      [frame(1, text('{}'), { rsv: 4 })], // RSV1 without an extension
      [frame(1, text('{}'), { rsv: 3 })],
      [frame(3, text('x'))], // reserved opcode
      [frame(11, text('x'))],
      [frame(1, Buffer.from([0xc3, 0x28, 0xa0, 0xa1]))], // invalid UTF-8
      [frame(1, Buffer.alloc(0), { len: 1n << 40n })], // absurd length
      [frame(1, Buffer.alloc(0), { len: 25n * 1024n * 1024n })], // over maxPayload
      [frame(9, Buffer.alloc(200))], // control frame over 125 bytes
      [frame(9, text('x'), { fin: false })], // fragmented control frame
      [frame(0, text('x'))], // continuation without a start
      [frame(1, text('{"a":'), { fin: false }), frame(1, text('1}'))], // new data frame inside a fragmented one
      [frame(8, Buffer.from([0x03]))], // close with a 1-byte body
      [frame(8, Buffer.from([0x03, 0xe7]))], // close code 999
      [frame(8, Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from([0xff, 0xfe])]))], // close reason not UTF-8
      [randomBytes(64)],
      [Buffer.from([0x81])], // a header cut short
      ...Array.from({ length: 20 }, () => [
        frame(Math.floor(rand() * 16), randomBytes(Math.floor(rand() * 300)), { rsv: Math.floor(rand() * 8), mask: rand() < 0.8 })
      ])
    ]
    await inBatches(cases, 6, (frames) => upgradeThen(frames))
    await stillAnswers()
  })

  it('answers random and hostile JSON messages, echoing only short ids', async () => {
    // Unauthenticated: refused at the upgrade.
    for (const t of ['', 'x', server.token.slice(1), `${server.token}x`, '%', '%00'])
      await expect(connect(encodeURIComponent(t).replace('%25', '%'))).rejects.toThrow()
    const ws = await connect(server.token)
    const replies: { id: unknown; ok: boolean; error?: { code: string; message: string } }[] = []
    ws.on('message', (m) => replies.push(JSON.parse(m.toString())))
    const deep = (n: number, open: string, close: string, inner = '1') => open.repeat(n) + inner + close.repeat(n)
    const channels = [
      'datasets.list',
      'datasets.get',
      'datasets.preview',
      'datasets.delete',
      'datasets.inspect',
      'datasets.upload',
      'runs.get',
      'runs.start',
      'runs.delete',
      'runs.cancel',
      'app.info',
      'nope',
      ''
    ]
    const values = () =>
      pick<unknown>([null, 0, -1, 1e308, '', 'x'.repeat(1000), [], {}, { id: 'x' }, [1, 2], true, { toString: 'x' }, { __proto__: { a: 1 } }])
    const messages: string[] = [
      'null',
      '1',
      '"str"',
      '[]',
      '[1,2]',
      '{}',
      'true',
      '{"id":',
      '\u0000',
      '{"id":1,"channel":{"toString":"x"}}',
      `{"id":${deep(20000, '[', ']')},"channel":"datasets.list","payload":{}}`,
      `{"id":${deep(20000, '{"a":', '}')},"channel":"datasets.list","payload":{}}`,
      `{"id":2,"channel":"datasets.get","payload":${deep(20000, '{"id":', '}', '"x"')}}`,
      `{"id":3,"channel":"runs.start","payload":${deep(5000, '[', ']')}}`,
      `{"id":"${'i'.repeat(100)}","channel":"datasets.list","payload":{}}`,
      `{"id":4,"channel":"${'c'.repeat(100000)}","payload":{}}`,
      `{"id":5,"channel":"datasets.inspect","payload":{"path":"/dev/zero/../x\\u0000"}}`,
      `{"id":6,"channel":"datasets.upload","payload":{"name":"../../x","data":"@@@"}}`,
      ...Array.from({ length: 150 }, () =>
        JSON.stringify({
          id: rand() < 0.5 ? Math.floor(rand() * 1e6) : values(),
          channel: pick(channels),
          payload: rand() < 0.5 ? values() : { id: values(), path: values(), rows: values(), name: values(), data: values() }
        })
      )
    ]
    for (const m of messages) ws.send(m)
    const deadline = Date.now() + 20_000
    while (replies.length < messages.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    ws.close()
    // One reply per message; no reply echoes a nested or long id.
    expect(replies.length).toBe(messages.length)
    for (const r of replies) expect(r.id === null || typeof r.id === 'number' || (typeof r.id === 'string' && r.id.length <= 64)).toBe(true)
    expect(replies.filter((r) => !r.ok).every((r) => typeof r.error?.code === 'string' && r.error.message.length < 5000)).toBe(true)
    await stillAnswers()
  })

  it('refuses to delete a dataset, or a run, that is training', async () => {
    const csv = join(dir, 'iris.csv')
    copyFileSync(join(__dirname, '../../../resources/examples/iris.csv'), csv)
    const d = await services.call('datasets.import', { path: csv })
    const config = await services.call('runs.defaults', { datasetId: d.id, preset: 'quick' })
    const { summary, finished } = await services.runs.start({ ...config, models: ['mlp'], seeds: 1, epochs: 500, finetuneEpochs: 1, patience: 0 })
    const del = await services.handle('datasets.delete', { id: d.id })
    expect(del).toMatchObject({ ok: false, error: { code: 'conflict' } })
    if (!del.ok) expect(del.error.message).toMatch(/in use by a training run .*cancel it first/)
    expect(await services.handle('runs.delete', { id: summary.id })).toMatchObject({ ok: false, error: { code: 'conflict' } })
    await services.call('runs.cancel', { id: summary.id })
    await finished
    expect(await services.handle('datasets.delete', { id: d.id })).toMatchObject({ ok: true })
    await stillAnswers()
  }, 60_000)
})
