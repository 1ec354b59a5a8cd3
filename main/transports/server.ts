/**
 * Headless transport: an HTTP server on loopback that serves the built renderer and a WebSocket that carries
 * the same contract as Electron IPC. A random token (printed at start) guards the socket; Host and Origin are
 * checked so a web page elsewhere cannot drive it through DNS rebinding.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { existsSync, createReadStream, statSync } from 'node:fs'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { CSP, WS_PATH, TOKEN_PARAM, type WireEvent, type WireReply, type WireRequest } from '../contract/index.ts'
import type { Services } from '../services/index.ts'
import { createAssetCache } from './assets.ts'

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

/** Only short strings and finite numbers come back as the reply's id: anything else (a nested object) is null. */
export function wireId(msg: unknown): number | string | null {
  const id = msg !== null && typeof msg === 'object' ? (msg as { id?: unknown }).id : undefined
  if (typeof id === 'number' && Number.isFinite(id)) return id
  if (typeof id === 'string' && id.length <= 64) return id
  return null
}

function parseUrl(raw: string | undefined): URL | null {
  // A path starting with "//" would read as a host: parse the path against a fixed origin instead.
  try {
    return new URL(`http://127.0.0.1${(raw ?? '/').startsWith('/') ? '' : '/'}${raw ?? '/'}`)
  } catch {
    return null
  }
}

/** The decoded request path, or null when it does not parse or decode (or holds a NUL). */
export function requestPath(raw: string | undefined): string | null {
  const url = parseUrl(raw)
  if (!url || url.pathname.length > 2048) return null
  try {
    const rel = decodeURIComponent(url.pathname)
    return rel.includes('\0') ? null : rel
  } catch {
    return null
  }
}

function logError(where: string, e: unknown) {
  process.stderr.write(`iunet server: ${where}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
}

function sendSafe(ws: WebSocket, reply: WireReply) {
  if (ws.readyState !== ws.OPEN) return
  let text: string
  try {
    text = JSON.stringify(reply)
  } catch (e) {
    logError('reply', e)
    text = JSON.stringify({ id: reply.id, ok: false, error: { code: 'internal', message: 'The reply could not be encoded.' } } satisfies WireReply)
  }
  ws.send(text, () => undefined)
}

export async function startServer(services: Services, opts: { rendererDir: string; port?: number; host?: string; token?: string }): Promise<ServerHandle> {
  const token = opts.token ?? randomBytes(24).toString('base64url')
  const root = resolve(opts.rendererDir)
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`The renderer is not built (no ${join(root, 'index.html')}). Run "npm run build" first.`)
  }
  // Hashed build output: compressed (br/gzip) once, cached in memory, immutable; index.html stays no-store.
  const assets = createAssetCache(root)
  assets.warm()
  let port = 0
  const server = createServer((req, res) => {
    res.on('error', () => req.socket.destroy())
    try {
      serveFile(req, res)
    } catch (e) {
      logError('http', e)
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal error')
      else res.destroy()
    }
  })
  function serveFile(req: IncomingMessage, res: ServerResponse) {
    if (!hostAllowed(req, port)) {
      res.writeHead(421).end('Misdirected request')
      return
    }
    const rel = requestPath(req.url)
    if (rel === null) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('Bad request')
      return
    }
    const file = normalize(join(root, rel === '/' || !extname(rel) ? '/index.html' : rel))
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found')
      return
    }
    if (file.startsWith(join(root, 'assets') + sep)) {
      const headers = { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' }
      assets.send(req, res, file, headers).catch((e: unknown) => {
        logError('asset', e)
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal error')
        else res.destroy()
      })
      return
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store'
    })
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res)
  }
  // Malformed request lines and headers: answer 400 (when the socket still takes it) instead of an 'error' event.
  server.on('clientError', (_e, socket) => {
    if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    else socket.destroy()
  })

  // Dropped files arrive in base64 chunks the contract caps at 12 MB.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 24 * 1024 * 1024 })
  const sockets = new Set<WebSocket>()
  wss.on('error', (e) => logError('websocket server', e))
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy())
    const url = parseUrl(req.url)
    const origin = req.headers.origin
    const originOk = !origin || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`
    if (!url || url.pathname !== WS_PATH || !hostAllowed(req, port) || !originOk || !tokenMatches(url.searchParams.get(TOKEN_PARAM), token)) {
      if (socket.writable) socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
      socket.destroy()
      return
    }
    try {
      wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.add(ws)
        ws.on('close', () => sockets.delete(ws))
        // Oversize frames, invalid UTF-8, reserved bits, unmasked client frames: ws reports them here and
        // closes the connection with the right code; without a listener the process would crash.
        ws.on('error', () => ws.terminate())
        ws.on('message', (raw) => {
          onMessage(ws, raw).catch((e: unknown) => {
            logError('websocket message', e)
            sendSafe(ws, { id: null, ok: false, error: { code: 'internal', message: 'The server failed to answer this message.' } })
          })
        })
      })
    } catch (e) {
      logError('upgrade', e)
      socket.destroy()
    }
  })
  async function onMessage(ws: WebSocket, raw: RawData) {
    let msg: Partial<WireRequest> | null
    try {
      msg = JSON.parse(raw.toString()) as Partial<WireRequest> | null
    } catch {
      sendSafe(ws, { id: null, ok: false, error: { code: 'invalid-request', message: 'Message is not valid JSON' } })
      return
    }
    const id = wireId(msg)
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
      sendSafe(ws, { id, ok: false, error: { code: 'invalid-request', message: 'A message is an object {id, channel, payload}.' } })
      return
    }
    let reply: Awaited<ReturnType<Services['handle']>>
    try {
      reply = await services.handle(msg.channel, msg.payload)
    } catch (e) {
      logError(`call ${typeof msg.channel === 'string' ? msg.channel.slice(0, 60) : '?'}`, e)
      reply = { ok: false, error: { code: 'internal', message: 'The server failed to answer this call.' } }
    }
    sendSafe(ws, { id, ...reply })
  }
  const unsubscribe = services.bus.subscribe((event, payload) => {
    let text: string
    try {
      text = JSON.stringify({ event, payload } satisfies WireEvent)
    } catch (e) {
      logError(`event ${event}`, e)
      return
    }
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text, () => undefined)
  })

  await new Promise<void>((res, rej) => {
    server.once('error', rej)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => res())
  })
  port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}/?${TOKEN_PARAM}=${token}`,
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
