/** `iunet run`: train the comparison on a dataset, print the table, store the run, optionally write JSON. */
import { writeFile } from 'node:fs/promises'
import type { Command } from 'commander'
import {
  MODEL_LABELS,
  Preset,
  type BackendChoice,
  type ModelAggregate,
  type RunDetail,
  type RunProgress,
  duration,
  foldCount,
  modelAtRatio,
  pairedTestName,
  pctMeanStd,
  IMPORT_FORMATS,
  describeComparison,
  replicatesText,
  tasksText
} from '../contract/index.ts'
import { perSeed } from './compare.ts'
import { resolveCliConfig, type ConfigOptions } from './config.ts'
import { addRunConfigOptions } from './flags.ts'
import { table } from './output.ts'
import { createProgress, type ProgressDisplay } from './progress.ts'
import { backendOption, dataDirOption } from './shared.ts'
import { interruptOnSignals } from './signals.ts'
import type { Services } from '../services/index.ts'

export interface RunOptions extends ConfigOptions {
  backend?: BackendChoice
  json?: string
  quiet?: boolean
}

/** The `--json` document: one entry per (model, compression), with its values per seed (and fold). */
export function runJson(detail: RunDetail) {
  return {
    runId: detail.id,
    dataset: detail.dataset?.name ?? detail.datasetName,
    status: detail.status,
    backend: detail.backend,
    preset: detail.preset,
    seeds: detail.seeds,
    /** Folds per seed (repeated k-fold), or null. */
    folds: foldCount(detail.config),
    /** What every mean ± std is over ("2 seeds × 3 folds"). */
    replicates: replicatesText(detail.config),
    /** The test of `tests`. */
    test: pairedTestName(detail.config),
    models: detail.aggregates.map((a: ModelAggregate) => ({
      name: a.model,
      label: MODEL_LABELS[a.model],
      compression: a.compression,
      /** Replicates (seed × fold) behind the means. */
      n: a.accuracy.n,
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
      trainSeconds: a.trainSeconds.mean,
      perSeed: perSeed(detail, a.model, a.compression)
    })),
    tests: detail.comparisons,
    config: detail.config
  }
}

/**
 * What this command used until now, for `--json`: wall seconds since `t0`, CPU seconds and peak resident memory of
 * the whole process (the training workers are its threads, so they are in both).
 */
export function processFigures(t0: number): { wallSeconds: number; cpuSeconds: number; peakRssMB: number } {
  const r = process.resourceUsage()
  // maxRSS is in kilobytes.
  return { wallSeconds: (Date.now() - t0) / 1000, cpuSeconds: (r.userCPUTime + r.systemCPUTime) / 1e6, peakRssMB: r.maxRSS / 1024 }
}

/** Waits for the run, prints its table (and --json), and answers the exit code: 0 only when it finished. */
export async function reportWhenFinished(services: Services, id: string, display: ProgressDisplay, t0: number, json?: string): Promise<number> {
  await services.whenFinished(id)
  display.stop()
  const detail = await services.call('runs.get', { id })
  printSummary(detail)
  process.stdout.write(`wall time ${duration((Date.now() - t0) / 1000)}\n`)
  if (detail.error) process.stderr.write(`\n${detail.status}: ${detail.error}\n`)
  if (json) await writeFile(json, JSON.stringify({ ...runJson(detail), process: processFigures(t0) }, null, 2) + '\n')
  return detail.status === 'finished' ? 0 : 1
}

/** "iris — finished on cpu · mean ± std over 2 seeds × 3 folds (each fold's test part) · IUNet vs Dense MLP: corrected resampled t-test". */
export function summaryHeader(detail: RunDetail): string {
  const c = detail.config
  const scored = foldCount(c) ? "each fold's test part" : 'the test split'
  const test = detail.comparisons.length ? ` · IUNet vs Dense MLP: ${pairedTestName(c)}` : ''
  return `${detail.name} — ${detail.status} on ${detail.backend} · mean ± std over ${replicatesText(c)} (${scored})${test}`
}

export function printSummary(detail: RunDetail) {
  const pct = (m: ModelAggregate['accuracy']) => pctMeanStd(m, { unit: false })
  const rows = detail.aggregates.map((a) => [
    modelAtRatio(a.model, a.compression),
    String(a.accuracy.n),
    pct(a.accuracy),
    pct(a.balancedAccuracy),
    `${a.nonzeroParams.toLocaleString('en')} / ${a.params.toLocaleString('en')}`,
    pct(a.invariancePrediction),
    a.supernetValAccuracy ? pct(a.supernetValAccuracy) : '',
    duration(a.trainSeconds.mean)
  ])
  process.stdout.write(`\n${summaryHeader(detail)}\n\n`)
  process.stdout.write(table(['model', 'n', 'accuracy %', 'balanced acc %', 'nonzero / params', 'invariance %', 'supernet val %', 'time'], rows) + '\n')
  process.stdout.write('\ninvariance = share of test predictions unchanged under the ILO transformation; read it next to accuracy.\n')
  const tests = detail.comparisons.map((c) => describeComparison(c))
  if (tests.length) process.stdout.write('\n' + tests.join('\n') + '\n')
}

export async function runCommand(o: RunOptions): Promise<number> {
  const { createServices } = await import('../services/index.ts')
  const services = createServices({ dataDir: o.dataDir, transport: 'websocket', workers: o.workers ? Number(o.workers) : undefined, backend: o.backend })
  // Ctrl-C / SIGTERM: checkpoint and stop as 'interrupted' (resumable), not 'failed'.
  const releaseSignals = interruptOnSignals(services)
  let progress: ProgressDisplay | undefined
  try {
    const { config, datasetName } = await resolveCliConfig(services, o)
    progress = createProgress({ quiet: o.quiet, run: config })
    const display = progress
    services.bus.subscribe((event, p) => event === 'run.progress' && display.update(p as RunProgress))
    const t0 = Date.now()
    const summary = await services.call('runs.start', config)
    display.log(`run ${summary.id} · ${datasetName} · ${tasksText(config)} · data in ${o.dataDir}`)
    return await reportWhenFinished(services, summary.id, display, t0, o.json)
  } finally {
    progress?.stop()
    releaseSignals()
    await services.close()
  }
}

export function registerRunCommand(program: Command) {
  const cmd = program
    .command('run')
    .description('train IUNet and the baselines on a dataset and compare them; every run setting is a flag')
    .option('--data <path|id>', `a stored dataset id (or datasetId in --config), or a file or folder to import: ${IMPORT_FORMATS}`)
    .option('--target <column>', 'target column')
    .option('--shape <HxWxC>', 'image shape of a pixel CSV, e.g. 8x8x1')
    .option('--preset <preset>', `${Preset.options.join(' | ')} (default quick)`)
  addRunConfigOptions(cmd)
    .option('--workers <n>', 'parallel training workers (default: one per CPU core; one with webgpu)')
    .addOption(backendOption())
    .option('--json <file>', 'write the results as JSON')
    .option('-q, --quiet', 'no per-epoch progress lines')
    .addOption(dataDirOption())
    .action(async (o: RunOptions) => {
      process.exitCode = await runCommand(o)
    })
}
