import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { createServices, type Services } from '../../../main/services/index.ts'
import { startServer, type ServerHandle } from '../../../main/transports/server.ts'

let dir: string
let services: Services
let server: ServerHandle

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iunet-server-'))
  const renderer = join(dir, 'renderer')
  mkdirSync(renderer)
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>t</title>')
  services = createServices({ dataDir: join(dir, 'data'), transport: 'websocket', workers: 1 })
  server = await startServer(services, { rendererDir: renderer, port: 0 })
})
afterAll(async () => {
  await server.close()
  await services.close()
  rmSync(dir, { recursive: true, force: true })
})

function connect(token: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${token}`, { headers })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
  })
}

function call(ws: WebSocket, channel: string, payload: unknown): Promise<{ ok: boolean; data?: unknown; error?: { code: string; message: string } }> {
  const id = Math.floor(Math.random() * 1e9)
  return new Promise((resolve) => {
    const onMsg = (raw: WebSocket.RawData) => {
      const msg = JSON.parse(raw.toString())
      if (msg.id === id) {
        ws.off('message', onMsg)
        resolve(msg)
      }
    }
    ws.on('message', onMsg)
    ws.send(JSON.stringify({ id, channel, payload }))
  })
}

describe('server transport', () => {
  it('serves the renderer with a strict CSP', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(await res.text()).toContain('<title>t</title>')
  })

  it('refuses path traversal and foreign Host headers', async () => {
    expect((await fetch(`http://127.0.0.1:${server.port}/..%2f..%2fetc%2fpasswd.txt`)).status).toBe(404)
    const { request } = await import('node:http')
    const status = await new Promise<number>((resolve) => {
      request({ host: '127.0.0.1', port: server.port, path: '/', headers: { host: 'evil.example:80' } }, (res) => resolve(res.statusCode ?? 0)).end()
    })
    expect(status).toBe(421)
  })

  it('rejects a socket without the right token or from another origin', async () => {
    await expect(connect('wrong')).rejects.toThrow(/401/)
    await expect(connect(server.token, { origin: 'http://evil.example' })).rejects.toThrow(/401/)
  })

  it('carries calls and validation errors over the socket', async () => {
    const ws = await connect(server.token)
    const list = await call(ws, 'datasets.list', {})
    expect(list).toMatchObject({ ok: true, data: [] })
    const bad = await call(ws, 'datasets.preview', { id: 42 })
    expect(bad.ok).toBe(false)
    expect(bad.error?.code).toBe('invalid-request')
    expect(bad.error?.message).toMatch(/id/)
    const unknown = await call(ws, 'datasets.format', {})
    expect(unknown.error?.message).toMatch(/Unknown channel/)
    const missing = await call(ws, 'runs.get', { id: 'no-such-run' })
    expect(missing.error?.code).toBe('not-found')
    ws.send('not json')
    const reply = await new Promise<{ ok: boolean; error: { message: string } }>((r) => ws.once('message', (m) => r(JSON.parse(m.toString()))))
    expect(reply.error.message).toMatch(/not valid JSON/)
    ws.close()
  })
})
