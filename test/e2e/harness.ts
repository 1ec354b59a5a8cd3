/**
 * Starts the real services and server on a temp data folder and a real Chromium (Debian's, never a downloaded
 * one) pointed at it. Any page error, console error or failed API call fails the test that caused it.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, selectors, type Browser, type Page } from 'playwright-core'
import { createServices, type Services } from '../../main/services/index.ts'
import { startServer, type ServerHandle } from '../../main/transports/server.ts'

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
export const SHOTS = resolve('test/e2e/screenshots')

export interface Harness {
  services: Services
  server: ServerHandle
  browser: Browser
  page: Page
  dataDir: string
  /** Problems the page reported: uncaught errors and console errors. */
  problems: string[]
  shot(name: string): Promise<string>
  close(): Promise<void>
}

export async function startHarness(opts: { workers?: number } = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'iunet-e2e-'))
  mkdirSync(SHOTS, { recursive: true })
  const services = createServices({ dataDir, transport: 'websocket', workers: opts.workers ?? 2 })
  const server = await startServer(services, { rendererDir: resolve('out/renderer'), port: 0 })
  selectors.setTestIdAttribute('data-test')
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic'
    ]
  })
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 })
  const page = await context.newPage()
  const problems: string[] = []
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`)
  })
  await page.goto(server.url)
  return {
    services,
    server,
    browser,
    page,
    dataDir,
    problems,
    async shot(name) {
      const file = join(SHOTS, `${name}.png`)
      await page.screenshot({ path: file, fullPage: false })
      return file
    },
    async close() {
      await browser.close()
      await server.close()
      await services.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
}
