/**
 * A repeated 3-fold × 2-seed run on wine, set up in the served UI's wizard and trained for real (tiny budgets): the
 * review counts 12 tasks, the Training view has a row per model × seed × fold and a fold filter, Compare says
 * "2 seeds × 3 folds (n = 6)", names the corrected resampled t-test and opens each fold's values, the export
 * popover offers the fold and closes on Escape, and the Runs list says "2 seeds × 3 folds", never "1 seed".
 * Screenshots at 1440×900 go to shots/renderer (SHOTS_DIR to change), for looking at by eye.
 */
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness.ts'
import { dismissToasts as dismissToastsOn } from './pageHelpers.ts'

const OUT = process.env.SHOTS_DIR ?? resolve('../shots/renderer')
let h: Harness

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true })
  h = await startHarness({ workers: 2 })
  await h.services.call('datasets.import', { path: resolve('resources/examples/wine.csv') })
  await h.page.getByTestId('backend').waitFor({ timeout: 30_000 })
}, 60_000)
afterAll(async () => {
  await h?.close()
})

const page = () => h.page
async function shot(name: string) {
  await page().waitForTimeout(400)
  await page().screenshot({ path: join(OUT, `${name}.png`) })
}
const dismissToasts = () => dismissToastsOn(page())
const num = (id: string) => page().getByTestId(id).locator('input')

describe('a repeated 3-fold × 2-seed run on wine', () => {
  it('the wizard turns k-fold on from its label, counts 12 tasks and starts the run', async () => {
    await page().getByRole('link', { name: 'New run', exact: true }).click()
    // Before any choice the hint is a hint, not an error.
    const blocker = page().getByTestId('wizard-blocker')
    await expect.poll(async () => blocker.textContent()).toBe('Choose a dataset first.')
    expect(await blocker.getAttribute('class')).not.toMatch(/error/)
    // The radio is announced by the dataset's name.
    await page().getByRole('radio', { name: /^wine/ }).waitFor({ state: 'attached' })
    await page().getByTestId('wizard-dataset').filter({ hasText: 'wine' }).click()
    await expect.poll(async () => page().getByTestId('wizard-dataset-name').textContent()).toContain('wine')
    await page().getByTestId('preset-quick').click()
    await page().getByTestId('wizard-next').click()

    // Target & split: clicking the "Repeated k-fold" label turns it on; the train/val/test shares give way.
    await page().getByTestId('split-train').waitFor()
    await page().getByTestId('field-split.kfold').first().getByTestId('label-toggle').click()
    await expect.poll(async () => page().getByTestId('kfold-switch').getAttribute('aria-checked')).toBe('true')
    expect(await page().getByTestId('split-train').count()).toBe(0)
    await num('split-kfold').fill('3')
    await num('split-kfold-val').click()
    const form = (await page().locator('.form').textContent()) ?? ''
    expect(form).toMatch(/Validation % of training folds/)
    expect(form).not.toMatch(/scored once at the end/)
    await page().getByTestId('wizard-next').click()

    // Models: IUNet and the dense MLP.
    for (const m of ['resnet', 'omp']) {
      if (/checked/.test((await page().getByTestId(`model-${m}`).getAttribute('class')) ?? '')) await page().getByTestId(`model-${m}`).click()
    }
    await page().getByTestId('wizard-next').click()

    // Settings: two seeds, tiny budgets.
    await num('set-seeds').fill('2')
    await num('set-epochs').fill('3')
    await num('set-finetune').fill('3')
    await num('set-width').fill('32')
    await num('set-depth').fill('1')
    await num('set-lr').click()
    expect(await page().getByTestId('budget-note').textContent()).toMatch(/3 \+ 3 = 6 epochs in one go: the same budget/)
    await expect.poll(async () => page().getByTestId('wizard-next').isDisabled()).toBe(false)
    await page().getByTestId('wizard-next').click()

    // Review: the contract's count, the replicates, an estimate that prices the folds.
    await expect
      .poll(async () => page().getByTestId('run-tasks').textContent(), { timeout: 10_000 })
      .toMatch(/12 training tasks \(2 models × 2 seeds × 3 folds\)/)
    expect(await page().getByTestId('review-replicates').textContent()).toBe('2 seeds × 3 folds')
    await expect.poll(async () => page().getByTestId('estimate').textContent(), { timeout: 10_000 }).toMatch(/≈/)
    expect(await page().getByTestId('review').textContent()).toMatch(/repeated 3-fold/)
    await shot('wizard-review-kfold')
    await page().getByTestId('wizard-start').click()
    await page().getByTestId('task-table').waitFor({ timeout: 10_000 })
    expect(h.problems).toEqual([])
  })

  it('the Training view has a row per model × seed × fold, a fold filter, and says "2 seeds × 3 folds"', async () => {
    const rows = page().getByTestId('task-row')
    await expect.poll(() => rows.count()).toBe(12)
    expect(await page().getByTestId('run-replicates').textContent()).toBe('2 seeds × 3 folds')
    const folds = await page().getByTestId('task-fold').allTextContents()
    expect(new Set(folds)).toEqual(new Set(['fold 1/3', 'fold 2/3', 'fold 3/3']))
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-task')))).toContain('mlp/1/2')
    await expect.poll(async () => page().getByTestId('run-status').textContent(), { timeout: 240_000, interval: 500 }).toBe('finished')
    // The fold filter narrows rows and curves to one fold, and back.
    await page().getByTestId('fold-1').click()
    await expect.poll(() => rows.count()).toBe(4)
    expect(new Set(await page().getByTestId('task-fold').allTextContents())).toEqual(new Set(['fold 2/3']))
    expect(await page().getByTestId('curves-mlp').textContent()).toMatch(/2 tasks, one line each/)
    await page().getByTestId('fold--1').click()
    await expect.poll(() => rows.count()).toBe(12)
    await page().getByTestId('curves-iunet').locator('canvas').first().waitFor({ timeout: 10_000 })
    await dismissToasts()
    await shot('training-kfold')
    expect(h.problems).toEqual([])
  }, 260_000)

  it('Compare says "2 seeds × 3 folds (n = 6)", names the corrected resampled t-test and opens each fold', async () => {
    await page().getByTestId('go-compare').click()
    const table = page().getByTestId('metrics-table')
    await expect.poll(() => page().getByTestId('metrics-row').count(), { timeout: 20_000 }).toBe(2)
    const caption = (await page().locator('#metrics-caption').textContent()) ?? ''
    expect(caption).toContain('mean ± std over 2 seeds × 3 folds (n = 6)')
    expect(await page().getByTestId('paired-test').textContent()).toBe('corrected resampled t-test')
    expect(await table.locator('thead').textContent()).not.toMatch(/Seeds/)
    const verdict = (await page().getByTestId('verdicts').textContent()) ?? ''
    expect(verdict).toMatch(/over 2 seeds × 3 folds \(n = 6\)/)
    expect(verdict).toContain('corrected resampled t-test')
    expect(verdict).not.toMatch(/seed-to-seed/)
    expect(await page().locator('body').textContent()).toMatch(/IUNet \(pruned\) 1\/8/)

    // Each replicate's values from the row's n; Escape closes and gives focus back.
    const n = page().getByTestId('replicates-button').first()
    expect(await n.textContent()).toBe('6')
    await n.click()
    const pop = page().getByTestId('replicates')
    await expect.poll(() => pop.locator('[data-test=replicate-row]').count()).toBe(6)
    expect(await pop.textContent()).toMatch(/fold 3\/3/)
    await expect.poll(() => page().evaluate(() => !!document.activeElement?.closest('[data-test=replicates]'))).toBe(true)
    await dismissToasts()
    await page()
      .locator('.content')
      .evaluate((e) => e.scrollTo(0, 0))
    await shot('compare-kfold-replicates')
    await page().keyboard.press('Escape')
    await expect.poll(() => pop.count()).toBe(0)
    expect(await page().evaluate(() => document.activeElement?.getAttribute('data-test'))).toBe('replicates-button')

    // The export popover takes focus, offers each seed × fold, and closes on Escape.
    await page().getByTestId('export-model').first().click()
    await page().getByTestId('export-replicate').waitFor()
    await expect.poll(() => page().evaluate(() => !!document.activeElement?.closest('.n-popover'))).toBe(true)
    expect(await page().getByTestId('export-replicate').textContent()).toMatch(/seed 0 · fold 1\/3/)
    await shot('compare-kfold-export')
    await page().keyboard.press('Escape')
    await expect.poll(() => page().getByTestId('export-replicate').count()).toBe(0)
    await page()
      .locator('.content')
      .evaluate((e) => e.scrollTo(0, 0))
    await shot('compare-kfold')

    // Each replicate's own learning curve (thin, one line per task) under the mean.
    await page().getByTestId('curves').scrollIntoViewIfNeeded()
    await page().getByTestId('curves-each').click()
    await expect.poll(async () => page().getByTestId('curves').textContent()).toMatch(/each replicate's own curve \(thin, one line per task\)/)
    await page().waitForTimeout(400)
    await shot('compare-kfold-curves-each')
    expect(h.problems).toEqual([])
  })

  it('the Runs list says "2 seeds × 3 folds"', async () => {
    await page().getByRole('link', { name: 'Runs', exact: true }).click()
    await page().getByTestId('run-row').first().waitFor({ timeout: 10_000 })
    expect(await page().getByTestId('run-replicates').first().textContent()).toBe('2 seeds × 3 folds · quick')
    expect(h.problems).toEqual([])
  })
})
