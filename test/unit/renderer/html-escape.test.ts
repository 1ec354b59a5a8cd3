/** Column names and class labels come from files anyone can craft: wherever they reach HTML they are escaped. */
import { describe, expect, it } from 'vitest'
import { escapeHtml } from '../../../renderer/src/lib/html.ts'
import { compressionOption, confusionOption, curvesOption } from '../../../renderer/src/lib/chartOptions.ts'
import { agg } from './fixtures.ts'

const PAYLOAD = '<img src=x onerror=window.__pwned=1>'

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters and nothing else', () => {
    expect(escapeHtml(`a&b<c>d"e'f`)).toBe('a&amp;b&lt;c&gt;d&quot;e&#39;f')
    expect(escapeHtml(PAYLOAD)).toBe('&lt;img src=x onerror=window.__pwned=1&gt;')
    expect(escapeHtml('plain text · µ ✓')).toBe('plain text · µ ✓')
    expect(escapeHtml('&amp;')).toBe('&amp;amp;')
    expect(escapeHtml(42)).toBe('42')
  })
})

type Formatter<P> = { tooltip: { formatter: (p: P) => string } }

describe('chart tooltips (HTML) escape names from the data', () => {
  it('confusion matrix: class labels', () => {
    const o = confusionOption(
      't',
      [PAYLOAD, 'b"><script>x()</script>'],
      [
        [1, 2],
        [3, 4]
      ],
      false
    ) as unknown as Formatter<{ data: [number, number, number, number] }>
    const html = o.tooltip.formatter({ data: [1, 0, 0.5, 2] })
    expect(html).not.toContain('<img')
    expect(html).not.toContain('<script')
    expect(html).toContain('true &lt;img src=x onerror=window.__pwned=1&gt; → predicted b&quot;&gt;&lt;script&gt;')
  })

  it('compression and curve charts: series names', () => {
    const o = compressionOption([{ name: PAYLOAD, color: '#123', model: 'iunet', points: [agg('iunet', 8, 0.9)] }], [], false) as unknown as Formatter<{
      seriesName: string
      data: [number, number, number]
    }>
    expect(o.tooltip.formatter({ seriesName: PAYLOAD, data: [8, 0.9, 0.01] })).toMatch(/^&lt;img src=x/)
    const c = curvesOption([{ name: PAYLOAD, color: '#123', points: [] }], 'valAccuracy', 'last') as unknown as Formatter<
      { seriesId: string; seriesName: string; color: string; data: [number, number, number, number] }[]
    >
    const html = c.tooltip.formatter([{ seriesId: 'main-0', seriesName: PAYLOAD, color: '"><img src=x>', data: [1, 0.5, 0, 1] }])
    expect(html).not.toContain('<img')
    expect(html).toContain('&lt;img src=x onerror')
  })
})
