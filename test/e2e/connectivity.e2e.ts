/**
 * Compare on a real pruned tabular run (penguins: one-hot island and sex; IUNet, dense MLP, OMP and no-PIS, 2 seeds,
 * a few epochs, trained here): the connectivity view against the stored masks and locality, the one-feature-units
 * column, the paired test's p-value and the per-replicate export; then the dataset facts of a CIFAR-format folder
 * and of a dropped .arff.gz (format, published split, normalisation, name), on the Datasets screen and in the wizard.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  DATA_FORMAT_LABELS,
  IMPORT_FORMATS,
  describeComparison,
  percent,
  publishedSplitText,
  type FirstLayerArtifact,
  type RunDetail
} from '../../main/contract/index.ts'
import { cifar10Folder } from '../unit/data/formatFixtures.ts'
import { startHarness, type Harness } from './harness.ts'
import { dismissToasts, saved } from './pageHelpers.ts'

let h: Harness
let run: RunDetail
let artifacts: FirstLayerArtifact[]
const tmp = mkdtempSync(join(tmpdir(), 'iunet-e2e-conn-'))

beforeAll(async () => {
  h = await startHarness()
  const d = await h.services.call('datasets.import', { path: resolve('resources/examples/penguins.csv') })
  const r = await h.services.runs.start({
    ...h.services.runs.defaults(d.id, 'quick'),
    name: 'penguins connectivity',
    models: ['iunet', 'mlp', 'omp', 'no-pis'],
    seeds: 2,
    epochs: 4,
    finetuneEpochs: 3
  })
  await r.finished
  run = h.services.runs.get(r.summary.id)
  expect(run.status, run.error ?? '').toBe('finished')
  artifacts = await h.services.call('runs.artifacts', { id: run.id })
}, 240_000)

afterAll(async () => {
  await h?.close()
  rmSync(tmp, { recursive: true, force: true })
})

const page = () => h.page
const resultOf = (model: string, seed: number) => run.results.find((r) => r.model === model && r.seed === seed)!

/** Distinct features each of the first `n` units of a units × inputs mask reads: counted here, not by the app's helper. */
function distinctFeatures(a: FirstLayerArtifact, n: number): number[] {
  return Array.from(
    { length: n },
    (_, u) => a.features!.groups.filter(([o, w]) => a.mask.slice(u * a.inputs + o, u * a.inputs + o + w).some((x) => x > 0)).length
  )
}

/** The n column of a block's matrix, as drawn. */
const counts = async (block: ReturnType<Harness['page']['locator']>) => (await block.locator('text.count').allTextContents()).map((t) => t.trim())

describe('tabular connectivity in Compare', () => {
  it('shows the one-feature column and the paired test with its p-value', async () => {
    await page().evaluate((id) => (location.hash = `#/compare/${id}`), run.id)
    const rows = page().getByTestId('metrics-row')
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(4)
    const iunet = page().locator('[data-test="metrics-row"][data-model="iunet"] td[data-col="singleFeatureShare"]')
    const agg = run.aggregates.find((a) => a.model === 'iunet')!
    expect(await iunet.textContent()).toContain(`${(100 * agg.singleFeatureShare!.mean).toFixed(1)} ± ${(100 * agg.singleFeatureShare!.std).toFixed(1)} %`)
    expect(await page().locator('[data-test="metrics-row"][data-model="mlp"] td[data-col="singleFeatureShare"]').textContent()).toContain('0.0 ± 0.0 %')

    const c = run.comparisons.find((x) => x.model === 'iunet')!
    expect(c.test).toBe('paired-t')
    expect(await page().getByTestId('paired-test').textContent()).toBe('paired t-test')
    expect(await page().getByTestId('paired-p').textContent()).toMatch(
      /^IUNet \(pruned\) 1\/8 vs Dense MLP: (p = \d\.\d{4}|p = \d\.\de-\d+|identical on every pair)$/
    )
    expect(await page().getByTestId('paired-result').textContent()).toBe(describeComparison(c))
    await dismissToasts(page())
    await page().getByTestId('metrics-table').scrollIntoViewIfNeeded()
    await h.shot('conn-compare-table')
    expect(h.problems).toEqual([])
  })

  it('draws IUNet, OMP and no-PIS side by side: the stored mask grouped by feature, every unit in the histogram', async () => {
    const view = page().getByTestId('connectivity')
    await view.waitFor({ timeout: 10_000 })
    const blocks = view.getByTestId('connectivity-block')
    expect(await blocks.evaluateAll((els) => els.map((e) => e.getAttribute('data-model')))).toEqual(['iunet', 'omp', 'no-pis'])
    const features = artifacts[0]!.features!.names.length
    expect(features).toBe(6) // island (one-hot), four measurements, sex (one-hot)

    for (const model of ['iunet', 'omp', 'no-pis']) {
      const block = view.locator(`[data-test="connectivity-block"][data-model="${model}"]`)
      const res = resultOf(model, 0)
      expect(await block.getByTestId('connectivity-figure').textContent()).toContain(
        `${percent(res.locality!.singleFeatureShare)} of ${res.locality!.units} units`
      )
      // 16 units drawn by default, one cell per feature; n per unit as counted here from the stored mask.
      expect(await block.locator('rect.cell').count()).toBe(16 * features)
      const art = artifacts.find((a) => a.model === model && a.seed === 0)!
      expect(await counts(block)).toEqual(distinctFeatures(art, 16).map(String))
      const hist = (await block.getByTestId('connectivity-histogram').getAttribute('aria-label')) ?? ''
      expect(hist).toContain(res.locality!.histogram.map((count, f) => `${count} units read ${f}`).join(', '))
    }
    const reading = (await view.getByTestId('connectivity-reading').textContent()) ?? ''
    expect(reading).toMatch(/IUNet \(pruned\) 1\/8: units read \d\.\d of 6 features on average/)
    expect(reading).toMatch(/(More local than|About as local as|NOT more local)/)
    expect(reading).toContain('a dense layer reads all 6')
    expect(await view.getByTestId('connectivity-replicates').locator('tbody tr').count()).toBe(3)

    await dismissToasts(page())
    await view.evaluate((e) => e.closest('.n-card')!.scrollIntoView({ block: 'start' }))
    await page().waitForTimeout(400)
    await h.shot('conn-view-seed0')

    // Seed 1: the figures follow the replicate.
    await view.getByTestId('connectivity-replicate').click()
    await page().locator('.n-base-select-option', { hasText: 'seed 1' }).click()
    const iu1 = resultOf('iunet', 1).locality!
    await expect
      .poll(() => view.locator('[data-test="connectivity-block"][data-model="iunet"] [data-test="connectivity-figure"]').textContent())
      .toContain(`${percent(iu1.singleFeatureShare)} of ${iu1.units} units`)
    const b = view.locator('[data-test="connectivity-block"][data-model="iunet"]')
    expect(await counts(b)).toEqual(
      distinctFeatures(
        artifacts.find((a) => a.model === 'iunet' && a.seed === 1)!,
        16
      ).map(String)
    )
    expect(h.problems).toEqual([])
  })

  it('exports validation scores and the locality figure per replicate, and the readings in the report', async () => {
    const report = await saved(page(), () => page().getByTestId('export-html').click())
    const reading = ((await page().getByTestId('connectivity-reading').textContent()) ?? '').trim()
    expect(report.text).toContain('<h2>First-layer connectivity (tabular features)</h2>')
    expect(report.text).toContain(reading.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'))

    const { text } = await saved(page(), () => page().getByTestId('export-raw-csv').click())
    const [head, ...lines] = text.trim().split('\r\n')
    const cols = head!.split(',')
    for (const c of ['validationAccuracy', 'validationBalancedAccuracy', 'validationMacroF1', 'singleFeatureShare', 'meanFeatures', 'localityHistogram'])
      expect(cols).toContain(c)
    const row = lines.map((l) => l.split(',')).find((r) => r[cols.indexOf('model')] === 'iunet' && r[cols.indexOf('seed')] === '0')!
    const res = resultOf('iunet', 0)
    expect(Number(row[cols.indexOf('singleFeatureShare')])).toBe(res.locality!.singleFeatureShare)
    expect(row[cols.indexOf('localityHistogram')]).toBe(res.locality!.histogram.join(' '))
    expect(Number(row[cols.indexOf('validationAccuracy')])).toBe(res.validation!.accuracy)
  })
})

describe('dataset facts', () => {
  it('a CIFAR-10 folder: format, the published split kept and the image normalisation, on the dataset and in the wizard', async () => {
    // All five training batches of 8 records and a test batch of 8: the published split is 40 / 8.
    const dir = await cifar10Folder(join(tmp, 'cifar-10-batches-bin'), { batches: 5, perBatch: 8 })
    await page().getByRole('link', { name: 'Datasets', exact: true }).click()
    expect(await page().getByTestId('import-formats').textContent()).toBe(IMPORT_FORMATS)
    await page().getByTestId('import-path').fill(dir)
    await page().getByTestId('import-path-go').click()
    await expect.poll(() => page().getByTestId('dataset-title').textContent(), { timeout: 30_000 }).toBe('cifar-10-batches-bin')
    const facts = page().getByTestId('dataset-detail').getByTestId('dataset-facts')
    expect(await facts.getByTestId('dataset-format').textContent()).toContain(DATA_FORMAT_LABELS['cifar-10'])
    expect(await facts.getByTestId('dataset-split').textContent()).toBe(publishedSplitText({ train: 40, test: 8 }))
    expect(await facts.getByTestId('dataset-normalization').textContent()).toMatch(
      /^image normalisation: per-channel standardisation with the training rows' mean and std \(mean R \d\.\d{3}, G \d\.\d{3}, B \d\.\d{3}; std R/
    )
    await page().getByTestId('image-samples').locator('canvas').first().waitFor()
    await dismissToasts(page())
    await h.shot('conn-dataset-cifar')

    await page().getByRole('link', { name: 'New run', exact: true }).click()
    await page().getByTestId('wizard-dataset').filter({ hasText: 'cifar-10-batches-bin' }).click()
    const step = page().getByTestId('dataset-facts')
    await expect.poll(() => step.getByTestId('dataset-split').textContent(), { timeout: 10_000 }).toBe(publishedSplitText({ train: 40, test: 8 }))
    await page().waitForTimeout(400)
    await h.shot('conn-wizard-cifar')
    expect(h.problems).toEqual([])
  })

  it('a dropped x.arff.gz is named x and says ARFF, no published split, no normalisation', async () => {
    const arff =
      '@relation w\n@attribute t numeric\n@attribute sky {sun,rain}\n@data\n' +
      Array.from({ length: 30 }, (_, i) => `${(i % 7) * 1.5},${i % 3 ? 'sun' : 'rain'}`).join('\n') +
      '\n'
    const b64 = gzipSync(Buffer.from(arff)).toString('base64')
    await page().getByRole('link', { name: 'Datasets', exact: true }).click()
    await page()
      .getByTestId('drop-zone')
      .evaluate((zone, b64) => {
        const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0))
        const dt = new DataTransfer()
        dt.items.add(new File([bytes], 'weather.arff.gz', { type: 'application/gzip' }))
        for (const type of ['dragenter', 'dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }))
      }, b64)
    await page().getByTestId('dataset-title').filter({ hasText: 'weather' }).or(page().getByTestId('import-error')).first().waitFor({ timeout: 20_000 })
    const err = page().getByTestId('import-error')
    if (await err.count()) throw new Error(`import failed: ${await err.textContent()}`)
    expect(await page().getByTestId('dataset-title').textContent()).toBe('weather')
    const facts = page().getByTestId('dataset-detail').getByTestId('dataset-facts')
    expect(await facts.getByTestId('dataset-format').textContent()).toContain('ARFF')
    expect(await facts.getByTestId('dataset-split').count()).toBe(0)
    expect(await facts.getByTestId('dataset-normalization').count()).toBe(0)
    expect(h.problems).toEqual([])
  })
})
