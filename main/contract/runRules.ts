/**
 * Whether a run config can run on its dataset(s): the schema (types and bounds) and the rules that need the data
 * (image-only models, folds against rows) or more than one field (each ratio once, NT-Xent's batch of two). The
 * wizard shows these per field as the user types; the services refuse the same config with the same words.
 */
import type { DatasetKind } from './datasets.ts'
import { issueMessage, issueSentence, pathLabel } from './issues.ts'
import { RECIPES } from './recipes.ts'
import { IMAGE_ONLY_MODELS, MODEL_LABELS, RunConfig } from './runConfig.ts'
import { ratiosOf } from './runShape.ts'

/** One problem of a config: where (a setting path, "split" for the split as a whole), what, and as a sentence. */
export interface ConfigIssue {
  path: string
  /** Without the setting's name, for beside its field: "must be at least 1". */
  message: string
  /** With it, for a CLI line or an API error: "Epochs must be at least 1." */
  sentence: string
}

/** What the rules need to know of a dataset. */
export interface RuleDataset {
  name: string
  kind: DatasetKind
  rows: number
  /** The dataset carries its published train/test split (schema.publishedSplit). */
  publishedSplit?: boolean
}

/** The smallest batch a model trained with ILO takes: NT-Xent contrasts each view with the other rows of its batch. */
export const MIN_ILO_BATCH = 2

function issue(path: string, message: string): ConfigIssue {
  return { path, message, sentence: `${pathLabel(path.split('.'), 'settings')} ${message}.` }
}

/** The rules beyond the schema, for a config that passed it. */
export function runRuleIssues(c: RunConfig, datasets: readonly RuleDataset[]): ConfigIssue[] {
  const out: ConfigIssue[] = []
  const tabular = datasets.filter((d) => d.kind !== 'image')
  const imageOnly = c.models.filter((m) => IMAGE_ONLY_MODELS.includes(m))
  if (imageOnly.length && tabular.length)
    out.push(
      issue(
        'models',
        `include ${imageOnly.map((m) => MODEL_LABELS[m]).join(', ')}, which needs image data, and "${tabular[0]!.name}" is tabular (use the tabular ResNet, "resnet", instead)`
      )
    )
  const k = c.split.kfold
  const fewest = datasets.reduce<RuleDataset | null>((a, d) => (!a || d.rows < a.rows ? d : a), null)
  if (k && fewest && k > fewest.rows) out.push(issue('split.kfold', `must be at most the number of rows (${fewest.rows} in "${fewest.name}")`))
  const published = datasets.find((d) => d.publishedSplit)
  if (k && published)
    out.push(issue('split.kfold', `must be off for "${published.name}": it keeps its published train/test split, and k-fold would train on its test rows`))
  if (ratiosOf(c).length !== c.compressions.length) out.push(issue('compressions', 'must list each ratio once'))
  const ilo = c.models.filter((m) => RECIPES[m].ilo)
  if (ilo.length && c.batchSize < MIN_ILO_BATCH)
    out.push(issue('batchSize', `must be at least ${MIN_ILO_BATCH} for ${ilo.map((m) => MODEL_LABELS[m]).join(', ')} (NT-Xent contrasts the rows of a batch)`))
  return out
}

/** Every problem of a config on its dataset(s): schema issues as sentences, then the rules. */
export function runConfigIssues(input: unknown, datasets: readonly RuleDataset[]): { config: RunConfig | null; issues: ConfigIssue[] } {
  const r = RunConfig.safeParse(input)
  if (!r.success) {
    const issues = r.error.issues.map((i) => {
      const path = i.path.map(String).join('.') || 'config'
      return { path, message: issueMessage(i), sentence: issueSentence(i, 'settings') }
    })
    return { config: null, issues }
  }
  return { config: r.data, issues: runRuleIssues(r.data, datasets) }
}
