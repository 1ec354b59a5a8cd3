/**
 * Headless transport: an HTTP server on loopback that serves the built renderer and a WebSocket that carries
 * the same contract as Electron IPC. A random token (printed at start) guards the socket; Host and Origin are
 * checked so a web page elsewhere cannot drive it through DNS rebinding.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { existsSync, createReadStream, statSync } from 'node:fs'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Services } from '../services/index.ts'

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm'
}

/** The renderer's CSP in server mode: the same as the desktop window, with the socket allowed. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

export interface WireRequest {
  id: number
  channel: string
  payload: unknown
}

export interface ServerHandle {
  url: string
  port: number
  token: string
  server: Server
  close(): Promise<void>
}

function tokenMatches(given: string | null, token: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host ?? ''
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`
}

export async function startServer(services: Services, opts: { rendererDir: string; port?: number; host?: string; token?: string }): Promise<ServerHandle> {
  const token = opts.token ?? randomBytes(24).toString('base64url')
  const root = resolve(opts.rendererDir)
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`The renderer is not built (no ${join(root, 'index.html')}). Run "npm run build" first.`)
  }
  let port = 0
  const server = createServer((req, res) => {
    if (!hostAllowed(req, port)) {
      res.writeHead(421).end('Misdirected request')
      return
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`)
    let rel = decodeURIComponent(url.pathname)
    if (rel === '/' || !extname(rel)) rel = '/index.html'
    const file = normalize(join(root, rel))
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found')
      return
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store'
    })
    createReadStream(file).pipe(res)
  })

  // Dropped files arrive in base64 chunks the contract caps at 12 MB.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 24 * 1024 * 1024 })
  const sockets = new Set<WebSocket>()
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`)
    const origin = req.headers.origin
    const originOk = !origin || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`
    if (url.pathname !== '/ws' || !hostAllowed(req, port) || !originOk || !tokenMatches(url.searchParams.get('token'), token)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws)
      ws.on('close', () => sockets.delete(ws))
      ws.on('message', async (raw) => {
        let msg: WireRequest
        try {
          msg = JSON.parse(raw.toString()) as WireRequest
        } catch {
          ws.send(JSON.stringify({ id: null, ok: false, error: { code: 'invalid-request', message: 'Message is not valid JSON' } }))
          return
        }
        const reply = await services.handle(msg?.channel, msg?.payload)
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: msg?.id ?? null, ...reply }))
      })
    })
  })
  const unsubscribe = services.bus.subscribe((event, payload) => {
    const text = JSON.stringify({ event, payload })
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text)
  })

  await new Promise<void>((res, rej) => {
    server.once('error', rej)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => res())
  })
  port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    server,
    async close() {
      unsubscribe()
      for (const ws of sockets) ws.terminate()
      wss.close()
      await new Promise<void>((r) => server.close(() => r()))
    }
  }
}
