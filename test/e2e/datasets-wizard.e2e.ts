/**
 * Datasets screen, new-run wizard and live training view in real Chromium against the real services:
 * a CSV dropped as a real File, another picked with the hidden file input, a conflict, an error in place, a schema
 * edit, an image example, deletion; then a quick two-model, one-seed run on iris through the wizard, watched to the end.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness.ts'

const EXAMPLES = resolve('resources/examples')
let h: Harness

beforeAll(async () => {
  h = await startHarness({ workers: 2 })
  await h.page.getByTestId('backend').waitFor({ timeout: 30_000 })
})
afterAll(async () => {
  await h?.close()
})

/** Drops a file built in the page from `text` on the drop zone, with a real DataTransfer and drop event. */
async function dropCsv(name: string, text: string, on = 'drop-zone') {
  await h.page.getByTestId(on).evaluate(
    (zone, { name, text }) => {
      const dt = new DataTransfer()
      dt.items.add(new File([text], name, { type: 'text/csv' }))
      for (const type of ['dragenter', 'dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }))
    },
    { name, text }
  )
}
const title = () => h.page.getByTestId('dataset-title')
/** Screenshot after naive-ui's transitions settle. */
async function shot(name: string) {
  await h.page.waitForTimeout(350)
  await h.shot(name)
}

describe('datasets screen', () => {
  it('imports a dropped CSV and shows schema, class balance and histograms', async () => {
    await h.page.getByRole('link', { name: 'Datasets', exact: true }).click()
    await h.page.getByTestId('datasets-empty').waitFor()
    await shot('datasets-empty')
    await dropCsv('iris.csv', readFileSync(`${EXAMPLES}/iris.csv`, 'utf8'))
    await expect.poll(async () => title().textContent(), { timeout: 20_000 }).toBe('iris')
    expect(await h.page.getByTestId('dataset-target').textContent()).toBe('species')
    await h.page.getByTestId('class-balance').locator('canvas').first().waitFor()
    expect(await h.page.getByTestId('schema-table').locator('tbody tr').count()).toBe(5)
    await shot('datasets-iris-schema')
    await h.page.locator('.n-tabs-tab', { hasText: 'Histograms' }).click()
    await h.page.getByTestId('histograms').locator('canvas').first().waitFor()
    expect(await h.page.getByTestId('histograms').locator('figure').count()).toBe(4)
    await shot('datasets-iris-histograms')
    await h.page.locator('.n-tabs-tab', { hasText: 'Rows' }).click()
    await h.page.getByTestId('preview-table').locator('tbody tr').first().waitFor()
    await shot('datasets-iris-rows')
    // The tabs from the keyboard: Tab reaches the next tab, Enter opens it.
    await h.page.getByTestId('tab-schema').focus()
    await h.page.keyboard.press('Tab')
    expect(await h.page.evaluate(() => document.activeElement?.getAttribute('data-test'))).toBe('tab-histograms')
    await h.page.keyboard.press('Enter')
    await h.page.getByTestId('histograms').locator('canvas').first().waitFor()
    expect(await h.page.getByTestId('tab-histograms').getAttribute('aria-selected')).toBe('true')
    expect(h.problems).toEqual([])
  })

  it('selects the existing dataset when the same file is dropped again (anywhere on the screen)', async () => {
    await dropCsv('iris.csv', readFileSync(`${EXAMPLES}/iris.csv`, 'utf8'), 'dataset-detail')
    await h.page.getByTestId('import-notice').waitFor({ timeout: 20_000 })
    expect(await h.page.getByTestId('import-notice').textContent()).toMatch(/already imported/)
    expect(await h.page.getByTestId('dataset-item').count()).toBe(1)
    expect(await title().textContent()).toBe('iris')
  })

  it('uploads a file bigger than one chunk (browser mode) and imports it intact', async () => {
    // ~10 MB: two 8 MB upload chunks; every row must arrive.
    const rows = 260_000
    const lines = ['x1,x2,x3,label']
    for (let i = 0; i < rows; i++) lines.push(`${(i % 97) / 7},${(i % 89) / 3},${(i * 7919) % 1000},${i % 3 === 0 ? 'yes' : 'no'}`)
    const buffer = Buffer.from(lines.join('\n') + '\n')
    expect(buffer.length).toBeGreaterThan(8 * 1024 * 1024)
    await h.page.getByTestId('file-input').setInputFiles({ name: 'big-upload.csv', mimeType: 'text/csv', buffer })
    await expect.poll(async () => title().textContent(), { timeout: 60_000 }).toBe('big-upload')
    const d = (await h.services.call('datasets.list', {})).find((x) => x.name === 'big-upload')
    expect(d?.rows).toBe(rows)
    await h.services.call('datasets.delete', { id: d!.id })
  })

  it('imports a file chosen with the file picker and saves a new target', async () => {
    await h.page.getByTestId('file-input').setInputFiles(`${EXAMPLES}/penguins.csv`)
    await expect.poll(async () => title().textContent(), { timeout: 20_000 }).toBe('penguins')
    expect(await h.page.getByTestId('dataset-target').textContent()).toBe('species')
    await h.page.getByTestId('dataset-warnings').or(h.page.getByTestId('schema-table')).first().waitFor()
    // Make "island" the target: the schema, the target shown and the class balance follow once saved.
    await h.page.getByTestId('target-island').click()
    await h.page.getByTestId('schema-save').click()
    await expect.poll(async () => h.page.getByTestId('dataset-target').textContent(), { timeout: 10_000 }).toBe('island')
    expect(await h.page.getByTestId('role-island').textContent()).toBe('target')
    expect(await h.page.getByTestId('class-balance').textContent()).toContain('island')
    const stored = await h.services.call('datasets.list', {})
    expect(stored.find((d) => d.name === 'penguins')?.target).toBe('island')
    await shot('datasets-penguins-target')
    expect(h.problems).toEqual([])
  })

  it('shows import errors in place with a fix to try', async () => {
    await h.page.getByTestId('import-path').fill('/no/such/folder/data.csv')
    await h.page.getByTestId('import-path-go').click()
    await h.page.getByTestId('import-error').waitFor({ timeout: 10_000 })
    expect(await h.page.getByTestId('import-error').textContent()).toMatch(/Try:/)
    await shot('datasets-import-error')
    // A malformed CSV (a header and nothing else) is refused with what is wrong.
    await dropCsv('header-only.csv', 'a,b,label\n')
    await expect.poll(async () => h.page.getByTestId('error-message').textContent(), { timeout: 10_000 }).not.toContain('/no/such/folder')
    expect(await h.page.getByTestId('error-message').textContent()).toContain('"header-only.csv"')
    expect(await h.page.getByTestId('import-error').textContent()).toMatch(/Try:.*header row/)
    await shot('datasets-invalid-csv')
    // One column (a list of words, not a table): the hint is about the file, never about editing a dataset that was not imported.
    await dropCsv('words.csv', 'word\nalpha\nbeta\ngamma\n')
    await expect.poll(async () => h.page.getByTestId('error-message').textContent(), { timeout: 10_000 }).toMatch(/Only one column/)
    const hint = (await h.page.getByTestId('import-error').textContent()) ?? ''
    expect(hint).toMatch(/Try:.*is a table/)
    expect(hint).not.toMatch(/save again|change the target/)
    // Prose saved as .csv: the error is about the file (not its line 2), and so is the hint.
    await dropCsv(
      'notes.csv',
      'Meeting notes, Tuesday\nWe looked at the wine data, the iris data, and the penguins.\nNext: try k-fold.\nAsk Sam about the GPU box, the Slurm queue and the budget.\n'
    )
    await expect.poll(async () => h.page.getByTestId('error-message').textContent(), { timeout: 10_000 }).toMatch(/does not look like a table/)
    expect(await h.page.getByTestId('import-error').textContent()).toMatch(/Try:.*is a table/)
  })

  it('imports an image example and draws its samples; deletes a dataset after confirmation', async () => {
    await h.page.getByTestId('example-digits_8x8.csv').click()
    await expect.poll(async () => title().textContent(), { timeout: 30_000 }).toBe('Digits 8×8')
    await h.page.getByTestId('image-samples').locator('canvas').first().waitFor()
    expect(await h.page.getByTestId('image-samples').locator('canvas').count()).toBeGreaterThan(4)
    await shot('datasets-digits')
    // The wizard on image data: CNN allowed, and a preview of the ILO augmentations drawn on canvas.
    await h.page.getByTestId('new-run-here').click()
    await h.page.getByTestId('split-train').waitFor()
    await h.page.getByTestId('wizard-next').click()
    expect(await h.page.getByTestId('model-cnn').getAttribute('class')).not.toMatch(/disabled/)
    await h.page.getByTestId('wizard-next').click()
    await h.page.getByTestId('augment-preview').locator('canvas').nth(5).waitFor({ timeout: 15_000 })
    await h.page.getByTestId('augment-preview').scrollIntoViewIfNeeded()
    await shot('wizard-augment-preview')
    await h.page.getByRole('link', { name: 'Datasets', exact: true }).click()
    await expect.poll(async () => title().textContent()).toBe('Digits 8×8')
    await h.page.getByTestId('delete-dataset').click()
    await h.page.locator('.n-popconfirm').getByRole('button', { name: 'Delete' }).click()
    await expect.poll(async () => h.page.getByTestId('dataset-item').count(), { timeout: 10_000 }).toBe(2)
    expect((await h.services.call('datasets.list', {})).map((d) => d.name).sort()).toEqual(['iris', 'penguins'])
    expect(h.problems.filter((p) => !/status of 4\d\d/.test(p))).toEqual([])
  })
})

describe('new-run wizard and live training', () => {
  it('runs the quick preset on iris with two models and one seed, to a finished run and a notification', async () => {
    // From the menu: the deleted digits dataset is forgotten; pick iris and the quick preset.
    await h.page.getByRole('link', { name: 'New run', exact: true }).click()
    await h.page.getByTestId('wizard-dataset').filter({ hasText: 'iris' }).click()
    await expect.poll(async () => h.page.getByTestId('wizard-dataset-name').textContent()).toContain('iris')
    await h.page.getByTestId('preset-quick').click()
    expect(await h.page.getByTestId('wizard-dataset').count()).toBe(2)
    await shot('wizard-dataset')
    await h.page.getByTestId('wizard-next').click()
    await h.page.getByTestId('split-train').waitFor()
    await shot('wizard-target-split')
    await h.page.getByTestId('wizard-next').click()

    // Models: CNN is prevented on tabular data, with the reason.
    const cnn = h.page.getByTestId('model-cnn')
    expect(await cnn.getAttribute('class')).toMatch(/disabled/)
    expect(await h.page.getByTestId('model-cnn-why').textContent()).toMatch(/image/)
    for (const m of ['resnet', 'omp']) {
      if (/checked/.test((await h.page.getByTestId(`model-${m}`).getAttribute('class')) ?? '')) await h.page.getByTestId(`model-${m}`).click()
    }
    await shot('wizard-models')
    await h.page.getByTestId('wizard-next').click()

    // Settings: one seed and short budgets; an invalid value blocks the wizard until fixed.
    const num = (id: string) => h.page.getByTestId(id).locator('input')
    await num('set-seeds').fill('1')
    await num('set-epochs').fill('')
    await expect.poll(async () => h.page.getByTestId('wizard-next').isDisabled()).toBe(true)
    await expect.poll(async () => h.page.getByTestId('field-epochs').textContent(), { timeout: 5000 }).toMatch(/required/)
    // Out of range: the value stays as typed (no silent -5 → 1, 1e9 → 8192) and the field names the bound.
    await num('set-epochs').fill('-5')
    await num('set-width').fill('1000000000')
    await num('set-seeds').click()
    await expect.poll(async () => h.page.getByTestId('field-epochs').textContent(), { timeout: 5000 }).toMatch(/must be at least 1/)
    expect(await num('set-epochs').inputValue()).toBe('-5')
    await expect.poll(async () => h.page.getByTestId('field-width').textContent(), { timeout: 5000 }).toMatch(/must be at most 8192/)
    expect(await num('set-width').inputValue()).toBe('1000000000')
    await expect.poll(async () => h.page.getByTestId('wizard-blocker').textContent()).toMatch(/Epochs must be at least 1\. Width must be at most 8192\./)
    await shot('wizard-settings-out-of-range')
    await num('set-width').fill('256')
    await num('set-epochs').fill('6')
    await num('set-finetune').fill('4')
    await num('set-width').click()
    await expect.poll(async () => h.page.getByTestId('wizard-next').isDisabled()).toBe(false)
    await shot('wizard-settings')
    await h.page.getByTestId('wizard-next').click()

    // Review: estimate, then start.
    await expect.poll(async () => h.page.getByTestId('estimate').textContent(), { timeout: 10_000 }).toMatch(/≈/)
    expect(await h.page.getByTestId('review').textContent()).toMatch(/IUNet \(pruned\).*Dense MLP/)
    // The step headers work from the keyboard: back to Settings and on again.
    await h.page.getByTestId('step-3').focus()
    await h.page.keyboard.press('Enter')
    await h.page.getByTestId('set-epochs').waitFor({ timeout: 5_000 })
    await h.page.getByTestId('step-4').focus()
    await h.page.keyboard.press('Enter')
    await h.page.getByTestId('review').waitFor({ timeout: 5_000 })
    await shot('wizard-review')
    await h.page.getByTestId('wizard-start').click()

    // Live training view: progress to the end, then a notification with a way to Compare.
    await h.page.getByTestId('task-table').waitFor({ timeout: 10_000 })
    expect(await h.page.getByTestId('task-table').locator('tbody tr').count()).toBe(2)
    await h.page.getByTestId('curves-iunet').locator('canvas').first().waitFor({ timeout: 60_000 })
    await shot('training-live')
    await expect.poll(async () => h.page.getByTestId('run-status').textContent(), { timeout: 120_000, interval: 500 }).toBe('finished')
    await h.page.getByTestId('run-notification').waitFor({ timeout: 10_000 })
    expect(await h.page.getByTestId('run-notification').getAttribute('data-status')).toBe('finished')
    expect(await h.page.getByTestId('run-percent').textContent()).toBe('100 %')
    const task = (key: string, cell: string) => h.page.locator(`[data-test=task-row][data-task="${key}"] [data-test=${cell}]`)
    expect(await task('iunet/0', 'task-phase').textContent()).toBe('done')
    await expect.poll(async () => task('mlp/0', 'task-test-acc').textContent()).toMatch(/\d+\.\d %/)
    // One seed, no folds: the header says so, and the task table has no fold column.
    expect(await h.page.getByTestId('run-replicates').textContent()).toBe('1 seed')
    expect(await h.page.getByTestId('task-fold').count()).toBe(0)
    await shot('training-finished')

    // A reload shows the same history (from runs.get + runs.metrics).
    await h.page.reload()
    await h.page.getByTestId('curves-mlp').locator('canvas').first().waitFor({ timeout: 20_000 })
    expect(await h.page.getByTestId('run-status').textContent()).toBe('finished')
    // Dark theme (settings.theme = auto follows the OS): the same screens stay readable.
    await h.page.emulateMedia({ colorScheme: 'dark' })
    await shot('dark-training-finished')
    await h.page.getByRole('link', { name: 'Datasets', exact: true }).click()
    await h.page.getByTestId('class-balance').locator('canvas').first().waitFor()
    await shot('dark-datasets')
    await h.page.getByTestId('new-run-here').click()
    await h.page.getByTestId('wizard-next').click()
    await h.page.getByTestId('wizard-next').click()
    await shot('dark-wizard-settings')
    await h.page.emulateMedia({ colorScheme: 'light' })
    const [run] = await h.services.call('runs.list', {})
    await h.page.evaluate((id) => (location.hash = `#/training/${id}`), run!.id)
    await h.page.getByTestId('go-compare').click()
    await expect.poll(() => h.page.evaluate(() => location.hash)).toMatch(/^#\/compare\//)
    expect(h.problems.filter((p) => !/status of 4\d\d/.test(p))).toEqual([])
  })

  it('cancels a running run from the training view', async () => {
    const [iris] = (await h.services.call('datasets.list', {})).filter((d) => d.name === 'iris')
    const config = await h.services.call('runs.defaults', { datasetId: iris!.id, preset: 'quick' })
    const run = await h.services.call('runs.start', { ...config, models: ['iunet'], seeds: 1, epochs: 2000, finetuneEpochs: 1, name: 'long run to cancel' })
    await h.page.evaluate((id) => (location.hash = `#/training/${id}`), run.id)
    await expect.poll(async () => h.page.getByTestId('run-status').textContent(), { timeout: 20_000 }).toBe('running')
    await h.page.getByTestId('curves-iunet').locator('canvas').first().waitFor({ timeout: 30_000 })
    await h.page.getByTestId('cancel-run').click()
    await h.page.locator('.n-popconfirm').getByRole('button', { name: 'Cancel run' }).click()
    await expect.poll(async () => h.page.getByTestId('run-status').textContent(), { timeout: 20_000 }).toBe('cancelled')
    await h.page.locator('[data-test=run-notification][data-status=cancelled]').waitFor({ timeout: 10_000 })
    await shot('training-cancelled')
    expect(h.problems.filter((p) => !/status of 4\d\d/.test(p))).toEqual([])
  })
})
