/**
 * `iunet study run SPEC` (local worker pool, resumable), `iunet study show ID`, `iunet study list`, and the Slurm
 * commands (`submit`, `task`, `status`, `collect`: see studySlurm.ts). SPEC is JSON or YAML; dataset paths in it are
 * relative to the spec file's folder.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Command } from 'commander'
import { describePoint, ModelKind, StudyMetric, type BackendChoice, type StudyProgress } from '../contract/index.ts'
import { CliError, table } from './output.ts'
import { formatStudy, type ShowOptions } from './studyShow.ts'
import { backendOption, dataDirOption } from './shared.ts'
import { loadStudySpec } from './studySpec.ts'
import { registerSlurmCommands } from './studySlurm.ts'

/** --model, --top and --wide, checked: a bad value is a usage error (exit 2). */
export function showOptions(o: { model?: string; top?: string; wide?: boolean }): ShowOptions {
  const models = o.model
    ?.split(',')
    .map((m) => m.trim())
    .filter(Boolean)
  const bad = models?.filter((m) => !ModelKind.safeParse(m).success) ?? []
  if (bad.length) throw new CliError(`--model: unknown model ${bad.map((m) => `"${m}"`).join(', ')} (known: ${ModelKind.options.join(', ')})`)
  const top = o.top === undefined ? undefined : Number(o.top)
  if (top !== undefined && (!Number.isInteger(top) || top < 1)) throw new CliError(`--top: expected a whole number ≥ 1, got "${o.top}"`)
  return { models: models as ModelKind[] | undefined, top, wide: !!o.wide }
}

function printProgress(p: StudyProgress, quiet: boolean, names: Map<string, string>) {
  if (quiet || !p.cell) return
  process.stderr.write(`[${p.cellsDone}/${p.cells}] ${p.status === 'running' ? 'started' : p.status} ${names.get(p.cell) ?? p.cell}\n`)
}

export function registerStudyCommands(program: Command) {
  const study = program.command('study').description('studies: many datasets × a grid of settings × models × seeds, with tests across datasets')
  study
    .command('run <spec>')
    .description('run a study spec (JSON/YAML) on this machine; running it again resumes it (finished cells are skipped)')
    .option('--workers <n>', 'parallel training workers (default: one per CPU core)')
    .option('--concurrency <n>', 'cells trained at once', '2')
    .addOption(backendOption())
    .option('--json <file>', 'write the study detail (matrix, ranks, tests) as JSON')
    .option('-q, --quiet', 'no per-cell progress lines')
    .addOption(dataDirOption())
    .action(async (file: string, o: { workers?: string; concurrency: string; backend?: BackendChoice; json?: string; quiet?: boolean; dataDir: string }) => {
      const spec = await loadStudySpec(file)
      const { createServices } = await import('../services/index.ts')
      const services = createServices({ dataDir: o.dataDir, transport: 'websocket', workers: o.workers ? Number(o.workers) : undefined, backend: o.backend })
      try {
        const names = new Map<string, string>()
        services.bus.subscribe((event, p) => event === 'study.progress' && printProgress(p as StudyProgress, !!o.quiet, names))
        const { study: s, finished } = await services.runStudy(spec, { concurrency: Number(o.concurrency) || 2 })
        for (const c of s.cells) names.set(c.key, [c.datasetName, describePoint(c.grid)].filter(Boolean).join(' · '))
        process.stderr.write(`study ${s.id} · ${s.cells.length} cells · data in ${o.dataDir}\n`)
        let failed: Error | null = null
        await finished.catch((e: Error) => (failed = e))
        const detail = await services.call('studies.get', { id: s.id })
        process.stdout.write(formatStudy(detail) + '\n')
        if (o.json) await writeFile(o.json, JSON.stringify(detail, null, 2) + '\n')
        if (failed) throw failed
      } finally {
        await services.close()
      }
    })
  study
    .command('show <id>')
    .description('a stored study: the dataset × model matrix, average ranks, Friedman/Nemenyi and tests against a baseline')
    .option('--baseline <model>', `model to test the others against (${ModelKind.options.join(', ')})`)
    .option('--metric <metric>', StudyMetric.options.join(' | '))
    .option('--model <models>', 'only these models (comma-separated), the baseline always shown')
    .option('--top <n>', 'only the n variants with the best average rank')
    .option('--wide', 'also print the dataset × variant matrix, however wide')
    .option('--json <file>', 'write the study detail (matrix, grid effects, tuned comparison) as JSON')
    .addOption(dataDirOption())
    .action(async (id: string, o: { baseline?: string; metric?: string; model?: string; top?: string; wide?: boolean; json?: string; dataDir: string }) => {
      const show = showOptions(o)
      const { createServices } = await import('../services/index.ts')
      const services = createServices({ dataDir: o.dataDir, transport: 'websocket', workers: 1, readOnly: true })
      try {
        const detail = await services.call('studies.get', { id, baseline: o.baseline as ModelKind | undefined, metric: o.metric as StudyMetric | undefined })
        process.stdout.write(formatStudy(detail, show) + '\n')
        if (o.json) await writeFile(o.json, JSON.stringify(detail, null, 2) + '\n')
      } finally {
        await services.close()
      }
    })
  study
    .command('export <id>')
    .description('the long table (CSV, one row per dataset × variant × seed × fold), the analysis (JSON) and the CD diagram (SVG)')
    .requiredOption('--out <dir>', 'folder to write study-<id>.csv, .json and -cd.svg into (created if missing)')
    .option('--baseline <model>', `model to test the others against (${ModelKind.options.join(', ')})`)
    .option('--metric <metric>', StudyMetric.options.join(' | '))
    .addOption(dataDirOption())
    .action(async (id: string, o: { out: string; baseline?: string; metric?: string; dataDir: string }) => {
      const { createServices } = await import('../services/index.ts')
      const services = createServices({ dataDir: o.dataDir, transport: 'websocket', workers: 1, readOnly: true })
      try {
        const e = await services.call('studies.export', { id, baseline: o.baseline as ModelKind | undefined, metric: o.metric as StudyMetric | undefined })
        await mkdir(o.out, { recursive: true })
        const files = [[`${e.name}.csv`, e.csv], [`${e.name}.json`, e.json], ...(e.svg ? [[`${e.name}-cd.svg`, e.svg]] : [])] as const
        for (const [name, text] of files) await writeFile(join(o.out, name), text)
        process.stdout.write(
          `${files.map(([name]) => join(o.out, name)).join('\n')}\n${e.svg ? '' : 'no CD diagram: it needs at least 3 variants and 2 datasets where all finished\n'}`
        )
      } finally {
        await services.close()
      }
    })
  study
    .command('list')
    .description('stored studies')
    .addOption(dataDirOption())
    .action(async (o: { dataDir: string }) => {
      const { createServices } = await import('../services/index.ts')
      const services = createServices({ dataDir: o.dataDir, transport: 'websocket', workers: 1, readOnly: true })
      try {
        const list = await services.call('studies.list', {})
        process.stdout.write(
          table(
            ['id', 'name', 'datasets', 'cells finished'],
            list.map((s) => [s.id, s.name, String(s.datasets), `${s.finishedCells}/${s.cells}`])
          ) + '\n'
        )
      } finally {
        await services.close()
      }
    })
  registerSlurmCommands(study)
}
