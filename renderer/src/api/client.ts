/**
 * The renderer's API client. In Electron the preload exposes IPC; in a browser (server mode, tests) the same
 * calls go over a WebSocket to the Node server. Views never know which.
 */
import {
  ApiError,
  PRELOAD_GLOBAL,
  TOKEN_PARAM,
  WS_PATH,
  type ApiErrorShape,
  type Channel,
  type EventName,
  type EventPayload,
  type Req,
  type Res,
  type WorkbenchApi
} from '@contract'

type Reply = { ok: true; data: unknown } | { ok: false; error: ApiErrorShape }

interface PreloadBridge {
  invoke(channel: string, payload: unknown): Promise<Reply>
  onEvent(handler: (event: string, payload: unknown) => void): () => void
  pathForFile(file: File): string
}

export interface Client extends WorkbenchApi {
  /** A local path for a dropped/picked file: its real path in Electron, an uploaded copy in the browser. */
  pathForFile(file: File, onProgress?: (fraction: number) => void): Promise<string>
}

function unwrap<T>(r: Reply): T {
  if (r.ok) return r.data as T
  throw new ApiError(r.error.code, r.error.message, r.error.details)
}

type Handlers = Map<string, Set<(p: unknown) => void>>

function addHandler(handlers: Handlers, event: string, h: (p: unknown) => void) {
  if (!handlers.has(event)) handlers.set(event, new Set())
  handlers.get(event)!.add(h)
  return () => handlers.get(event)!.delete(h)
}

function ipcClient(bridge: PreloadBridge): Client {
  const handlers: Handlers = new Map()
  bridge.onEvent((event, payload) => handlers.get(event)?.forEach((h) => h(payload)))
  return {
    transport: 'ipc',
    call: async <C extends Channel>(channel: C, req: Req<C>) => unwrap<Res<C>>(await bridge.invoke(channel, req)),
    on: <E extends EventName>(event: E, h: (p: EventPayload<E>) => void) => addHandler(handlers, event, h as (p: unknown) => void),
    pathForFile: async (file) => bridge.pathForFile(file)
  }
}

function toBase64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf)
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(s)
}

function socketClient(token: string): Client {
  const handlers: Handlers = new Map()
  const pending = new Map<number, (r: Reply) => void>()
  let nextId = 1
  let socket: Promise<WebSocket> | null = null

  function connect(): Promise<WebSocket> {
    if (socket) return socket
    socket = new Promise((resolve, reject) => {
      const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`
      const ws = new WebSocket(url)
      ws.onopen = () => resolve(ws)
      ws.onerror = () => reject(new ApiError('internal', 'Cannot reach the workbench server: is it still running, and is the token in the address right?'))
      ws.onclose = () => {
        socket = null
        for (const [, settle] of pending) settle({ ok: false, error: { code: 'internal', message: 'The connection to the workbench server closed.' } })
        pending.clear()
      }
      ws.onmessage = (m) => {
        const msg = JSON.parse(String(m.data)) as { id?: number; event?: string; payload?: unknown } & Reply
        if (msg.event) handlers.get(msg.event)?.forEach((h) => h(msg.payload))
        else if (typeof msg.id === 'number') {
          pending.get(msg.id)?.(msg)
          pending.delete(msg.id)
        }
      }
    })
    return socket
  }

  const client: Client = {
    transport: 'websocket',
    async call<C extends Channel>(channel: C, req: Req<C>): Promise<Res<C>> {
      const ws = await connect()
      const id = nextId++
      const reply = await new Promise<Reply>((resolve) => {
        pending.set(id, resolve)
        ws.send(JSON.stringify({ id, channel, payload: req }))
      })
      return unwrap<Res<C>>(reply)
    },
    on: <E extends EventName>(event: E, h: (p: EventPayload<E>) => void) => {
      void connect().catch(() => undefined)
      return addHandler(handlers, event, h as (p: unknown) => void)
    },
    async pathForFile(file, onProgress) {
      // Chunks keep messages small on both ends and give real progress for big files.
      const CHUNK = 8 * 1024 * 1024
      let uploadId: string | undefined
      let path = ''
      let offset = 0
      onProgress?.(0)
      do {
        const data = toBase64(await file.slice(offset, offset + CHUNK).arrayBuffer())
        const done = offset + CHUNK >= file.size
        const r = await client.call('datasets.upload', { name: file.name, data, uploadId, offset, done })
        uploadId = r.uploadId
        path = r.path
        offset = r.received
        onProgress?.(file.size ? offset / file.size : 1)
      } while (offset < file.size)
      return path
    }
  }
  return client
}

function tokenFromLocation(): string {
  const fromQuery = new URLSearchParams(location.search).get(TOKEN_PARAM)
  if (fromQuery) {
    sessionStorage.setItem('iunet-token', fromQuery)
    // Keep the token out of the address bar (and out of screenshots and history).
    history.replaceState(null, '', location.pathname + location.hash)
    return fromQuery
  }
  return sessionStorage.getItem('iunet-token') ?? ''
}

export function createClient(): Client {
  const bridge = (window as unknown as Record<string, PreloadBridge | undefined>)[PRELOAD_GLOBAL]
  return bridge ? ipcClient(bridge) : socketClient(tokenFromLocation())
}

export const api: Client = createClient()
