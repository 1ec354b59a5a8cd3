/**
 * `iunet study run SPEC` (local worker pool, resumable), `iunet study show ID`, `iunet study list`, and the Slurm
 * commands (`submit`, `task`, `status`, `collect`: see studySlurm.ts). SPEC is JSON or YAML; dataset paths in it are
 * relative to the spec file's folder.
 */
import { writeFile } from 'node:fs/promises'
import type { Command } from 'commander'
import {
  describePoint,
  ModelKind,
  pctMeanStd,
  replicatesText,
  StudyMetric,
  type BackendChoice,
  type StudyDetail,
  type StudyProgress
} from '../contract/index.ts'
import { table } from './output.ts'
import { backendOption, dataDirOption } from './shared.ts'
import { loadStudySpec } from './studySpec.ts'
import { registerSlurmCommands } from './studySlurm.ts'

/** What a study's means are over: "3 seeds", "2 seeds × 5 folds", or seeds × each cell's folds when the grid sweeps k. */
export function studyReplicates(d: Pick<StudyDetail, 'spec'>): string {
  if ('split.kfold' in d.spec.grid) return `${d.spec.seeds} seed(s) × each cell's folds`
  const kfold = (d.spec.settings['split'] as { kfold?: number | null } | undefined)?.kfold ?? null
  return replicatesText({ seeds: d.spec.seeds, split: { kfold } })
}

/** The dataset × variant matrix, ranks and verdicts as terminal text. */
export function formatStudy(d: StudyDetail): string {
  const out: string[] = [
    `study ${d.id} · ${d.name} · ${d.finishedCells}/${d.cells} cells finished · ${d.metric} (%), mean ± std over ${studyReplicates(d)}`,
    ''
  ]
  if (!d.variants.length) return out.concat('no finished cells yet').join('\n')
  const cell = (m: Parameters<typeof pctMeanStd>[0]) => pctMeanStd(m, { unit: false })
  const rows = d.datasetList.map((ds, i) => [ds.name, ...d.matrix[i]!.map((m, j) => (m ? `${cell(m)}${d.best[i]!.includes(j) ? ' *' : ''}` : '—'))])
  if (d.ranks) rows.push([`avg rank (${d.ranks.datasets.length} datasets)`, ...d.ranks.average.map((r) => r.toFixed(2))])
  out.push(table(['dataset', ...d.variants.map((v) => v.label)], rows), '* best on the dataset', '')
  if (d.nemenyi) out.push(`Nemenyi critical difference: ${d.nemenyi.cd.toFixed(3)} ranks (α = ${d.alpha})`)
  out.push(...d.verdicts)
  return out.join('\n')
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
    .option('--json <file>', 'write the study detail as JSON')
    .addOption(dataDirOption())
    .action(async (id: string, o: { baseline?: string; metric?: string; json?: string; dataDir: string }) => {
      const { createServices } = await import('../services/index.ts')
      const services = createServices({ dataDir: o.dataDir, transport: 'websocket', workers: 1, readOnly: true })
      try {
        const detail = await services.call('studies.get', { id, baseline: o.baseline as ModelKind | undefined, metric: o.metric as StudyMetric | undefined })
        process.stdout.write(formatStudy(detail) + '\n')
        if (o.json) await writeFile(o.json, JSON.stringify(detail, null, 2) + '\n')
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
