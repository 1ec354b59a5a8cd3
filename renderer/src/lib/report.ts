/** The one-file HTML report of a comparison: tables, inline SVG charts, images as data URLs, configs; no external resources (DOM-free). */
import { COLUMN_GROUPS, bestRows, columnsOf, spansDatasets, type MetricRow } from './metricsTable'
import type { DiffRow } from './configDiff'
import { overText, testsOf } from './replicates'

export interface ReportInput {
  title: string
  generatedAt: string
  rows: MetricRow[]
  verdicts: string[]
  /** Settings that differ between runs (one value per run, in `runs` order). */
  diff: DiffRow[]
  runs: { letter: string; name: string; dataset: string; status: string; config: Record<string, string> }[]
  charts: { title: string; caption?: string; svg: string }[]
  images: { title: string; caption?: string; dataUrl: string }[]
  /** Paragraph(s) above the images (what they show, what to look for). */
  imagesIntro?: string[]
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

/** Only inline SVG markup is embedded: scripts, event handlers and external references are stripped. */
export function safeSvg(svg: string): string {
  return svg
    .replace(/<\?xml[^>]*>/g, '')
    .replace(/<script[\s\S]*?<\/script>/gi, '')
    .replace(/\son\w+="[^"]*"/gi, '')
    .replace(/(xlink:)?href="(?!#|data:)[^"]*"/gi, '')
}

/** One table per column group (each fits the page, accuracy repeated as the anchor), with the run and, when the
 * comparison spans datasets, the dataset; "best" is per dataset. Wrapped so an unusually wide table scrolls
 * instead of being cut off. */
function metricsTable(rows: MetricRow[]): string {
  const many = spansDatasets(rows)
  return COLUMN_GROUPS.filter((g) => g.key !== 'all')
    .map((g) => {
      const cols = columnsOf(g.key)
      const best = cols.map((c) => bestRows(rows, c))
      const head = `<tr><th scope="col">Model</th><th scope="col">Run</th>${many ? '<th scope="col">Dataset</th>' : ''}<th scope="col" title="Replicates behind each mean ± std (seeds, × folds with k-fold)">n</th>${cols.map((c) => `<th scope="col" title="${escapeHtml(c.help)}">${escapeHtml(c.label)}</th>`).join('')}</tr>`
      const body = rows
        .map((r, i) => {
          const cells = cols
            .map((c, j) => {
              const v = r.aggregate ? c.format(c.get(r.aggregate)) : '—'
              return best[j]!.has(i) ? `<td class="best"><strong>${escapeHtml(v)}</strong></td>` : `<td>${escapeHtml(v)}</td>`
            })
            .join('')
          return `<tr><th scope="row">${escapeHtml(r.label)}</th><td>${escapeHtml(r.runName)}</td>${many ? `<td>${escapeHtml(r.datasetName)}</td>` : ''}<td title="${escapeHtml(r.replicates?.text ?? '')}">${r.n}</td>${cells}</tr>`
        })
        .join('')
      const caption = `${escapeHtml(g.label)}: ${escapeHtml(overText(rows))}; the best value of each column is bold${many ? ' (within each dataset)' : ''}.`
      return `<div class="table-wrap"><table><caption>${caption}</caption><thead>${head}</thead><tbody>${body}</tbody></table></div>`
    })
    .join('\n')
}

function diffTable(input: ReportInput): string {
  if (input.runs.length < 2) return '<p>One run: nothing to compare settings against (its full settings are below).</p>'
  if (!input.diff.length) return '<p>All runs share the same settings.</p>'
  const head = `<tr><th scope="col">Setting</th>${input.runs.map((r) => `<th scope="col">[${escapeHtml(r.letter)}] ${escapeHtml(r.name)}</th>`).join('')}</tr>`
  const body = input.diff
    .map((d) => `<tr><th scope="row"><code>${escapeHtml(d.key)}</code></th>${d.values.map((v) => `<td>${escapeHtml(v)}</td>`).join('')}</tr>`)
    .join('')
  return `<table><thead>${head}</thead><tbody>${body}</tbody></table>`
}

function configBlock(r: ReportInput['runs'][number]): string {
  const rows = Object.entries(r.config)
    .map(([k, v]) => `<tr><th scope="row"><code>${escapeHtml(k)}</code></th><td>${escapeHtml(v)}</td></tr>`)
    .join('')
  return `<details><summary>[${escapeHtml(r.letter)}] ${escapeHtml(r.name)} — ${escapeHtml(r.dataset)} (${escapeHtml(r.status)})</summary><table>${rows}</table></details>`
}

const CSS = `body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;color:#1f2328;background:#fff}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}.table-wrap{max-width:100%;overflow-x:auto}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
thead th{background:#f3f4f6}td.best{background:#e6f4ea}caption{caption-side:bottom;text-align:left;color:#57606a;font-size:12px;padding-top:4px}
figure{margin:12px 0;display:inline-block;vertical-align:top}figcaption{color:#57606a;font-size:12px;max-width:900px}
.verdict{padding:8px 12px;border-left:4px solid #0072B2;background:#f6f8fa;margin:6px 0}img{image-rendering:pixelated;max-width:100%}
@media (prefers-color-scheme: dark){body{background:#fff;color:#1f2328}}`

/** "; two models are compared with the corrected resampled t-test" (the test that fits how the runs repeat). */
function testsLine(rows: MetricRow[]): string {
  const tests = testsOf(rows)
  return tests.length ? `; two models of a run are compared with the ${escapeHtml(tests.join(' or the '))} (iunet run reports it)` : ''
}

export function buildReport(input: ReportInput): string {
  const charts = input.charts
    .map(
      (c) =>
        `<figure>${safeSvg(c.svg)}<figcaption><strong>${escapeHtml(c.title)}</strong>${c.caption ? ` — ${escapeHtml(c.caption)}` : ''}</figcaption></figure>`
    )
    .join('\n')
  const images = input.images
    .filter((i) => i.dataUrl.startsWith('data:image/'))
    .map(
      (i) =>
        `<figure><img alt="${escapeHtml(i.title)}" src="${i.dataUrl}"><figcaption><strong>${escapeHtml(i.title)}</strong>${i.caption ? ` — ${escapeHtml(i.caption)}` : ''}</figcaption></figure>`
    )
    .join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title><style>${CSS}</style></head>
<body>
<h1>${escapeHtml(input.title)}</h1>
<p>Generated ${escapeHtml(input.generatedAt)} by IUNet Workbench. Values are ${escapeHtml(overText(input.rows))} on the test split${testsLine(input.rows)}.</p>
${input.verdicts.map((v) => `<p class="verdict">${escapeHtml(v)}</p>`).join('\n')}
<h2>Metrics</h2>
${metricsTable(input.rows)}
<h2>Settings that differ</h2>
${diffTable(input)}
<h2>Charts</h2>
${charts || '<p>No charts.</p>'}
${images ? `<h2>First-layer masks</h2>\n${(input.imagesIntro ?? []).map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}\n${images}` : ''}
<h2>Full settings</h2>
${input.runs.map(configBlock).join('\n')}
</body></html>
`
}
