/**
 * The tuned-on-validation comparison in words (DOM-free): each model's budget (how many settings it was chosen
 * among — unequal budgets stay visible), which settings validation picked and how often, and a cell's choices.
 */
import { percent, replicateLabel, type TunedVariant } from '@contract'

/** "IUNet (pruned) 8 · OMP only 2 · Dense MLP 1 settings", and whether the budgets differ. */
export function budgets(variants: readonly TunedVariant[], modelLabel: (v: TunedVariant) => string): { text: string; unequal: boolean } {
  const text = variants
    .map((v) => `${modelLabel(v)}: ${v.settings} setting${v.settings === 1 ? '' : 's'}${v.over.length ? ` (${v.over.join(' × ')})` : ''}`)
    .join(' · ')
  return { text, unequal: new Set(variants.map((v) => v.settings)).size > 1 }
}

/** How often validation chose each of a model's settings, over every dataset and replicate (most often first, ties in the study's order). */
export function choiceCounts(v: Pick<TunedVariant, 'choices'>): { variant: number; count: number }[] {
  const counts = new Map<number, number>()
  for (const c of v.choices.flat()) counts.set(c.variant, (counts.get(c.variant) ?? 0) + 1)
  return [...counts].map(([variant, count]) => ({ variant, count })).sort((a, b) => b.count - a.count || a.variant - b.variant)
}

/** A tuned cell's choices, one line per replicate: "seed 0: <setting> (validation 83.3 %, test 76.2 %)". */
export function choiceLines(choices: TunedVariant['choices'][number], label: (variant: number) => string): string[] {
  return choices.map((c) => `${replicateLabel(c)}: ${label(c.variant)} (validation ${percent(c.validation)}, test ${percent(c.test)})`)
}
