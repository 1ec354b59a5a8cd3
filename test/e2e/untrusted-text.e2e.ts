/**
 * Untrusted text stays text: a CSV whose column names, class labels, dataset name and run name are HTML/script
 * payloads is imported and trained on (one tiny run), then shown on the Datasets, Runs and Compare screens with
 * the confusion-matrix tooltips hovered. Nothing may run (window.__pwned stays undefined, no element from a
 * payload appears) and the payloads read literally on screen.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunSummary } from '../../main/contract/index.ts'
import { startHarness, type Harness } from './harness.ts'

const COLS = ['<img src=x onerror=window.__pwned=1>', '<script>window.__pwned=2</script>', '"><svg onload=window.__pwned=3>']
const TARGET = '<b onmouseover=window.__pwned=4>kind</b>'
const LABELS = ['<img src=x onerror=window.__pwned=5>', '<svg/onload=window.__pwned=6>', "'><iframe src=javascript:window.__pwned=7>"]
const DATASET = '<img src=x onerror=window.__pwned=8>'
const RUN = '<svg onload=window.__pwned=9>'

let h: Harness
let run: RunSummary
const page = () => h.page

const q = (s: string) => `"${s.replace(/"/g, '""')}"`

beforeAll(async () => {
  h = await startHarness({ workers: 1 })
  const rows = Array.from({ length: 90 }, (_, i) => {
    const k = i % 3
    return [k + Math.sin(i), 2 * k - Math.cos(i), (i * 7) % 5, q(LABELS[k]!)].join(',')
  })
  const csv = join(h.dataDir, 'payloads.csv')
  writeFileSync(csv, [[...COLS, TARGET].map(q).join(','), ...rows].join('\n') + '\n')
  const d = await h.services.call('datasets.import', { path: csv, name: DATASET, target: TARGET })
  expect(d.schema.classes.map((c) => c.value).sort()).toEqual([...LABELS].sort())
  const r = await h.services.runs.start({ ...h.services.runs.defaults(d.id, 'quick'), name: RUN, models: ['mlp'], seeds: 1, epochs: 2, finetuneEpochs: 1 })
  await r.finished
  run = r.summary
  expect(h.services.runs.get(run.id).status).toBe('finished')
}, 180_000)

afterAll(async () => {
  await h?.close()
})

/** Nothing from a payload ran or became an element. */
async function nothingInterpreted() {
  expect(await page().evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined()
  expect(await page().locator('img[src="x"], iframe, svg[onload], b[onmouseover], script:not([src])').count()).toBe(0)
  expect(h.problems).toEqual([])
}

describe('untrusted text in Chromium', () => {
  it('shows the dataset name, column names and class labels literally on the Datasets screen', async () => {
    await page().getByRole('link', { name: 'Datasets', exact: true }).click()
    await page().getByTestId('dataset-item').first().click()
    await expect.poll(() => page().getByTestId('dataset-title').textContent(), { timeout: 15_000 }).toBe(DATASET)
    const schema = (await page().getByTestId('schema-table').textContent()) ?? ''
    for (const c of [...COLS, TARGET]) expect(schema).toContain(c)
    await page().getByTestId('class-balance').locator('canvas').first().waitFor()
    // Hover the class-balance bars: their tooltips carry the labels.
    const bars = await page().getByTestId('class-balance').boundingBox()
    for (let x = 0.2; bars && x < 1; x += 0.15) await page().mouse.move(bars.x + bars.width * x, bars.y + bars.height * 0.6)
    await page().locator('.n-tabs-tab', { hasText: 'Rows' }).click()
    await page().getByTestId('preview-table').locator('tbody tr').first().waitFor()
    const preview = (await page().getByTestId('preview-table').textContent()) ?? ''
    expect(LABELS.some((l) => preview.includes(l))).toBe(true)
    await nothingInterpreted()
  })

  it('shows the run and its confusion-matrix tooltips literally on the Runs and Compare screens', async () => {
    await page().getByRole('link', { name: 'Runs', exact: true }).click()
    const row = page().locator(`[data-test="run-row"][data-run-id="${run.id}"]`)
    await row.waitFor({ timeout: 15_000 })
    expect(await row.textContent()).toContain(RUN)
    await page().evaluate((id) => (location.hash = `#/compare/${id}`), run.id)
    const chart = page().getByTestId('confusion-chart').first()
    await chart.locator('canvas').first().waitFor({ timeout: 20_000 })
    await chart.scrollIntoViewIfNeeded()
    await page().waitForTimeout(500)
    const box = (await chart.boundingBox())!
    // Sweep the heatmap until a cell's tooltip shows: it names the true and predicted classes.
    let tip = ''
    for (let y = 0.15; y < 0.9 && !tip.includes('predicted'); y += 0.1) {
      for (let x = 0.2; x < 0.95 && !tip.includes('predicted'); x += 0.1) {
        await page().mouse.move(box.x + box.width * x, box.y + box.height * y)
        await page().waitForTimeout(120)
        tip = (await chart.textContent()) ?? ''
      }
    }
    expect(tip).toContain('predicted')
    expect(LABELS.some((l) => tip.includes(`true ${l}`) || tip.includes(`predicted ${l}`))).toBe(true)
    await nothingInterpreted()
  })
})
