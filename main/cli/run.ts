/** `iunet run`: train the comparison on a dataset, print the table, store the run, optionally write JSON. */
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { ModelKind, MODEL_LABELS, Preset, RunConfig, type ModelAggregate, type RunDetail, type RunProgress } from '../contract/index.ts'
import type { Services } from '../services/index.ts'
import { CliError, meanStd, table } from './output.ts'
import { dataDirOption, parseShape } from './shared.ts'

export interface RunOptions {
  data: string
  target?: string
  shape?: string
  models?: string
  preset: string
  seeds?: string
  compression?: string
  epochs?: string
  finetuneEpochs?: string
  maxRows?: string
  dataDir: string
  json?: string
  workers?: string
  quiet?: boolean
}

/** The `--json` document: one entry per (model, compression). */
export function runJson(detail: RunDetail) {
  return {
    runId: detail.id,
    dataset: detail.dataset?.name ?? detail.datasetName,
    status: detail.status,
    backend: detail.backend,
    preset: detail.preset,
    seeds: detail.seeds,
    models: detail.aggregates.map((a: ModelAggregate) => ({
      name: a.model,
      label: MODEL_LABELS[a.model],
      compression: a.compression,
      params: a.params,
      nonzeroParams: a.nonzeroParams,
      accuracy: { mean: a.accuracy.mean, std: a.accuracy.std },
      balancedAccuracy: { mean: a.balancedAccuracy.mean, std: a.balancedAccuracy.std },
      macroF1: { mean: a.macroF1.mean, std: a.macroF1.std },
      invariance: { mean: a.invariancePrediction.mean, std: a.invariancePrediction.std },
      representationInvariance: { mean: a.invarianceRepresentation.mean, std: a.invarianceRepresentation.std },
      supernetValAccuracy: a.supernetValAccuracy ? { mean: a.supernetValAccuracy.mean, std: a.supernetValAccuracy.std } : null,
      flopsDense: a.flopsDense,
      flopsSparse: a.flopsSparse,
      trainSeconds: a.trainSeconds.mean
    })),
    config: detail.config
  }
}

async function resolveDataset(services: Services, o: RunOptions): Promise<string> {
  if (existsSync(o.data)) {
    const d = await services.datasets.importFile({ path: resolve(o.data), target: o.target, imageShape: parseShape(o.shape) }, true)
    return d.id
  }
  if (services.store.datasets.get(o.data)) return o.data
  throw new CliError(`--data: "${o.data}" is neither a readable file/folder nor a stored dataset id (see: iunet import).`)
}

function parseList<T>(raw: string | undefined, parse: (s: string) => T): T[] | undefined {
  return raw === undefined ? undefined : raw.split(',').map((s) => parse(s.trim()))
}

export function buildConfig(base: RunConfig, o: RunOptions, storedTarget: string): RunConfig {
  const models = parseList(o.models, (s) => {
    const r = ModelKind.safeParse(s)
    if (!r.success) throw new CliError(`--models: unknown model "${s}" (choose from ${ModelKind.options.join(', ')})`)
    return r.data
  })
  const int = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined
    const n = Number(v)
    if (!Number.isInteger(n) || n < 1) throw new CliError(`${name} must be a positive integer, got "${v}"`)
    return n
  }
  const compressions = parseList(o.compression, (s) => {
    const n = Number(s)
    if (!(n >= 1)) throw new CliError(`--compression must be ≥ 1 (keep 1/r of the weights), got "${s}"`)
    return n
  })
  const epochs = int('--epochs', o.epochs)
  const candidate = {
    ...base,
    models: models ?? base.models,
    seeds: int('--seeds', o.seeds) ?? base.seeds,
    compressions: compressions ?? base.compressions,
    epochs: epochs ?? base.epochs,
    finetuneEpochs: int('--finetune-epochs', o.finetuneEpochs) ?? (epochs ?? base.finetuneEpochs),
    maxRows: o.maxRows === 'all' ? null : (int('--max-rows', o.maxRows) ?? base.maxRows),
    target: o.target && o.target !== storedTarget ? o.target : undefined
  }
  const r = RunConfig.safeParse(candidate)
  if (!r.success) throw new CliError(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '))
  return r.data
}

function progressPrinter() {
  const last = new Map<string, string>()
  return (p: RunProgress) => {
    const key = `${p.model}/${p.seed}`
    const stamp = `${p.phase}:${p.epoch}`
    if (!p.metrics || last.get(key) === stamp) return
    last.set(key, stamp)
    const m = p.metrics
    const eta = p.etaSeconds === null ? '' : ` · eta ${Math.ceil(p.etaSeconds)} s`
    process.stderr.write(
      `[${(100 * p.runProgress).toFixed(0).padStart(3)}%] ${MODEL_LABELS[p.model]} seed ${p.seed} ${p.phase} ${p.epoch}/${p.totalEpochs} · val acc ${(100 * m.valAccuracy).toFixed(1)}%${eta}\n`
    )
  }
}

export function printSummary(detail: RunDetail) {
  const rows = detail.aggregates.map((a) => [
    MODEL_LABELS[a.model] + (a.compression > 1 ? ` 1/${a.compression}` : ''),
    meanStd(a.accuracy),
    meanStd(a.balancedAccuracy),
    `${a.nonzeroParams.toLocaleString('en')} / ${a.params.toLocaleString('en')}`,
    meanStd(a.invariancePrediction),
    a.supernetValAccuracy ? meanStd(a.supernetValAccuracy) : '',
    `${a.trainSeconds.mean.toFixed(1)} s`
  ])
  process.stdout.write(`\n${detail.name} — ${detail.status} on ${detail.backend}, ${detail.seeds} seed(s), test split\n\n`)
  process.stdout.write(table(['model', 'accuracy %', 'balanced acc %', 'nonzero / params', 'invariance %', 'supernet val %', 'time'], rows) + '\n')
  process.stdout.write('\ninvariance = share of test predictions unchanged under the ILO transformation; read it next to accuracy.\n')
}

export async function runCommand(o: RunOptions): Promise<number> {
  const preset = Preset.safeParse(o.preset)
  if (!preset.success) throw new CliError(`--preset must be one of ${Preset.options.join(', ')}`)
  const { createServices } = await import('../services/index.ts')
  const services = createServices({ dataDir: o.dataDir, transport: 'websocket', workers: o.workers ? Number(o.workers) : undefined })
  try {
    const datasetId = await resolveDataset(services, o)
    const stored = services.store.datasets.get(datasetId)!
    const config = buildConfig(services.runs.defaults(datasetId, preset.data), o, stored.schema.target)
    const print = progressPrinter()
    if (!o.quiet) services.bus.subscribe((event, p) => event === 'run.progress' && print(p as RunProgress))
    const t0 = Date.now()
    const { summary, finished } = await services.runs.start(config)
    process.stderr.write(`run ${summary.id} · ${stored.name} · models ${config.models.join(', ')} · ${config.seeds} seed(s) · data in ${o.dataDir}\n`)
    await finished
    const detail = services.runs.get(summary.id)
    printSummary(detail)
    process.stdout.write(`wall time ${((Date.now() - t0) / 1000).toFixed(1)} s\n`)
    if (detail.error) process.stderr.write(`\n${detail.status}: ${detail.error}\n`)
    if (o.json) await writeFile(o.json, JSON.stringify(runJson(detail), null, 2) + '\n')
    return detail.status === 'finished' ? 0 : 1
  } finally {
    await services.close()
  }
}

export function registerRunCommand(program: Command) {
  program
    .command('run')
    .description('train IUNet and the baselines on a dataset and compare them')
    .requiredOption('--data <path|id>', 'CSV/IDX file, image folder, or a stored dataset id')
    .option('--target <column>', 'target column')
    .option('--shape <HxWxC>', 'image shape of a pixel CSV, e.g. 8x8x1')
    .option('--models <list>', `comma-separated: ${ModelKind.options.join(',')}`)
    .option('--preset <preset>', 'quick | standard | paper', 'quick')
    .option('--seeds <n>', 'number of seeds')
    .option('--compression <r>', 'compression ratio(s) r, keep 1/r of the encoder weights; e.g. 8 or 4,8,16')
    .option('--epochs <n>', 'supernetwork epochs (finetune epochs too unless --finetune-epochs)')
    .option('--finetune-epochs <n>', 'finetune epochs after pruning')
    .option('--max-rows <n|all>', 'train on a stratified sample of at most n rows (quick preset: 50,000 on big files)')
    .option('--workers <n>', 'parallel training workers (default: one per CPU core)')
    .option('--json <file>', 'write the results as JSON')
    .option('-q, --quiet', 'no per-epoch progress lines')
    .addOption(dataDirOption())
    .action(async (o: RunOptions) => {
      process.exitCode = await runCommand(o)
    })
}
