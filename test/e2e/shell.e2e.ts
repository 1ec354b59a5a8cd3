import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness.ts'

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
      await h.page.getByRole('menuitem', { name: label }).click()
      await h.page.getByTestId(empty).waitFor({ timeout: 10_000 })
      await h.shot(`shell-${label.toLowerCase().replace(' ', '-')}`)
    }
    expect(h.problems).toEqual([])
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
