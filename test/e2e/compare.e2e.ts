/**
 * Runs list and Compare screen in real Chromium against a real, tiny comparison on digits 8×8 (trained here, ~20 s):
 * statuses, filters, the metrics table with every model, confusion matrices, learning curves, first-layer masks,
 * config diff, exports (CSV / JSON / HTML / SVG), delete and rerun, and the dark theme.
 */
import { readFileSync } from 'node:fs'
import { unzipSync } from 'fflate'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Download } from 'playwright-core'
import type { RunSummary } from '../../main/contract/index.ts'
import { SHOTS, startHarness, type Harness } from './harness.ts'
import { dismissToasts as dismissToastsOn, saved as savedBy, shotsAt1280 } from './pageHelpers.ts'

let h: Harness
let main: RunSummary
let small: RunSummary
let cancelled: RunSummary
let tabular: RunSummary

beforeAll(async () => {
  h = await startHarness()
  const d = await h.services.call('datasets.import', { path: resolve('resources/examples/digits_8x8.csv') })
  const quick = h.services.runs.defaults(d.id, 'quick')
  const a = await h.services.runs.start({
    ...quick,
    name: 'digits e2e',
    models: ['iunet', 'mlp', 'cnn', 'omp'],
    seeds: 2,
    epochs: 3,
    finetuneEpochs: 3,
    compressions: [4, 8]
  })
  const b = await h.services.runs.start({
    ...quick,
    name: 'digits small',
    models: ['iunet', 'mlp'],
    seeds: 1,
    epochs: 2,
    finetuneEpochs: 2,
    compressions: [8],
    learningRate: 0.001
  })
  const wine = await h.services.call('datasets.import', { path: resolve('resources/examples/wine.csv') })
  const t = await h.services.runs.start({
    ...h.services.runs.defaults(wine.id, 'quick'),
    name: 'wine tabular',
    models: ['iunet', 'mlp'],
    seeds: 2,
    epochs: 4,
    finetuneEpochs: 4
  })
  await Promise.all([a.finished, b.finished, t.finished])
  tabular = t.summary
  const c = await h.services.runs.start({ ...quick, name: 'digits cancelled', models: ['mlp'], seeds: 1, epochs: 50 })
  await h.services.call('runs.cancel', { id: c.summary.id })
  await c.finished
  main = a.summary
  small = b.summary
  cancelled = c.summary
  for (const r of [main, small, tabular]) {
    const d = h.services.runs.get(r.id)
    expect(d.status, d.error ?? '').toBe('finished')
  }
}, 240_000)

afterAll(async () => {
  await h?.close()
})

const page = () => h.page

const saved = (trigger: () => Promise<void>) => savedBy(page(), trigger)
const dismissToasts = () => dismissToastsOn(page())

async function scrollTo(testId: string) {
  await dismissToasts()
  await page().getByTestId(testId).first().scrollIntoViewIfNeeded()
  await page().waitForTimeout(400)
}

describe('Runs and Compare in Chromium', () => {
  it('lists the runs with coloured statuses, filters them and opens a finished one in Compare', async () => {
    await page().getByRole('link', { name: 'Runs', exact: true }).click()
    const row = page().locator(`[data-test="run-row"][data-run-id="${main.id}"]`)
    await row.waitFor({ timeout: 15_000 })
    expect(await row.getAttribute('data-status')).toBe('finished')
    expect(await row.textContent()).toMatch(/digits_8x8/)
    expect(await row.textContent()).toMatch(/IUNet \(pruned\)/)
    expect(await row.textContent()).toMatch(/\d+\.\d %/)
    expect(await row.getByTestId('run-replicates').textContent()).toBe('2 seeds · quick')
    expect(await page().locator(`[data-test="run-row"][data-run-id="${cancelled.id}"] [data-test="status-cancelled"]`).count()).toBe(1)
    await dismissToasts()
    await h.shot('runs-list')

    await page().getByTestId('runs-search').locator('input').fill('no such run anywhere')
    await page().getByTestId('runs-none-match').waitFor()
    await page().getByTestId('runs-search').locator('input').fill('small')
    await expect.poll(() => page().getByTestId('run-row').count()).toBe(1)
    await page().getByTestId('runs-search').locator('input').fill('')
    await expect.poll(() => page().getByTestId('run-row').count()).toBe(4)

    await row.getByRole('button', { name: 'Compare digits e2e' }).click()
    await expect.poll(() => page().url()).toContain(`#/compare/${main.id}`)
    expect(h.problems).toEqual([])
  })

  it('shows every model of the run in the metrics table, with mean ± std and a best value per column', async () => {
    const rows = page().getByTestId('metrics-row')
    // iunet and omp at 1/4 and 1/8, mlp and cnn dense.
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(6)
    const models = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-model')))
    expect(new Set(models)).toEqual(new Set(['iunet', 'mlp', 'cnn', 'omp']))
    const table = (await page().getByTestId('metrics-table').textContent()) ?? ''
    expect(table).toMatch(/\d+\.\d ± \d+\.\d %/)
    expect(table).toContain('Supernet val. acc.')
    expect(table).toContain('Pred. consistency')
    expect(await page().locator('[data-test="metrics-table"] td.best').count()).toBeGreaterThan(3)
    // Seeds only: what the means are over, n, and the paired t-test over seeds.
    expect(await page().locator('#metrics-caption').textContent()).toContain('mean ± std over 2 seeds (n = 2)')
    expect(await page().getByTestId('paired-test').textContent()).toBe('paired t-test')
    expect(await page().getByTestId('verdicts').textContent()).toMatch(/IUNet \(pruned\) 1\/4 (beats|does not beat|and) Dense MLP/)
    expect(await page().getByTestId('config-single').count()).toBe(1)
    await dismissToasts()
    await h.shot('compare-top')
  })

  it('fits the metrics table in a 1280×720 window: model and accuracy never cut off, other columns one click away', async () => {
    await page().setViewportSize({ width: 1280, height: 720 })
    await dismissToasts()
    const table = page().getByTestId('metrics-table')
    await table.scrollIntoViewIfNeeded()
    /** Cells of the given columns that are not fully inside the table's visible box and the window. */
    const cutOff = (cols: string[]) =>
      table.evaluate((wrap, cols) => {
        const box = wrap.getBoundingClientRect()
        const right = Math.min(box.right, document.documentElement.clientWidth)
        return [...wrap.querySelectorAll<HTMLElement>('[data-col]')]
          .filter((c) => cols.includes(c.dataset.col!))
          .filter((c) => {
            const r = c.getBoundingClientRect()
            return r.left < box.left - 0.5 || r.right > right + 0.5 || r.width < 1
          })
          .map((c) => `${c.dataset.col}: ${c.textContent}`)
      }, cols)
    const scrolls = () => table.evaluate((w) => w.scrollWidth > w.clientWidth + 1)

    expect(await table.getAttribute('data-group')).toBe('quality')
    expect(
      await cutOff(['model', 'accuracy', 'balancedAccuracy', 'macroF1', 'invariancePrediction', 'invarianceRepresentation', 'supernetValAccuracy'])
    ).toEqual([])
    expect(await scrolls()).toBe(false)
    await h.shot('compare-1280-quality')

    await page().getByTestId('metrics-columns-cost').click()
    await expect.poll(() => table.getAttribute('data-group')).toBe('cost')
    expect(await cutOff(['model', 'accuracy', 'params', 'nonzeroParams', 'compression', 'flopsSparse', 'trainSeconds', 'inferenceMsPerExample'])).toEqual([])
    expect(await scrolls()).toBe(false)
    await h.shot('compare-1280-cost')

    // Every column at once scrolls sideways; the model column stays in view (sticky).
    await page().getByTestId('metrics-columns-all').click()
    await expect.poll(() => table.getAttribute('data-group')).toBe('all')
    expect(await scrolls()).toBe(true)
    await table.evaluate((w) => w.scrollTo({ left: w.scrollWidth }))
    await page().waitForTimeout(200)
    expect(await cutOff(['model', 'inferenceMsPerExample'])).toEqual([])
    await h.shot('compare-1280-all-scrolled')
    await table.evaluate((w) => w.scrollTo({ left: 0 }))
    await page().getByTestId('metrics-columns-quality').click()
    await expect.poll(() => table.getAttribute('data-group')).toBe('quality')
    await page().setViewportSize({ width: 1440, height: 900 })
    expect(h.problems).toEqual([])
  })

  it('draws learning curves, confusion matrices, accuracy vs compression, sparsity and first-layer masks', async () => {
    await expect.poll(() => page().locator('[data-test="curves-chart"] canvas').count(), { timeout: 10_000 }).toBeGreaterThan(0)
    await scrollTo('curves')
    await h.shot('compare-curves')
    await page().getByTestId('curves-best').click()
    await page().waitForTimeout(400)
    await h.shot('compare-curves-best')
    await page().getByTestId('curves-supernet').click()
    await page().waitForTimeout(400)
    expect(await page().getByTestId('curves').textContent()).toContain('of the supernetwork')
    await h.shot('compare-curves-supernet')
    await page().getByTestId('curves-final').click()

    await expect.poll(() => page().getByTestId('confusion-chart').count()).toBe(6)
    for (const c of await page().getByTestId('confusion-chart').all()) expect(await c.locator('canvas').count()).toBeGreaterThan(0)
    await scrollTo('confusions')
    await h.shot('compare-confusion')

    expect(await page().locator('[data-test="compression-chart"] canvas').count()).toBeGreaterThan(0)
    expect(await page().locator('[data-test="sparsity-chart"] canvas').count()).toBeGreaterThan(0)
    await scrollTo('compression-chart')
    await h.shot('compare-compression-sparsity')

    expect(await page().locator('[data-test="mask-block"][data-model="iunet"]').count()).toBe(2)
    const masks = page().locator('[data-test="mask-block"][data-model="iunet"]').first().locator('[data-test="mask-grid"] canvas')
    await expect.poll(() => masks.count()).toBe(32)
    expect(await page().locator('[data-test="mask-block"][data-model="mlp"] [data-test="weight-grid"] canvas').count()).toBe(32)
    // A drawn mask has both kept and pruned pixels.
    type Canvas2d = {
      width: number
      height: number
      getContext(t: string): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } }
    }
    const pixels = await masks.first().evaluate((c) => {
      const cv = c as unknown as Canvas2d
      const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data
      return { w: cv.width, h: cv.height, distinct: new Set(Array.from({ length: d.length / 4 }, (_, i) => d[i * 4])).size }
    })
    expect(pixels).toMatchObject({ w: 8, h: 8 })
    expect(pixels.distinct).toBeGreaterThan(1)
    expect(await page().getByTestId('mask-caption').textContent()).toMatch(/local/)
    await scrollTo('masks')
    await h.shot('compare-masks')
    expect(h.problems).toEqual([])
  })

  it('exports the table as CSV and JSON, a chart as SVG and the whole comparison as one self-contained HTML file', async () => {
    await page().getByTestId('export-csv').scrollIntoViewIfNeeded()
    const csv = await saved(() => page().getByTestId('export-csv').click())
    expect(csv.name).toMatch(/\.csv$/)
    const lines = csv.text.trim().split(/\r?\n/)
    expect(lines).toHaveLength(7)
    expect(lines[0]).toContain('accuracy_mean,accuracy_std')
    expect(csv.text).toContain(',cnn,')

    const json = await saved(() => page().getByTestId('export-json').click())
    const parsed = JSON.parse(json.text) as { rows: { model: string; metrics: { accuracy: { mean: number; n: number } } }[] }
    expect(parsed.rows).toHaveLength(6)
    expect(parsed.rows.every((r) => r.metrics.accuracy.n === 2)).toBe(true)

    const svg = await saved(() => page().locator('[data-test="curves-chart"] [data-test="export-svg"]').click())
    expect(svg.name).toMatch(/\.svg$/)
    expect(svg.text).toMatch(/^<svg[\s\S]*<\/svg>$/)

    const html = await saved(() => page().getByTestId('export-html').click())
    expect(html.name).toMatch(/\.html$/)
    expect(html.text).toMatch(/^<!doctype html>/)
    expect((html.text.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(9)
    expect(html.text).toContain('data:image/png;base64,')
    expect(html.text).toContain('Dense MLP')
    // Self-contained: no external scripts, styles, images or links.
    expect(html.text).not.toMatch(/(src|href)="(https?:)?\/\//)
    expect(html.text).not.toMatch(/<script/i)
    // Look at the report as a reader would (offline page, no server).
    const reader = await h.browser.newPage({ viewport: { width: 1280, height: 900 } })
    await reader.setContent(html.text)
    await reader.screenshot({ path: join(SHOTS, 'report.png'), fullPage: true })
    await reader.screenshot({ path: join(SHOTS, 'report-tables.png') })
    // No table is cut off: each fits the page or scrolls inside its wrapper.
    const cut = await reader.evaluate(
      () =>
        [...document.querySelectorAll('table')].filter((t) => {
          const box = (t.closest('.table-wrap') ?? document.body).getBoundingClientRect()
          return t.getBoundingClientRect().right > Math.max(box.right, document.documentElement.clientWidth) + 1 && !t.closest('.table-wrap')
        }).length
    )
    expect(cut).toBe(0)
    expect(await reader.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true)
    await reader.close()
    expect(h.problems).toEqual([])
  })

  it("exports a row's model: a zip downloaded through the browser, or a folder written under the data folder", async () => {
    const button = page().getByTestId('export-model').first()
    await button.scrollIntoViewIfNeeded()
    await button.click()
    const [dl] = (await Promise.all([page().waitForEvent('download', { timeout: 15_000 }), page().getByTestId('export-download').click()])) as [Download, void]
    expect(dl.suggestedFilename()).toMatch(/^iunet__seed0__r\d+\.zip$/)
    const entries = unzipSync(readFileSync(await dl.path()))
    const folder = dl.suggestedFilename().replace(/\.zip$/, '')
    expect(Object.keys(entries).sort()).toEqual(['card.md', 'model.json', 'model.onnx', 'preprocessing.json', 'weights.bin'].map((f) => `${folder}/${f}`))
    expect(JSON.parse(new TextDecoder().decode(entries[`${folder}/preprocessing.json`]))).toMatchObject({ classNames: expect.any(Array) })
    await expect(page().getByTestId('export-model-result').textContent()).resolves.toContain(`Saved ${folder}.zip`)
    await h.shot('compare-export-model')
    await page().getByTestId('export-write').click()
    await expect(page().getByTestId('export-model-result').textContent()).resolves.toMatch(new RegExp(`Bundle written to .*exports/${main.id}/${folder}`))
    await page().keyboard.press('Escape')
    await page().mouse.click(5, 5)
    expect(h.problems).toEqual([])
  })

  it('adds a second run from the picker and shows only the settings that differ', async () => {
    await page().getByTestId('cart-picker').scrollIntoViewIfNeeded()
    await page().getByTestId('cart-run-select').click()
    await page()
      .getByText(/^digits small — finished/)
      .click()
    await expect.poll(() => page().getByTestId('cart-add').isEnabled()).toBe(true)
    await page().getByTestId('cart-add').click()
    await expect.poll(() => page().getByTestId('metrics-row').count()).toBe(8)
    const diff = (await page().getByTestId('config-diff').textContent()) ?? ''
    for (const k of ['epochs', 'seeds', 'learningRate', 'models', 'compressions']) expect(diff).toContain(k)
    expect(diff).not.toContain('batchSize')
    // Remove one entry from the cart with its button.
    await page()
      .getByRole('button', { name: /Remove IUNet \(pruned\) 1\/8 \[B\]/ })
      .click()
    await expect.poll(() => page().getByTestId('metrics-row').count()).toBe(7)
    await h.shot('compare-two-runs')
    await scrollTo('config-diff')
    await h.shot('compare-two-runs-diff')
    expect(h.problems).toEqual([])
  })

  it('tints the best value within each dataset when the comparison spans datasets', async () => {
    await page().getByTestId('cart-picker').scrollIntoViewIfNeeded()
    await page().getByTestId('cart-run-select').click()
    await page()
      .locator('.n-base-select-option', { hasText: /^wine tabular — finished/ })
      .click()
    await expect.poll(() => page().getByTestId('cart-add').isEnabled()).toBe(true)
    await page().getByTestId('cart-add').click()
    await expect.poll(() => page().getByTestId('metrics-row').count()).toBe(9)
    const perRow = await page()
      .getByTestId('metrics-row')
      .evaluateAll((rows) =>
        rows.map((r) => ({
          dataset: r.querySelector('[data-test="metrics-dataset"]')?.textContent ?? '',
          best: !!r.querySelector('td[data-col="accuracy"].best')
        }))
      )
    const datasets = new Set(perRow.map((r) => r.dataset))
    expect(datasets.size).toBe(2)
    // One best accuracy (or a tie) in each dataset, not only on the dataset with the higher numbers.
    for (const d of datasets)
      expect(
        perRow.some((r) => r.dataset === d && r.best),
        d
      ).toBe(true)
    expect(await page().locator('#metrics-caption').textContent()).toMatch(/within each dataset/)
    await dismissToasts()
    await page().getByTestId('metrics-table').scrollIntoViewIfNeeded()
    await h.shot('compare-two-datasets')
    expect(h.problems).toEqual([])
  })

  it('judges a tabular run on balanced accuracy and draws no image masks for it', async () => {
    await page().getByRole('button', { name: 'Clear all' }).click()
    await page().getByTestId('compare-empty').waitFor()
    await page().getByTestId('cart-run-select').click()
    await page()
      .locator('.n-base-select-option', { hasText: /^wine tabular — finished/ })
      .click()
    await expect.poll(() => page().getByTestId('cart-add').isEnabled()).toBe(true)
    await page().getByTestId('cart-add').click()
    await expect.poll(() => page().getByTestId('metrics-row').count()).toBe(2)
    expect(await page().getByTestId('verdicts').textContent()).toMatch(/on balanced accuracy/)
    expect(await page().locator('#metrics-caption').textContent()).toMatch(/read balanced accuracy first/)
    expect(await page().getByTestId('masks').count()).toBe(0)
    await expect.poll(() => page().getByTestId('confusion-chart').count()).toBe(2)
    await dismissToasts()
    await page()
      .locator('.content')
      .evaluate((e) => e.scrollTo(0, 0))
    await h.shot('compare-tabular')
    // Back to the digits comparison for the theme screenshots.
    await page().getByRole('button', { name: 'Clear all' }).click()
    await page().getByTestId('cart-run-select').click()
    await page()
      .locator('.n-base-select-option', { hasText: /^digits e2e — finished/ })
      .click()
    await expect.poll(() => page().getByTestId('cart-add').isEnabled()).toBe(true)
    await page().getByTestId('cart-add').click()
    await expect.poll(() => page().getByTestId('metrics-row').count()).toBe(6)
    expect(h.problems).toEqual([])
  })

  it('switches to the dark theme, saves it, and renders both screens in it', async () => {
    // Keyboard: the switch is made of real buttons.
    await page().getByTestId('theme-dark').focus()
    await page().keyboard.press('Enter')
    await expect.poll(async () => (await h.services.call('app.info', {})).settings.theme).toBe('dark')
    expect(await page().getByTestId('theme-dark').getAttribute('aria-pressed')).toBe('true')
    // The layout background fades to the dark theme's (naive-ui transitions it).
    const brightness = async () => {
      const bg = await page()
        .locator('.n-layout')
        .first()
        .evaluate((e) => (globalThis as unknown as { getComputedStyle(el: unknown): { backgroundColor: string } }).getComputedStyle(e).backgroundColor)
      return (bg.match(/\d+/g) ?? ['255', '255', '255'])
        .slice(0, 3)
        .map(Number)
        .reduce((a, b) => a + b, 0)
    }
    await expect.poll(brightness, { timeout: 5000 }).toBeLessThan(200)
    await page()
      .locator('.content')
      .evaluate((e) => e.scrollTo(0, 0))
    await page().waitForTimeout(500)
    await h.shot('compare-dark')
    await scrollTo('masks')
    await h.shot('compare-masks-dark')
    await page().getByRole('link', { name: 'Runs', exact: true }).click()
    await page().getByTestId('runs-table').waitFor()
    await page().mouse.move(700, 700)
    await page().waitForTimeout(400)
    await h.shot('runs-dark')
    await shotsAt1280(page(), h.shot, main.id, 'dark')
    await page().getByTestId('theme-light').click()
    await expect.poll(async () => (await h.services.call('app.info', {})).settings.theme).toBe('light')
    await shotsAt1280(page(), h.shot, main.id, 'light')
    await page().getByRole('link', { name: 'Runs', exact: true }).click()
    await page().getByTestId('runs-table').waitFor()
    expect(h.problems).toEqual([])
  })

  it('deletes a run after confirmation and reruns one with the same settings', async () => {
    const row = page().locator(`[data-test="run-row"][data-run-id="${cancelled.id}"]`)
    await row.getByTestId('run-delete').click()
    await page().getByTestId('confirm-delete').click()
    await expect.poll(() => row.count()).toBe(0)
    expect(h.services.runs.list().some((r) => r.id === cancelled.id)).toBe(false)

    await page().locator(`[data-test="run-row"][data-run-id="${small.id}"]`).getByTestId('run-rerun').click()
    await expect.poll(() => h.services.runs.list().length).toBe(4)
    const again = h.services.runs.list().find((r) => ![small.id, main.id, tabular.id].includes(r.id))!
    expect(h.services.runs.get(again.id).config).toEqual(h.services.runs.get(small.id).config)
    await expect.poll(() => page().url()).toContain(`#/training/${again.id}`)
    await h.services.call('runs.cancel', { id: again.id })
    expect(h.problems).toEqual([])
  })
})
