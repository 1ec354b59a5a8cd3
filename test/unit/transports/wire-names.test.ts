/**
 * The names both ends of a door spell (main/contract/wireNames.ts) are the ones the doors use: the IPC transport
 * registers and sends on IPC_CALL / IPC_EVENT, the server answers with the contract's CSP and upgrades only
 * WS_PATH with TOKEN_PARAM, and no source file outside the contract spells one of those names again (the preloads,
 * the app, the transports, the workers and the renderer import them).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as gpuNames from '../../../main/contract/gpuPort.ts'
import * as wireNames from '../../../main/contract/wireNames.ts'
import { CSP, cspMeta, GPU_TRAINER_CSP, IPC_CALL, IPC_EVENT, TOKEN_PARAM, WS_PATH } from '../../../main/contract/wireNames.ts'
import { createServices } from '../../../main/services/index.ts'
import { registerIpc } from '../../../main/transports/ipc.ts'
import { startServer } from '../../../main/transports/server.ts'

const tmp = mkdtempSync(join(tmpdir(), 'iunet-wire-names-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('wire names', () => {
  it('the IPC transport handles calls on IPC_CALL and sends events on IPC_EVENT', async () => {
    const services = createServices({ dataDir: join(tmp, 'ipc'), transport: 'ipc', workers: 1 })
    try {
      const handled: string[] = []
      const removed: string[] = []
      const sent: unknown[][] = []
      let handler: ((e: unknown, ...args: unknown[]) => unknown) | null = null
      const stop = registerIpc({ handle: (ch, fn) => (handled.push(ch), (handler = fn)), removeHandler: (ch) => removed.push(ch) }, services, () => ({
        isDestroyed: () => false,
        send: (...args: unknown[]) => sent.push(args)
      }))
      expect(handled).toEqual([IPC_CALL])
      const reply = (await handler!(null, 'datasets.list', {})) as { ok: boolean }
      expect(reply.ok).toBe(true)
      services.bus.emit('datasets.changed', {})
      expect(sent).toEqual([[IPC_EVENT, 'datasets.changed', {}]])
      stop()
      expect(removed).toEqual([IPC_CALL])
    } finally {
      await services.close()
    }
  })

  it("the server sends the contract's CSP and opens the socket at WS_PATH with TOKEN_PARAM", async () => {
    const renderer = join(tmp, 'renderer')
    mkdirSync(renderer, { recursive: true })
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>t</title>')
    const services = createServices({ dataDir: join(tmp, 'srv'), transport: 'websocket', workers: 1 })
    const server = await startServer(services, { rendererDir: renderer, port: 0 })
    try {
      expect(new URL(server.url).searchParams.get(TOKEN_PARAM)).toBe(server.token)
      const page = await fetch(server.url)
      expect(page.headers.get('content-security-policy')).toBe(CSP)
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}${WS_PATH}?${TOKEN_PARAM}=${server.token}`)
      await new Promise((res, rej) => (ws.once('open', res), ws.once('error', rej)))
      ws.close()
    } finally {
      await server.close()
      await services.close()
    }
  })

  it('the policies: frame-ancestors only in the header form (a <meta> tag ignores it); the GPU page runs scripts only', () => {
    expect(CSP).toContain("frame-ancestors 'none'")
    expect(cspMeta(CSP)).not.toContain('frame-ancestors')
    expect(cspMeta(CSP).split('; ').length).toBe(CSP.split('; ').length - 1)
    expect(GPU_TRAINER_CSP).not.toMatch(/style-src|img-src|font-src/)
    for (const p of [CSP, GPU_TRAINER_CSP]) expect(p).toMatch(/^default-src 'self'; script-src 'self';/)
  })

  it('no source file outside the contract spells a wire name again', () => {
    const values = Object.entries({ ...wireNames, ...gpuNames }).filter(
      (e): e is [string, string] => typeof e[1] === 'string' && e[1].length > 3 && !e[1].includes(';')
    )
    expect(values.map(([k]) => k).sort()).toEqual(['GPU_PORT_CHANNEL', 'GPU_TRAINER_PORT', 'IPC_CALL', 'IPC_EVENT', 'PRELOAD_GLOBAL', 'TOKEN_PARAM'].sort())
    // PRELOAD_GLOBAL is 'iunet', also a model's name everywhere: the preload must expose the contract's constant.
    expect(readFileSync('preload/index.ts', 'utf8')).toContain('exposeInMainWorld(PRELOAD_GLOBAL,')
    const scanned = values.filter(([key]) => key !== 'PRELOAD_GLOBAL')
    const files: string[] = []
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f)
        if (statSync(p).isDirectory()) walk(p)
        else if (/\.(ts|vue|html)$/.test(f)) files.push(p)
      }
    }
    for (const root of ['main', 'preload', 'renderer']) walk(root)
    const copies: string[] = []
    // Quoted as a string literal (the way a second copy would be written); CSP directives checked on their own.
    for (const file of files.filter((f) => !f.startsWith(join('main', 'contract')))) {
      const text = readFileSync(file, 'utf8')
      for (const [key, value] of scanned)
        if (new RegExp(`['"\`]${value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}['"\`]`).test(text)) copies.push(`${file}: ${key}`)
      if (/frame-ancestors|default-src/.test(text)) copies.push(`${file}: a CSP`)
    }
    expect(copies).toEqual([])
  })
})
