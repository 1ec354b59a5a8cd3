/**
 * A study's results for other tools: the long table (one row per dataset × variant × seed × fold, with every grid
 * setting as its own column and the test and validation scores) for R or pandas, the analysis as JSON, and the
 * critical-difference diagram as SVG.
 */
import { cdDiagramSvg, type StudyDetail } from '../contract/index.ts'
import type { VariantTable } from './studyAnalysis.ts'

export type Cell = string | number | null

/** The long table: tidy data, one replicate per row. */
export function studyLongTable(detail: Pick<StudyDetail, 'datasetList' | 'spec'>, table: VariantTable): { header: string[]; rows: Cell[][] } {
  const settings = Object.keys(detail.spec.grid)
  const header = [
    'dataset',
    'variant',
    'model',
    'ratio',
    ...settings,
    'seed',
    'fold',
    'test_accuracy',
    'test_balanced_accuracy',
    'test_macro_f1',
    'val_accuracy',
    'val_balanced_accuracy',
    'val_macro_f1'
  ]
  const rows: Cell[][] = []
  detail.datasetList.forEach((ds, d) => {
    table.variants.forEach((v, j) => {
      for (const r of table.results[d]![j]!.values()) {
        rows.push([
          ds.name,
          v.label,
          v.model,
          // The compression ratio r as a number (keep 1/r of the encoder's weights; 1 = dense), for plotting.
          v.compression,
          // A setting the model ignores (κ for the dense MLP) is empty, not the value of some cell it ran in.
          ...settings.map((s) => (s in v.grid ? JSON.stringify(v.grid[s]) : null)),
          r.seed,
          r.fold ?? null,
          r.accuracy,
          r.balancedAccuracy,
          r.macroF1,
          r.validation?.accuracy ?? null,
          r.validation?.balancedAccuracy ?? null,
          r.validation?.macroF1 ?? null
        ])
      }
    })
  })
  return { header, rows }
}

/** The CD diagram of the all-variants comparison, or null when there is none (fewer than 3 variants or 2 datasets). */
export function studyCdSvg(detail: StudyDetail): string | null {
  if (!detail.ranks || !detail.nemenyi) return null
  return cdDiagramSvg({
    labels: detail.variants.map((v) => v.label),
    ranks: detail.ranks.average,
    cd: detail.nemenyi.cd,
    alpha: detail.alpha,
    title: `${detail.name} · ${detail.metric}`
  })
}
