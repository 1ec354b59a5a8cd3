import { describe, expect, it } from 'vitest'
import { buildReport, escapeHtml, safeSvg } from '../../../renderer/src/lib/report.ts'
import { buildRows } from '../../../renderer/src/lib/metricsTable.ts'
import { entriesOfRun } from '../../../renderer/src/lib/entries.ts'
import { verdicts } from '../../../renderer/src/lib/verdict.ts'
import { agg, ms, run } from './fixtures.ts'

describe('HTML report', () => {
  const r = run('r1', [agg('iunet', 8, 0.88), agg('mlp', 1, 0.9)], { name: '<b>run</b>' })
  const rows = buildRows(entriesOfRun(r), { r1: r })

  it('is one self-contained file: tables, inline SVG, data-URL images, no scripts or external references', () => {
    const html = buildReport({
      title: 'Report & co',
      generatedAt: 'today',
      rows,
      verdicts: ['IUNet does not beat the MLP.'],
      diff: [],
      runs: [{ letter: 'A', name: '<b>run</b>', dataset: 'digits', status: 'finished', config: { epochs: '30' } }],
      charts: [
        {
          title: 'Curve',
          svg: '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>x()</script><image href="https://evil/x.png"/><rect/></svg>'
        }
      ],
      images: [
        { title: 'mask', dataUrl: 'data:image/png;base64,AAAA' },
        { title: 'remote', dataUrl: 'https://example.com/x.png' }
      ]
    })
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).toContain('<title>Report &amp; co</title>')
    expect(html).toContain('&lt;b&gt;run&lt;/b&gt;')
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"><image /><rect/></svg>'.replace('<image />', '<image />'))
    expect(html).not.toMatch(/<script|onload=|https:\/\/evil|example\.com/)
    expect(html).toContain('src="data:image/png;base64,AAAA"')
    expect(html).toContain('One run: nothing to compare settings against')
    expect(html).toContain('IUNet does not beat the MLP.')
    expect(html).toContain('class="best"')
  })

  it('splits the metrics into tables that fit the page, in a scroll wrapper, with best per dataset when runs span datasets', () => {
    const base = { title: 't', generatedAt: 'now', verdicts: [], diff: [], runs: [], charts: [], images: [] }
    const one = buildReport({ ...base, rows })
    expect(one.match(/<div class="table-wrap"><table>/g)).toHaveLength(2)
    expect(one).toContain('Accuracy &amp; invariance: mean ± std')
    expect(one).toContain('<th scope="col" title="All weights and biases of the architecture.">Params (dense)</th>')
    expect(one).not.toContain('<th scope="col">Dataset</th>')
    const v = run('v', [agg('mlp', 1, 0.6), agg('iunet', 8, 0.7)], { datasetId: 'ds2', datasetName: 'vehicle' })
    const two = buildRows([...entriesOfRun(r), ...entriesOfRun(v)], { r1: r, v })
    const html = buildReport({ ...base, rows: two })
    expect(html).toContain('<th scope="col">Dataset</th>')
    expect(html).toContain('(within each dataset)')
    // Accuracy of the first table: best on digits is the MLP (90.0 %), on vehicle IUNet (70.0 %), both tinted.
    const firstTable = html.slice(html.indexOf('<table>'), html.indexOf('</table>'))
    expect(firstTable.match(/<td class="best"><strong>(\d+\.\d) ± 1\.0 %<\/strong><\/td>/g)?.map((m) => m.match(/\d+\.\d/)![0])).toEqual(
      expect.arrayContaining(['90.0', '70.0'])
    )
  })

  it('escapes every HTML-special character and strips SVG handlers', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
    expect(safeSvg('<svg><g onclick="x()"/></svg>')).toBe('<svg><g/></svg>')
  })

  it('verdicts say when IUNet loses as plainly as when it wins, and judge tabular data on balanced accuracy', () => {
    const [v] = verdicts(rows, () => 'image')
    expect(v!.tone).toBe('worse')
    expect(v!.text).toMatch(/^IUNet \(pruned\) 1\/8 does not beat Dense MLP on accuracy: 88\.0 % vs 90\.0 %, lower by 2\.0 points over 3 seeds/)
    const tab = run('t', [agg('iunet', 8, 0.9, { balancedAccuracy: ms(0.8, 0.01) }), agg('mlp', 1, 0.9, { balancedAccuracy: ms(0.7, 0.01) })])
    const [t] = verdicts(buildRows(entriesOfRun(tab), { t: tab }), () => 'tabular')
    expect(t!.tone).toBe('better')
    expect(t!.text).toMatch(/balanced accuracy: 80\.0 % vs 70\.0 %.*larger than the seed-to-seed spread/)
  })
})
