/**
 * The Studies screen in real Chromium against real, tiny studies over bundled tabular examples. Without a grid
 * (iris, wine, penguins × IUNet / dense MLP / OMP × 2 seeds): the dataset × variant matrix with the best per dataset,
 * average ranks, the tests against the dense MLP with verdicts, and the critical-difference diagram. With a grid
 * (κ × λ × two ratios, iris and wine): the tuned comparison, the grid heatmap, the turned matrix with filters, links and exports.
 */
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pointsDiff, type StudyDetail } from '../../main/contract/index.ts'
import { startHarness, type Harness } from './harness.ts'
import { dismissToasts, saved } from './pageHelpers.ts'

let h: Harness
let detail: StudyDetail

beforeAll(async () => {
  h = await startHarness()
  const { study, finished } = await h.services.studies.run({
    name: 'tabular examples',
    datasets: ['iris', 'wine', 'penguins'].map((n) => ({ path: resolve(`resources/examples/${n}.csv`) })),
    models: ['iunet', 'mlp', 'omp'],
    seeds: 2,
    settings: { epochs: 3, finetuneEpochs: 2, width: 32, depth: 1, compressions: [4], patience: 0 }
  })
  await finished
  detail = h.services.studies.get(study.id)
  expect(detail.finishedCells).toBe(3)
}, 240_000)

afterAll(async () => {
  await h?.close()
})

describe('Studies screen', () => {
  it('shows the matrix, ranks, tests with verdicts and the CD diagram', async () => {
    const page = h.page
    await page.evaluate((id) => (location.hash = `#/studies/${id}`), detail.id)
    await page.getByTestId('study-matrix').waitFor()
    // no grid: one comparison, nothing tuned and nothing optimistic to say
    await expect(page.getByTestId('study-tabs').count()).resolves.toBe(0)
    await expect(page.getByTestId('study-optimistic').count()).resolves.toBe(0)
    const matrix = page.getByTestId('study-matrix-table')
    await expect(matrix.getAttribute('data-orientation')).resolves.toBe('datasets-as-rows')
    for (const name of ['iris', 'wine', 'penguins']) await expect(matrix.getByRole('rowheader', { name, exact: true }).count()).resolves.toBe(1)
    for (const v of detail.variants) await expect(matrix.getByRole('columnheader', { name: v.label }).count()).resolves.toBe(1)
    // one best cell (or tied bests) per dataset row, never compared across rows
    await expect(matrix.locator('tbody tr').count()).resolves.toBe(3)
    for (let i = 0; i < 3; i++) await expect(matrix.locator(`tbody tr:nth-child(${i + 1}) td.best`).count()).resolves.toBe(detail.best[i]!.length)
    await expect(page.getByTestId('study-matrix-table-ranks').textContent()).resolves.toContain(detail.ranks!.average[0]!.toFixed(2))
    const verdicts = page.getByTestId('study-verdicts')
    await expect(verdicts.textContent()).resolves.toContain('Friedman')
    await expect(verdicts.textContent()).resolves.toMatch(/vs Dense MLP: \d wins, \d ties, \d losses over 3 datasets/)
    const cd = page.getByTestId('study-cd')
    await cd.locator('canvas').first().waitFor()
    await expect(cd.getByRole('img').getAttribute('aria-label')).resolves.toContain(`CD = ${detail.nemenyi!.cd.toFixed(2)}`)
    await expect(page.getByTestId('nav-studies').getAttribute('aria-current')).resolves.toBe('page')
    // the cells' "Run finished" notifications would cover the page
    for (let round = 0; round < 3 && (await page.locator('.n-notification').count()) > 0; round++) {
      for (const b of await page.locator('.n-notification .n-base-close').all()) await b.click({ timeout: 1000 }).catch(() => undefined)
      await page.waitForTimeout(400)
    }
    await page.waitForTimeout(300)
    await h.shot('studies')
    await cd.scrollIntoViewIfNeeded()
    await h.shot('studies-cd')
    expect(h.problems).toEqual([])
  })

  it("lists a study's cells on the Runs screen with a link back to the study", async () => {
    const page = h.page
    await page.getByTestId('nav-runs').click()
    const links = page.getByTestId('run-study')
    await links.first().waitFor()
    await expect(links.count()).resolves.toBe(3)
    await h.shot('runs-study-cells')
    await links.first().click()
    await page.getByTestId('study-matrix').waitFor()
    await expect(page.evaluate(() => location.hash)).resolves.toBe(`#/studies/${detail.id}`)
    expect(h.problems).toEqual([])
  })

  it('stops a running study from its screen, then trains its unfinished cells again', async () => {
    const page = h.page
    // Long enough per cell that the buttons are clicked while cells train (stopped before they finish).
    const started = await h.services.call('studies.start', {
      name: 'long sweep',
      datasets: [{ id: detail.datasetList[0]!.id }],
      models: ['iunet', 'mlp'],
      seeds: 1,
      settings: { epochs: 400, finetuneEpochs: 400, width: 32, depth: 1, patience: 0 },
      grid: { kappa: [0.125, 1] }
    })
    await page.evaluate((id) => (location.hash = `#/studies/${id}`), started.id)
    const stop = page.getByTestId('study-stop')
    await stop.waitFor()
    await h.shot('studies-running')
    await stop.click()
    const resume = page.getByTestId('study-resume')
    await resume.waitFor()
    await expect(resume.textContent()).resolves.toMatch(/Train the 2 unfinished cell\(s\)/)
    expect(h.services.studies.get(started.id).active).toBe(false)
    expect(h.services.store.studies.cellRuns(started.id).map((r) => r.status)).not.toContain('running')
    await h.shot('studies-stopped')
    await resume.click()
    await stop.waitFor()
    expect(h.services.studies.get(started.id).active).toBe(true)
    await stop.click()
    await resume.waitFor()
    await h.services.studies.whenFinished(started.id)
    expect(h.problems).toEqual([])
  }, 120_000)
})

describe('Studies screen with a grid', () => {
  let grid: StudyDetail
  beforeAll(async () => {
    // κ × λ × two ratios: 8 IUNet variants, 2 OMP variants (it has no κ or λ) and the dense MLP, trained once per dataset.
    const { study, finished } = await h.services.studies.run({
      name: 'kappa x lambda',
      datasets: ['iris', 'wine'].map((n) => ({ path: resolve(`resources/examples/${n}.csv`) })),
      models: ['iunet', 'mlp', 'omp'],
      seeds: 2,
      settings: { epochs: 3, finetuneEpochs: 2, width: 16, depth: 1, patience: 0 },
      grid: { kappa: [0.125, 1], lambda: [0, 1], compressions: [4, 8] }
    })
    await finished
    grid = h.services.studies.get(study.id)
    expect(grid.variants).toHaveLength(11)
    expect(grid.tuned).not.toBeNull()
  }, 240_000)

  const open = async () => {
    await h.page.evaluate((id) => (location.hash = `#/studies/${id}`), grid.id)
    await h.page.getByTestId('study-tabs').waitFor()
    await dismissToasts(h.page)
  }
  const tab = (name: 'tuned' | 'all' | 'effects') => h.page.locator(`.n-tabs-tab[data-name="${name}"]`).click()
  const labels = () => grid.variants.map((v) => v.label)

  it('opens on the tuned comparison: its rule, each model’s budget, matrix, tests and verdicts', async () => {
    const page = h.page
    await open()
    const tuned = page.getByTestId('study-tuned')
    await tuned.waitFor()
    await expect(page.getByTestId('study-tuned-rule').textContent()).resolves.toBe(grid.tuned!.rule)
    const budgets = await page.getByTestId('study-tuned-budgets').textContent()
    expect(budgets).toContain('IUNet (pruned): 8 settings (κ × λ × ratio)')
    expect(budgets).toContain('OMP only: 2 settings (ratio)')
    expect(budgets).toContain('Dense MLP: 1 setting')
    expect(budgets).toContain('Budgets differ')
    const matrix = page.getByTestId('study-tuned-matrix')
    await expect(matrix.getAttribute('data-orientation')).resolves.toBe('datasets-as-rows')
    for (const v of grid.tuned!.variants) await expect(matrix.getByRole('columnheader', { name: v.label }).count()).resolves.toBe(1)
    const ranks = await page.getByTestId('study-tuned-matrix-ranks').textContent()
    for (const r of grid.tuned!.ranks!.average) expect(ranks).toContain(r.toFixed(2))
    // the tests: every tuned model but the baseline, against the tuned baseline
    await expect(page.getByTestId('study-tuned-tests').locator('tbody tr').count()).resolves.toBe(grid.tuned!.variants.length - 1)
    await expect(page.getByTestId('study-tuned-verdicts').textContent()).resolves.toContain('vs Dense MLP (1 setting)')
    await h.shot('studies-tuned')
    expect(h.problems).toEqual([])
  })

  it('shows each model and ratio as a κ × λ heatmap coloured around 0, with each dataset’s difference on hover', async () => {
    const page = h.page
    await tab('effects')
    for (const e of grid.gridEffects) {
      expect(e.settings.map((s) => s.name)).toEqual(['kappa', 'lambda'])
      const map = page.getByTestId(`grid-heatmap-${e.model}-${e.compression}`)
      await map.waitFor()
      const cells = map.getByTestId('grid-cell')
      await expect(cells.count()).resolves.toBe(4)
      for (const p of e.points) {
        const cell = map.locator(`[data-grid="${p.grid.kappa}|${p.grid.lambda}"]`)
        const text = (await cell.textContent())!
        expect(text).toContain(`${p.wins}/${p.ties}/${p.losses}`)
        expect(text).toContain(pointsDiff(p.meanDifference))
        // worse than the baseline: red side of the scale; better: blue side
        const [r, , b] = (await cell.locator('xpath=..').evaluate((td) => getComputedStyle(td).backgroundColor)).match(/\d+/g)!.map(Number) as [
          number,
          number,
          number
        ]
        if (p.meanDifference! < 0) expect(r).toBeGreaterThan(b)
        if (p.meanDifference! > 0) expect(b).toBeGreaterThan(r)
      }
    }
    await page.waitForTimeout(400)
    await h.shot('studies-grid-heatmap')
    const e = grid.gridEffects[0]!
    const p = e.points[0]!
    await page.getByTestId(`grid-heatmap-${e.model}-${e.compression}`).locator(`[data-grid="${p.grid.kappa}|${p.grid.lambda}"]`).hover()
    const tip = page.getByTestId('grid-cell-tooltip')
    await tip.waitFor()
    for (const [d, ds] of grid.datasetList.entries()) await expect(tip.textContent()).resolves.toContain(`${ds.name}: ${pointsDiff(p.perDataset[d])}`)
    await h.shot('studies-grid-heatmap-hover')
    await page.mouse.move(5, 5)
    // the keyboard reaches them too: a focused cell shows its own
    const q = e.points[1]!
    await page.getByTestId(`grid-heatmap-${e.model}-${e.compression}`).locator(`[data-grid="${q.grid.kappa}|${q.grid.lambda}"]`).focus()
    await expect.poll(() => tip.textContent()).toContain(`λ = ${q.grid.lambda}`)
    await expect(tip.textContent()).resolves.toContain(`${grid.datasetList[1]!.name}: ${pointsDiff(q.perDataset[1])}`)
    await page.keyboard.press('Escape')
    await expect.poll(() => tip.count()).toBe(0)
    expect(h.problems).toEqual([])
  })

  it('turns the matrix of every variant, keeps its header in view, filters and orders it with the tests', async () => {
    const page = h.page
    await tab('all')
    await expect(page.getByTestId('study-optimistic').textContent()).resolves.toBe(grid.optimisticNote)
    const matrix = page.getByTestId('study-matrix-table')
    await expect(matrix.getAttribute('data-orientation')).resolves.toBe('variants-as-rows')
    const rows = matrix.locator('tbody tr')
    await expect(rows.count()).resolves.toBe(11)
    // by average rank: the first row is the best-ranked variant
    const best = grid.ranks!.average.indexOf(Math.min(...grid.ranks!.average))
    await expect(rows.first().getAttribute('data-variant')).resolves.toBe(String(best))
    for (const name of ['iris', 'wine']) await expect(matrix.getByRole('columnheader', { name, exact: true }).count()).resolves.toBe(1)
    await expect(matrix.getByTestId('study-locality').count()).resolves.toBeGreaterThan(0)
    await h.shot('studies-matrix-turned')
    // scrolled inside (a short window, so the box must scroll), the header row stays at the top of the box
    await page.setViewportSize({ width: 1440, height: 600 })
    await matrix.scrollIntoViewIfNeeded()
    await matrix.evaluate((e) => (e.scrollTop = 120))
    await expect(matrix.evaluate((e) => e.scrollTop)).resolves.toBe(120)
    const box = (await matrix.boundingBox())!
    const th = (await matrix.locator('thead th').first().boundingBox())!
    expect(Math.abs(th.y - box.y)).toBeLessThanOrEqual(1)
    await matrix.evaluate((e) => (e.scrollTop = 0))
    await page.setViewportSize({ width: 1440, height: 900 })

    // IUNet only (the baseline stays), then κ = 1: 4 IUNet variants and the MLP, few enough to turn back
    await page.getByTestId('study-filter-model').click()
    await page.locator('.n-base-select-option', { hasText: /^IUNet \(pruned\)$/ }).click()
    await page.keyboard.press('Escape')
    await expect.poll(() => rows.count()).toBe(9)
    await page.getByTestId('study-filter-kappa').click()
    await page.locator('.n-base-select-option', { hasText: /^1$/ }).click()
    await page.keyboard.press('Escape')
    await expect.poll(() => matrix.getAttribute('data-orientation')).toBe('datasets-as-rows')
    await expect(page.getByTestId('study-shown').textContent()).resolves.toBe('5 of 11 variants')
    const kept = grid.variants.flatMap((v, j) => (v.model === 'mlp' || (v.model === 'iunet' && v.grid.kappa === 1) ? [j] : []))
    const headers = await matrix.locator('thead th.variant').allTextContents()
    expect(headers.map((t) => labels().findIndex((l) => t.trim().startsWith(l))).sort()).toEqual(kept.sort())
    // the tests follow: the 4 IUNet κ = 1 variants (the baseline is not tested against itself), by rank
    const tests = page.getByTestId('study-tests-table').locator('tbody tr')
    await expect(tests.count()).resolves.toBe(4)
    const testRanks = await tests.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-variant'))))
    const r = grid.ranks!.average
    expect(testRanks.map((j) => r[j]!)).toEqual([...testRanks.map((j) => r[j]!)].sort((a, b) => a - b))
    await page.getByTestId('study-filter-clear').click()
    await expect.poll(() => rows.count()).toBe(11)
    expect(h.problems).toEqual([])
  })

  it('opens the run behind a matrix value in Compare, and comes back to the same view', async () => {
    const page = h.page
    const matrix = page.getByTestId('study-matrix-table')
    // an IUNet variant with κ = 1 on wine: its run trained that κ and λ, on wine, with that ratio
    const j = grid.variants.findIndex((v) => v.model === 'iunet' && v.grid.kappa === 1 && v.compression === 8)
    const v = grid.variants[j]!
    await matrix.locator(`tbody tr[data-variant="${j}"] td`).nth(1).getByTestId('study-cell-link').click()
    await page.getByTestId('metrics-table').waitFor()
    const runId = decodeURIComponent((await page.evaluate(() => location.hash)).replace('#/compare/', ''))
    const run = await h.services.call('runs.get', { id: runId })
    expect(run.datasetName).toBe('wine')
    expect(run.studyId).toBe(grid.id)
    expect([run.config.kappa, run.config.lambda]).toEqual([v.grid.kappa, v.grid.lambda])
    expect(run.results.some((x) => x.model === 'iunet' && x.compression === 8)).toBe(true)
    await page.goBack()
    await page.getByTestId('study-matrix-table').waitFor()
    await expect(page.locator('.n-tabs-tab--active').getAttribute('data-name')).resolves.toBe('all')
    expect(h.problems).toEqual([])
  })

  it('exports the long table, the analysis and the CD diagram', async () => {
    const page = h.page
    const csv = await saved(page, () => page.getByTestId('study-export-csv').click())
    expect(csv.name).toBe(`study-${grid.id}.csv`)
    const lines = csv.text.trim().split(/\r?\n/)
    expect(lines[0]).toMatch(/^dataset,variant,model,ratio,kappa,lambda,compressions,seed,fold,test_accuracy,.*val_macro_f1$/)
    // one row per dataset × variant × replicate: the n behind every mean
    expect(lines.length - 1).toBe(grid.matrix.flat().reduce((s, m) => s + (m?.n ?? 0), 0))
    const json = await saved(page, () => page.getByTestId('study-export-json').click())
    expect(json.name).toBe(`study-${grid.id}.json`)
    const parsed = JSON.parse(json.text) as StudyDetail
    expect([parsed.id, parsed.variants.length, parsed.tuned?.variants.length]).toEqual([grid.id, 11, 3])
    const svg = await saved(page, () => page.getByTestId('study-export-svg').click())
    expect(svg.name).toBe(`study-${grid.id}-cd.svg`)
    expect(svg.text).toMatch(/^<svg /)
    expect(svg.text).toContain('Dense MLP (')
    expect(h.problems).toEqual([])
  })

  it('reads in the dark theme too', async () => {
    const page = h.page
    await page.getByTestId('theme-dark').click()
    await expect.poll(async () => (await h.services.call('app.info', {})).settings.theme).toBe('dark')
    await page.waitForTimeout(600)
    await h.shot('studies-matrix-turned-dark')
    await tab('effects')
    await page.getByTestId('grid-effects').waitFor()
    // the tab bar's underline slides over
    await page.waitForTimeout(400)
    await h.shot('studies-grid-heatmap-dark')
    await tab('tuned')
    await page.getByTestId('study-tuned').waitFor()
    await page.waitForTimeout(300)
    await h.shot('studies-tuned-dark')
    await page.getByTestId('theme-light').click()
    await expect.poll(async () => (await h.services.call('app.info', {})).settings.theme).toBe('light')
    expect(h.problems).toEqual([])
  })
})
