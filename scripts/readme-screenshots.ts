/**
 * Regenerates the README screenshots from a real data folder (one with a finished run):
 *   npx electron-vite build && npx tsx scripts/readme-screenshots.ts --data-dir <dir>
 * It serves the built renderer with the real services and photographs Datasets and Compare (table and first-layer masks) in Chromium.
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { chromium, selectors } from 'playwright-core'
import { createServices } from '../main/services/index.ts'
import { startServer } from '../main/transports/server.ts'

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, out: { type: 'string', default: 'docs/screenshots' } } })
if (!values['data-dir']) throw new Error('--data-dir is required')
const out = resolve(values.out!)
const services = createServices({ dataDir: resolve(values['data-dir']), transport: 'websocket', workers: 1 })
const server = await startServer(services, { rendererDir: resolve('out/renderer'), port: 0 })
selectors.setTestIdAttribute('data-test')
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
})
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
try {
  await page.goto(server.url)
  await page.getByTestId('backend').waitFor()
  const run = (await services.call('runs.list', {})).find((r) => r.status === 'finished')
  if (!run) throw new Error('no finished run in this data folder')
  await page.goto(`${server.url.split('?')[0]}#/datasets/${run.datasetId}`)
  await page.waitForTimeout(1500)
  await page.screenshot({ path: `${out}/datasets.png` })
  await page.goto(`${server.url.split('?')[0]}#/compare/${run.id}`)
  await page.getByTestId('metrics-row').first().waitFor({ timeout: 30_000 })
  await page.waitForTimeout(1500)
  await page.screenshot({ path: `${out}/compare.png` })
  await page.getByTestId('masks').scrollIntoViewIfNeeded()
  await page.waitForTimeout(800)
  await page.screenshot({ path: `${out}/compare-masks.png` })
  console.log(`screenshots in ${out}`)
} finally {
  await browser.close()
  await server.close()
  await services.close()
}
