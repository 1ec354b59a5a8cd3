/**
 * Plain-language comparison of IUNet with the dense MLP of the same run, as honest when IUNet loses as when it
 * wins (DOM-free). Tabular data is judged on balanced accuracy, images on accuracy. Each verdict says what the means
 * are over ("3 seeds", "2 seeds × 3 folds") and which paired test fits the run: the spread of seeds can judge a gap,
 * the spread of folds cannot (folds share training rows, so their spread understates the uncertainty).
 */
import type { MetricRow } from './metricsTable'

export interface Verdict {
  runName: string
  text: string
  tone: 'better' | 'worse' | 'tie'
}

/** How sure the gap is, after the numbers: the spread it is judged by, or why the spread cannot judge it. */
function certainty(d: number, noise: number, n: number, row: MetricRow): string {
  const r = row.replicates
  const over = r ? ` over ${r.text}${r.folds ? ` (n = ${n})` : ''}` : ''
  if (n < 2) return `${over} (one replicate: no spread to judge the gap by)`
  if (r?.folds)
    return `${over}. Folds share training rows, so their spread understates the uncertainty: the ${r.test} judges this gap, not the spread (iunet run reports it)`
  return Math.abs(d) > noise
    ? `${over} — larger than the seed-to-seed spread`
    : `${over} — within the seed-to-seed spread (±${noise.toFixed(1)}), so not a clear difference`
}

export function verdicts(rows: MetricRow[], kindOf: (runId: string) => 'tabular' | 'image' | undefined): Verdict[] {
  const out: Verdict[] = []
  const runIds = [...new Set(rows.map((r) => r.entry.runId))]
  for (const runId of runIds) {
    const mine = rows.filter((r) => r.entry.runId === runId && r.aggregate)
    const mlp = mine.find((r) => r.entry.model === 'mlp')
    if (!mlp?.aggregate) continue
    const tabular = kindOf(runId) === 'tabular'
    const metric = tabular ? 'balancedAccuracy' : 'accuracy'
    const name = tabular ? 'balanced accuracy' : 'accuracy'
    for (const iu of mine.filter((r) => r.entry.model === 'iunet')) {
      const a = iu.aggregate![metric]
      const b = mlp.aggregate[metric]
      const d = (a.mean - b.mean) * 100
      // With seeds only, "clear" when the gap exceeds the larger std; with one replicate there is no spread at all.
      const noise = Math.max(a.std, b.std) * 100
      const n = Math.min(a.n, b.n)
      const tone: Verdict['tone'] = Math.abs(d) < 0.05 ? 'tie' : d > 0 ? 'better' : 'worse'
      const text =
        tone === 'tie'
          ? `${iu.label} and ${mlp.label} reach the same ${name} (${(a.mean * 100).toFixed(1)} %)${iu.replicates ? ` over ${iu.replicates.text}` : ''}.`
          : `${iu.label} ${tone === 'better' ? 'beats' : 'does not beat'} ${mlp.label} on ${name}: ${(a.mean * 100).toFixed(1)} % vs ${(b.mean * 100).toFixed(1)} %, ${tone === 'better' ? 'higher' : 'lower'} by ${Math.abs(d).toFixed(1)} points${certainty(d, noise, n, iu)}.`
      out.push({ runName: iu.runName, text, tone })
    }
  }
  return out
}
