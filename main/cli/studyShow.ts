/**
 * `iunet study show` as terminal text that fits 120 columns at any study size: variants as rows (ranked, with their
 * record against the baseline), the tuned-on-validation comparison, the grid effects, and the verdicts wrapped.
 * `--wide` adds the dataset matrix (variants as rows, datasets as columns) whatever its width.
 */
import {
  METRIC_WORDS,
  MISSING,
  MODEL_LABELS,
  pctMeanStd,
  percentNumber,
  pointsDiff,
  pValue,
  replicatesText,
  type GridEffect,
  type ModelKind,
  type StudyComparison,
  type StudyDetail
} from '../contract/index.ts'
import { table } from './output.ts'

export interface ShowOptions {
  /** Print the dataset × variant matrix too, however wide. */
  wide?: boolean
  /** Only these models' variants. */
  models?: ModelKind[]
  /** Only the N best variants by average rank. */
  top?: number
  /** Terminal width the default output fits (120). */
  width?: number
}

/** Cuts a cell to `w` characters with an ellipsis. */
export function fit(text: string, w: number): string {
  return text.length <= w ? text : `${text.slice(0, Math.max(1, w - 1))}…`
}

/** Words wrapped to `width` columns, continuation lines indented. */
export function wrap(text: string, width: number, indent = '  '): string {
  const out: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line)
      line = indent + word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) out.push(line)
  return out.join('\n')
}

interface Row {
  index: number
  label: string
  model: ModelKind
}

/** The ranked rows of a comparison: average rank, mean over datasets, datasets with a score, record vs the baseline. */
function comparisonTable(c: StudyComparison, rows: Row[], baselineLabel: string | null, width: number): string {
  const rankOf = (j: number) => (c.ranks ? c.ranks.average[j]! : null)
  const sorted = [...rows].sort((a, b) => (rankOf(a.index) ?? Infinity) - (rankOf(b.index) ?? Infinity) || a.index - b.index)
  const cells = sorted.map((r) => {
    const means = c.matrix.flatMap((row) => (row[r.index] ? [row[r.index]!.mean] : []))
    const t = c.tests.find((x) => x.variant === r.index)
    const isBase = c.baseline === r.index
    return [
      r.label,
      rankOf(r.index)?.toFixed(2) ?? MISSING,
      means.length ? percentNumber(means.reduce((a, b) => a + b, 0) / means.length) : MISSING,
      String(means.length),
      isBase ? 'baseline' : t ? `${t.wins}/${t.ties}/${t.losses}` : '—',
      isBase ? '' : pointsDiff(t?.meanDifference),
      isBase ? '' : `${pValue(t?.pHolm)}${t?.significant ? ' *' : ''}`
    ]
  })
  const headers = ['variant', 'avg rank', 'mean %', 'datasets', baselineLabel ? `W/T/L vs ${fit(baselineLabel, 16)}` : 'W/T/L', 'Δ', 'Holm p']
  // The label column takes what the others leave of the width.
  const others = headers.slice(1).map((h, i) => Math.max(h.length, ...cells.map((r) => r[i + 1]!.length)))
  const labelWidth = Math.max(12, width - others.reduce((a, b) => a + b + 2, 0))
  return table(
    headers,
    cells.map((r) => [fit(r[0]!, labelWidth), ...r.slice(1)])
  )
}

/** A grid effect as text: a table for two settings, a row for one, marginal effects for three or more. */
export function formatGridEffect(e: GridEffect, baselineLabel: string): string {
  const cell = (p: GridEffect['points'][number]) => `${pointsDiff(p.meanDifference)} (${p.wins}/${p.ties}/${p.losses})`
  const head = `${e.label}: Δ pts vs ${baselineLabel} (W/T/L over datasets); average rank among its ${e.points.length} settings in brackets`
  const key = (v: unknown) => JSON.stringify(v)
  if (e.settings.length === 2) {
    const [a, b] = e.settings as [GridEffect['settings'][number], GridEffect['settings'][number]]
    const rows = a.values.map((va) => [
      `${a.name}=${String(va)}`,
      ...b.values.map((vb) => {
        const p = e.points.find((x) => key(x.grid[a.name]) === key(va) && key(x.grid[b.name]) === key(vb))
        return p ? `${cell(p)} [${p.averageRank?.toFixed(1) ?? '—'}]` : '—'
      })
    ])
    return [head, table([`${a.name} \\ ${b.name}`, ...b.values.map((v) => String(v))], rows)].join('\n')
  }
  if (e.settings.length === 1) {
    const s = e.settings[0]!
    const rows = e.points.map((p) => [`${s.name}=${JSON.stringify(p.grid[s.name])}`, cell(p), p.averageRank?.toFixed(2) ?? '—'])
    return [head, table([s.name, 'Δ pts (W/T/L)', 'avg rank'], rows)].join('\n')
  }
  const lines = e.marginals.map(
    (m) =>
      `  ${m.setting}: ${m.values.map((v) => `${JSON.stringify(v.value)} → ${pointsDiff(v.meanDifference)} [${v.averageRank?.toFixed(1) ?? '—'}]`).join(' · ')}`
  )
  return [`${e.label}: marginal effect of each setting (Δ pts vs ${baselineLabel}, averaged over the other settings; [average rank])`, ...lines].join('\n')
}

/** The dataset matrix, variants as rows and datasets as columns (wide). */
export function formatMatrix(d: StudyDetail, rows: Row[]): string {
  const body = rows.map((r) => [
    r.label,
    ...d.datasetList.map((_, i) => {
      const m = d.matrix[i]![r.index]
      return m ? `${pctMeanStd(m, { unit: false })}${d.best[i]!.includes(r.index) ? ' *' : ''}` : MISSING
    })
  ])
  return [table(['variant \\ dataset', ...d.datasetList.map((x) => x.name)], body), '* best on the dataset (on test: optimistic when settings compete)'].join(
    '\n'
  )
}

/** What a study's means are over: "3 seeds", "2 seeds × 5 folds", or seeds × each cell's folds when the grid sweeps k. */
export function studyReplicates(d: Pick<StudyDetail, 'spec'>): string {
  if ('split.kfold' in d.spec.grid) return `${d.spec.seeds} seed(s) × each cell's folds`
  const kfold = (d.spec.settings['split'] as { kfold?: number | null } | undefined)?.kfold ?? null
  return replicatesText({ seeds: d.spec.seeds, split: { kfold } })
}

export function formatStudy(d: StudyDetail, o: ShowOptions = {}): string {
  const width = o.width ?? 120
  const over = studyReplicates(d)
  const out: string[] = [
    wrap(
      `study ${d.id} · ${d.name} · ${d.finishedCells}/${d.cells} cells finished · ${d.datasetList.length} datasets · test ${METRIC_WORDS[d.metric]} (%), mean ± std over ${over}`,
      width
    ),
    ''
  ]
  if (!d.variants.length) return out.concat('no finished cells yet').join('\n')
  const pick = (model: ModelKind) => !o.models?.length || o.models.includes(model)
  let rows: Row[] = d.variants.flatMap((v, index) => (pick(v.model) || index === d.baseline ? [{ index, label: v.label, model: v.model }] : []))
  if (o.top) {
    const rank = (j: number) => d.ranks?.average[j] ?? Infinity
    const keep = new Set(
      [...rows]
        .sort((a, b) => rank(a.index) - rank(b.index))
        .slice(0, o.top)
        .map((r) => r.index)
    )
    rows = rows.filter((r) => keep.has(r.index) || r.index === d.baseline)
  }
  const baselineLabel = d.baseline !== null ? d.variants[d.baseline]!.label : null
  const shown = rows.length < d.variants.length ? ` (${rows.length} of ${d.variants.length} shown)` : ''
  out.push(`Every variant, by average rank${shown}:`, comparisonTable(d, rows, baselineLabel, width))
  if (d.optimisticNote) out.push(wrap(`Note: ${d.optimisticNote}`, width))
  out.push('')
  if (d.tuned) {
    const t = d.tuned
    const tunedRows = t.variants.flatMap((v, index) => (pick(v.model) || index === t.baseline ? [{ index, label: v.label, model: v.model }] : []))
    out.push(
      'Tuned on validation (the fair comparison):',
      comparisonTable(t, tunedRows, t.baseline !== null ? MODEL_LABELS[t.variants[t.baseline]!.model] : null, width)
    )
    out.push(wrap(t.rule, width), '')
  }
  const effects = d.gridEffects.filter((e) => pick(e.model))
  if (effects.length && baselineLabel) {
    out.push('Grid effects:')
    for (const e of effects) out.push(formatGridEffect(e, MODEL_LABELS[d.variants[e.baseline ?? d.baseline!]!.model]), '')
  }
  if (o.wide) out.push(formatMatrix(d, rows), '')
  if (d.nemenyi) out.push(`Nemenyi critical difference: ${d.nemenyi.cd.toFixed(3)} ranks (α = ${d.alpha})`)
  // Each test's words follow its variant's row: --model hides both.
  const said = (c: StudyComparison & { variants: { model: ModelKind }[] }): string[] => [
    ...c.verdicts,
    ...c.tests.filter((t) => pick(c.variants[t.variant]!.model)).map((t) => t.verdict)
  ]
  for (const v of [...said(d), ...(d.tuned ? said(d.tuned).map((x) => `Tuned: ${x}`) : [])]) out.push(wrap(v, width))
  return out.join('\n')
}
