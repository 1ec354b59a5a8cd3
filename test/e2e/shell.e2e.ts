import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { get as httpGet, type IncomingHttpHeaders } from 'node:http'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { SHOTS, startHarness, type Harness } from './harness.ts'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(async () => {
  await h?.close()
})

describe('workbench shell in Chromium (server mode)', () => {
  it('loads, reaches the API and shows the backend and data folder', async () => {
    const bar = h.page.getByTestId('status-bar')
    await expect.poll(async () => (await bar.textContent()) ?? '', { timeout: 30_000 }).toMatch(/backend: (wasm|cpu|tensorflow)/)
    expect(await h.page.getByTestId('data-dir').textContent()).toContain(h.dataDir)
    expect(await h.page.getByTestId('api-error').count()).toBe(0)
    expect(h.problems).toEqual([])
  })

  it('navigates every section with empty states that say what to do next', async () => {
    for (const [label, empty] of [
      ['Datasets', 'datasets-empty'],
      ['New run', 'newrun-empty'],
      ['Runs', 'runs-empty'],
      ['Compare', 'compare-empty']
    ] as const) {
      await h.page.getByRole('link', { name: label, exact: true }).click()
      await h.page.getByTestId(empty).waitFor({ timeout: 10_000 })
      await h.shot(`shell-${label.toLowerCase().replace(' ', '-')}`)
    }
    expect(h.problems).toEqual([])
  })

  it('reaches the side navigation by keyboard: Tab focuses the first section with a visible ring, Enter navigates', async () => {
    const page = await h.browser.newPage({ viewport: { width: 1280, height: 720 } })
    await page.goto(h.server.url)
    await page.getByTestId('status-bar').getByTestId('backend').waitFor({ timeout: 30_000 })
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null
        const cs = el ? getComputedStyle(el) : null
        return {
          text: el?.textContent?.trim() ?? '',
          inNav: !!el?.closest('nav[aria-label="Sections"]'),
          outline: cs ? `${cs.outlineStyle} ${cs.outlineWidth}` : ''
        }
      })
    await page.keyboard.press('Tab')
    const first = await focused()
    expect(first).toMatchObject({ text: 'Datasets', inNav: true })
    expect(first.outline).toMatch(/^solid [2-9]/)
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    expect(await focused()).toMatchObject({ text: 'Runs', inNav: true })
    await page.screenshot({ path: `${SHOTS}/shell-keyboard-focus.png` })
    await page.keyboard.press('Enter')
    await expect.poll(() => page.url()).toMatch(/#\/runs$/)
    await page.getByTestId('runs-empty').waitFor({ timeout: 10_000 })
    expect(await page.getByRole('link', { name: 'Runs', exact: true }).getAttribute('aria-current')).toBe('page')
    // Shift+Tab walks back up the list; Enter on Compare opens it.
    await page.keyboard.press('Tab')
    expect(await focused()).toMatchObject({ text: 'Compare', inNav: true })
    await page.keyboard.press('Enter')
    await page.getByTestId('compare-empty').waitFor({ timeout: 10_000 })
    await page.keyboard.press('Shift+Tab')
    await page.keyboard.press('Shift+Tab')
    expect(await focused()).toMatchObject({ text: 'New run', inNav: true })
    // Past the sidebar, buttons show the same ring (naive-ui's own focus style only shifts a colour).
    await page.keyboard.press('Shift+Tab')
    await page.keyboard.press('Enter')
    await page.getByTestId('datasets-empty').waitFor({ timeout: 10_000 })
    let button = { isButton: false, outline: '', text: '' }
    for (let i = 0; i < 8 && !button.isButton; i++) {
      await page.keyboard.press('Tab')
      button = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null
        const cs = el ? getComputedStyle(el) : null
        return {
          isButton: !!el?.classList.contains('n-button'),
          outline: cs ? `${cs.outlineStyle} ${cs.outlineWidth}` : '',
          text: el?.textContent?.trim() ?? ''
        }
      })
    }
    expect(button.isButton, 'Tab reaches a button of the Datasets view').toBe(true)
    expect(button.outline, button.text).toMatch(/^solid [2-9]/)
    await page.screenshot({ path: `${SHOTS}/shell-keyboard-button-focus.png` })
    await page.close()
    expect(h.problems).toEqual([])
  })

  it('first load fetches at most 1.5 MB of JavaScript (uncompressed) and no ECharts until a chart is drawn', async () => {
    const context = await h.browser.newContext({ viewport: { width: 1280, height: 720 } })
    const page = await context.newPage()
    const scripts: { url: string; bytes: number; wire: number }[] = []
    const pending: Promise<void>[] = []
    page.on('response', (r) => {
      if (r.request().resourceType() !== 'script') return
      pending.push(
        Promise.all([r.body(), r.request().sizes()]).then(
          ([b, sizes]) => void scripts.push({ url: r.url().replace(/^.*\//, ''), bytes: b.length, wire: sizes.responseBodySize })
        )
      )
    })
    await page.goto(h.server.url, { waitUntil: 'networkidle' })
    await page.getByTestId('datasets-empty').waitFor({ timeout: 30_000 })
    await page.waitForLoadState('networkidle')
    await Promise.all(pending)
    const total = scripts.reduce((s, x) => s + x.bytes, 0)
    const wire = scripts.reduce((s, x) => s + x.wire, 0)
    console.log(
      `initial JavaScript (first load of ${new URL(h.server.url).pathname}#/datasets): ${total} B = ${(total / 1e6).toFixed(3)} MB decoded, ${wire} B over the wire, in ${scripts.length} files\n` +
        scripts.map((s) => `  ${s.url} ${s.bytes} (${s.wire} sent)`).join('\n')
    )
    expect(total).toBeLessThanOrEqual(1_500_000)
    expect(scripts.some((s) => /echarts/i.test(s.url) && s.bytes > 10_000)).toBe(false)
    // The same figure from the build manifest: the entry chunk and everything it imports statically.
    const manifest = JSON.parse(readFileSync(resolve('out/renderer/.vite/manifest.json'), 'utf8')) as Record<
      string,
      { file: string; isEntry?: boolean; imports?: string[] }
    >
    const seen = new Set<string>()
    const visit = (key: string) => {
      if (seen.has(key)) return
      seen.add(key)
      for (const k of manifest[key]?.imports ?? []) visit(k)
    }
    // The served page's entry only (other HTML entries, e.g. a hidden worker window, are not part of this load).
    expect(manifest['index.html']?.isEntry).toBe(true)
    visit('index.html')
    const entryBytes = [...seen].reduce((s, k) => s + statSync(resolve('out/renderer', manifest[k]!.file)).size, 0)
    console.log(`entry chunk + static imports (manifest): ${entryBytes} B`)
    expect(entryBytes).toBeLessThanOrEqual(1_500_000)
    await context.close()
  })

  it('serves hashed assets brotli/gzip-compressed by Accept-Encoding with an immutable cache; index.html stays no-store', async () => {
    const get = (path: string, acceptEncoding?: string) =>
      new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((done, fail) => {
        const req = httpGet(new URL(path, h.server.url), { headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
        })
        req.on('error', fail)
      })
    const index = await get('/', 'gzip, br')
    expect(index.headers['cache-control']).toBe('no-store')
    const script = /src="\.?\/?(assets\/index-[^"]+\.js)"/.exec(index.body.toString())?.[1]
    expect(script).toBeTruthy()
    const raw = readFileSync(resolve('out/renderer', script!))

    const br = await get(`/${script}`, 'gzip, deflate, br, zstd')
    expect(br.status).toBe(200)
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(br.headers.vary).toMatch(/accept-encoding/i)
    expect(br.headers['content-type']).toMatch(/^text\/javascript/)
    expect(brotliDecompressSync(br.body).equals(raw)).toBe(true)
    expect(br.body.length).toBeLessThan(raw.length / 2)

    const gz = await get(`/${script}`, 'br;q=0, gzip')
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.body).equals(raw)).toBe(true)

    const plain = await get(`/${script}`)
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(plain.body.equals(raw)).toBe(true)
    expect((await get('/assets/no-such-file.js', 'br')).status).toBe(404)
    console.log(`entry script ${script}: ${raw.length} B raw, ${br.body.length} B br, ${gz.body.length} B gzip`)
  })

  it('forces a backend from the settings and shows it in the status bar', async () => {
    await h.page.getByTestId('backend-settings').click()
    await h.page.getByTestId('backend-select').click()
    await h.page.getByText('Plain JavaScript (slowest)').click()
    await h.page.getByTestId('backend-save').click()
    await expect.poll(async () => (await h.page.getByTestId('backend').textContent()) ?? '', { timeout: 30_000 }).toContain('backend: cpu')
    await h.shot('shell-backend-settings')
    expect((await h.services.call('app.info', {})).settings.backend).toBe('cpu')
    await h.services.call('settings.set', { backend: 'auto' })
    expect(h.problems).toEqual([])
  })

  it('shows an error when the API is unreachable', async () => {
    const page = await h.browser.newPage()
    await page.goto(h.server.url.replace(/token=[^&]+/, 'token=wrong'))
    await page.getByTestId('api-error').waitFor({ timeout: 10_000 })
    expect(await page.getByTestId('api-error').textContent()).toMatch(/Cannot reach/)
    await page.close()
  })
})
