/**
 * A study started from the New-run wizard in real Chromium: two bundled tabular examples (iris, wine) picked with
 * "Several datasets", two κ values typed as a sweep, the cells summary and the estimate over the cells on the
 * review step, Start → the Studies screen on the new study, trained to the end (tiny settings).
 */
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness.ts'

let h: Harness

beforeAll(async () => {
  h = await startHarness({ workers: 2 })
  for (const n of ['iris', 'wine', 'penguins']) await h.services.call('datasets.import', { path: resolve(`resources/examples/${n}.csv`) })
  await h.page.getByTestId('backend').waitFor({ timeout: 30_000 })
}, 60_000)
afterAll(async () => {
  await h?.close()
})

/** Screenshot after naive-ui's transitions settle. */
async function shot(name: string) {
  await h.page.waitForTimeout(350)
  await h.shot(name)
}

describe('study from the wizard', () => {
  it('picks two datasets and two κ values, starts the study and shows it on the Studies screen', async () => {
    const page = h.page
    await page.getByRole('link', { name: 'New run', exact: true }).click()
    const card = (name: string) => page.locator(`[data-test=wizard-dataset][data-name="${name}"]`)
    await card('iris').waitFor()
    await page.getByTestId('wizard-multi').click()
    await card('iris').click()
    await expect.poll(async () => page.getByTestId('wizard-dataset-name').textContent()).toContain('iris')
    await card('wine').click()
    await expect.poll(async () => card('wine').getAttribute('aria-checked')).toBe('true')
    expect(await card('penguins').getAttribute('aria-checked')).toBe('false')
    await page.getByTestId('preset-quick').click()
    await expect.poll(async () => page.getByTestId('wizard-dataset-name').textContent()).toContain('iris, wine')
    await expect.poll(async () => page.getByTestId('study-badge').textContent()).toContain('2 datasets × 1 grid point → 2 cells')
    await shot('study-wizard-datasets')

    // Target & split: several datasets keep their own targets.
    await page.getByTestId('wizard-next').click()
    await page.getByTestId('split-train').waitFor()
    expect(await page.getByTestId('field-target').textContent()).toMatch(/each one keeps its stored target/)
    await page.getByTestId('wizard-next').click()

    // Models: IUNet and the dense MLP only.
    for (const m of ['resnet', 'omp']) {
      if (/checked/.test((await page.getByTestId(`model-${m}`).getAttribute('class')) ?? '')) await page.getByTestId(`model-${m}`).click()
    }
    await page.getByTestId('wizard-next').click()

    // Settings: tiny budgets, and κ swept over two values (a bad value blocks Next until fixed).
    const num = (id: string) => page.getByTestId(id).locator('input')
    await num('set-seeds').fill('1')
    await num('set-epochs').fill('2')
    await num('set-finetune').fill('2')
    await num('set-width').fill('16')
    await num('set-depth').fill('1')
    await num('set-lr').click()
    await page.getByTestId('sweep-toggle-kappa').click()
    const kappas = page.getByTestId('sweep-kappa').locator('input')
    await kappas.fill('0.0625, 2')
    await expect.poll(async () => page.getByTestId('field-kappa').textContent()).toMatch(/2: must be at most 1/)
    await expect.poll(async () => page.getByTestId('wizard-next').isDisabled()).toBe(true)
    await kappas.fill('0.0625, 0.5')
    await expect.poll(async () => page.getByTestId('wizard-next').isDisabled()).toBe(false)
    // The dense MLP trains once per dataset (κ does not change it): 2 × (2 IUNet + 1 MLP) = 6 tasks, as the services plan it.
    await expect
      .poll(async () => page.getByTestId('study-plan').textContent())
      .toMatch(/2 datasets × 2 grid points → 4 cells, each\s*2 models × 1 seed: 6 training tasks in all\..*Dense MLP trains once per dataset/)
    await page.getByTestId('study-plan').scrollIntoViewIfNeeded()
    await shot('study-wizard-settings')
    await page.getByTestId('wizard-next').click()

    // Review: the cells and the estimate over them.
    await expect.poll(async () => page.getByTestId('study-summary').textContent()).toMatch(/2 datasets × 2 grid points →\s*4 cells/)
    expect(await page.getByTestId('study-tasks').textContent()).toBe('6 training tasks')
    // The services' estimate plans the same tasks.
    await expect.poll(async () => page.getByTestId('study-estimate').textContent(), { timeout: 10_000 }).toMatch(/per cell × 4 cells,\s*6 training tasks/)
    expect(await page.getByTestId('review-grid').textContent()).toBe('κ ∈ {0.0625, 0.5}')
    expect(await page.getByTestId('wizard-start').textContent()).toContain('Start study')
    await page.getByTestId('study-name').locator('input').fill('κ on iris and wine')
    await shot('study-wizard-review')
    await page.emulateMedia({ colorScheme: 'dark' })
    await shot('dark-study-wizard-review')
    await page.emulateMedia({ colorScheme: 'light' })
    await page.getByTestId('wizard-start').click()

    // The Studies screen, on the new study, until every cell has trained.
    await expect.poll(() => page.evaluate(() => location.hash), { timeout: 10_000 }).toMatch(/^#\/studies\/[0-9a-f]{16}$/)
    const [study] = await h.services.call('studies.list', {})
    expect(study).toMatchObject({ name: 'κ on iris and wine', cells: 4, datasets: 2 })
    const tag = page.getByTestId(`study-${study!.id}`)
    await expect.poll(async () => tag.textContent(), { timeout: 150_000, interval: 500 }).toContain('4/4 cells')
    const matrix = page.getByTestId('study-matrix')
    for (const name of ['iris', 'wine']) await expect(matrix.getByRole('rowheader', { name, exact: true }).count()).resolves.toBe(1)
    const detail = await h.services.call('studies.get', { id: study!.id })
    // IUNet at each κ, and the dense MLP once (κ does not change it): 3 variants × 2 datasets, all filled
    expect(detail.variants).toHaveLength(3)
    await expect.poll(async () => matrix.locator('tbody td').filter({ hasText: '%' }).count()).toBe(6)
    expect(detail.spec).toMatchObject({
      models: ['iunet', 'mlp'],
      seeds: 1,
      grid: { kappa: [0.0625, 0.5] },
      settings: { epochs: 2, finetuneEpochs: 2, width: 16, depth: 1 }
    })
    expect(detail.cellList.map((c) => c.status)).toEqual(['finished', 'finished', 'finished', 'finished'])
    // the cells' "Run finished" notifications would cover the page
    for (let round = 0; round < 3 && (await page.locator('.n-notification').count()) > 0; round++) {
      for (const b of await page.locator('.n-notification .n-base-close').all()) await b.click({ timeout: 1000 }).catch(() => undefined)
      await page.waitForTimeout(400)
    }
    await shot('study-wizard-studies')
    await page.emulateMedia({ colorScheme: 'dark' })
    await shot('dark-study-wizard-studies')
    await page.emulateMedia({ colorScheme: 'light' })
    expect(h.problems).toEqual([])
  }, 240_000)
})
