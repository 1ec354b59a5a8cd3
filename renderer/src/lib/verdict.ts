/**
 * Plain-language comparison of IUNet with the dense MLP of the same run, as honest when IUNet loses as when it
 * wins (DOM-free). Tabular data is judged on balanced accuracy, images on accuracy.
 */
import type { MetricRow } from './metricsTable'

export interface Verdict {
  runName: string
  text: string
  tone: 'better' | 'worse' | 'tie'
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
      // "Clear" only when the gap exceeds the larger seed std; with one seed there is no spread to judge by.
      const noise = Math.max(a.std, b.std) * 100
      const seeds = Math.min(a.n, b.n)
      const tone: Verdict['tone'] = Math.abs(d) < 0.05 ? 'tie' : d > 0 ? 'better' : 'worse'
      const size = `${Math.abs(d).toFixed(1)} points`
      const clear =
        seeds < 2
          ? ' (one seed: no spread to judge the gap by)'
          : Math.abs(d) > noise
            ? ' — larger than the seed-to-seed spread'
            : ` — within the seed-to-seed spread (±${noise.toFixed(1)}), so not a clear difference`
      const text =
        tone === 'tie'
          ? `${iu.label} and ${mlp.label} reach the same ${name} (${(a.mean * 100).toFixed(1)} %).`
          : `${iu.label} ${tone === 'better' ? 'beats' : 'does not beat'} ${mlp.label} on ${name}: ${(a.mean * 100).toFixed(1)} % vs ${(b.mean * 100).toFixed(1)} %, ${tone === 'better' ? 'higher' : 'lower'} by ${size}${clear}.`
      out.push({ runName: iu.runName, text, tone })
    }
  }
  return out
}
