/**
 * The Studies screen in real Chromium against a real, tiny study over three bundled tabular examples (iris, wine,
 * penguins) × IUNet / dense MLP / OMP × 2 seeds: the dataset × variant matrix with the best per dataset, average
 * ranks, the tests against the dense MLP with verdicts, and the critical-difference diagram.
 */
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StudyDetail } from '../../main/contract/index.ts'
import { startHarness, type Harness } from './harness.ts'

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
    const matrix = page.getByTestId('study-matrix')
    await matrix.waitFor()
    for (const name of ['iris', 'wine', 'penguins']) await expect(matrix.getByRole('rowheader', { name, exact: true }).count()).resolves.toBe(1)
    for (const v of detail.variants) await expect(matrix.getByRole('columnheader', { name: v.label }).count()).resolves.toBe(1)
    // one best cell (or tied bests) per dataset row, never compared across rows
    await expect(matrix.locator('tbody tr').count()).resolves.toBe(3)
    for (let i = 0; i < 3; i++) await expect(matrix.locator(`tbody tr:nth-child(${i + 1}) td.best`).count()).resolves.toBe(detail.best[i]!.length)
    await expect(page.getByTestId('study-ranks').textContent()).resolves.toContain(detail.ranks!.average[0]!.toFixed(2))
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
