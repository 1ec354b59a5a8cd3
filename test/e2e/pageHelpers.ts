/** Small page helpers the end-to-end tests share. */
import { readFileSync } from 'node:fs'
import type { Download, Page } from 'playwright-core'

/** Closes the run notifications (another screen's toasts) so screenshots and clicks reach the page. */
export async function dismissToasts(page: Page): Promise<void> {
  for (let round = 0; round < 3 && (await page.locator('.n-notification').count()) > 0; round++) {
    for (const b of await page.locator('.n-notification .n-base-close').all()) await b.click({ timeout: 1000 }).catch(() => undefined)
    await page.waitForTimeout(400)
  }
}

/** The file a click downloads: its suggested name and its text. */
export async function saved(page: Page, trigger: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [dl] = (await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), trigger()])) as [Download, void]
  return { name: dl.suggestedFilename(), text: readFileSync(await dl.path(), 'utf8') }
}

/** Datasets, Training and Compare at 1280×720 in the current theme, for looking at by eye. */
export async function shotsAt1280(page: Page, shot: (name: string) => Promise<string>, runId: string, theme: 'light' | 'dark'): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.getByRole('link', { name: 'Datasets', exact: true }).click()
  await page
    .getByTestId('class-balance')
    .or(page.getByTestId('datasets-empty'))
    .first()
    .waitFor({ timeout: 10_000 })
    .catch(() => undefined)
  await page.waitForTimeout(800)
  await dismissToasts(page)
  await shot(`1280-datasets-${theme}`)
  await page.evaluate((id) => (location.hash = `#/training/${id}`), runId)
  await page.getByTestId('go-compare').waitFor({ timeout: 10_000 })
  await page.waitForTimeout(800)
  await dismissToasts(page)
  await shot(`1280-training-${theme}`)
  await page.getByTestId('go-compare').click()
  await page.getByTestId('metrics-table').waitFor({ timeout: 10_000 })
  await page.waitForTimeout(800)
  await dismissToasts(page)
  await page.locator('.content').evaluate((e) => e.scrollTo(0, 0))
  await shot(`1280-compare-${theme}`)
  await page.getByTestId('metrics-table').scrollIntoViewIfNeeded()
  await shot(`1280-compare-table-${theme}`)
  await page.setViewportSize({ width: 1440, height: 900 })
}
