/**
 * Studies on Slurm:
 *   iunet study submit SPEC --slurm --dir DIR [--partition P] [--time T] [--cpus-per-task N]
 *   iunet study submit --resubmit DIR            (cells that failed or never ran, as a new array job)
 *   iunet study task DIR INDEX                   (what each array task runs; writes DIR/results/INDEX.json;
 *                                                 a killed or stopped cell continues from its checkpoints)
 *   iunet study status DIR                       (done / running / pending / failed per cell)
 *   iunet study collect DIR                      (results into the store; idempotent, partial studies usable)
 * DIR must be on a filesystem the compute nodes share; so must this checkout and its node_modules.
 */
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { arraySpec, arrayTaskStates, jobScript, submitArray, type SlurmOptions, type SlurmTaskState } from '../services/slurm.ts'
import { runFolderTask } from '../services/studyCell.ts'
import { TaskControl, type LoopProgress } from '../services/taskLoop.ts'
import { addJob, cellFileStates, clearError, readJobs, readStudyFolder, type FolderCell, type StudyFolder } from '../services/studyFolder.ts'
import { tasksText } from '../contract/index.ts'
import { CliError, table } from './output.ts'
import { createProgress } from './progress.ts'
import { dataDirOption } from './shared.ts'

export type CellState = 'done' | 'running' | 'pending' | 'failed' | 'not submitted'

/** Files first (a result file is final), then Slurm's word for the cell's latest job, then "failed" if it ended without a file. */
export async function cellStates(
  dir: string,
  folder: StudyFolder,
  slurm: (jobId: string) => Promise<Map<number, SlurmTaskState>> = arrayTaskStates
): Promise<CellState[]> {
  const files = cellFileStates(dir, folder)
  const jobs = readJobs(dir)
  const latestJob = new Map<number, string>()
  for (const j of jobs) for (const i of j.indices) latestJob.set(i, j.jobId)
  const states = new Map<string, Map<number, SlurmTaskState>>()
  for (const id of new Set(latestJob.values())) states.set(id, await slurm(id))
  return folder.cells.map((c) => {
    if (files[c.index] === 'done') return 'done'
    const job = latestJob.get(c.index)
    if (!job) return 'not submitted'
    const s = states.get(job)?.get(c.index)
    if (s === 'running') return 'running'
    if (s === 'pending') return 'pending'
    // Ended (or forgotten by Slurm) without a result file: it failed, whatever the exit code said.
    return files[c.index] === 'failed' || s === 'failed' || s === 'completed' || s === 'unknown' || s === undefined ? 'failed' : 'pending'
  })
}

/** The command a compute node runs: this node binary and this CLI entry (both must be on the shared path). */
function selfCommand(): string[] {
  const entry = process.env.IUNET_BIN ?? process.argv[1]
  if (!entry) throw new CliError('cannot tell how this iunet was started; set IUNET_BIN to the path of bin/iunet.mjs')
  return [process.execPath, ...process.execArgv, resolve(entry)]
}

function slurmOptions(o: { partition?: string; time?: string; cpusPerTask?: string; sbatchArg?: string[] }): SlurmOptions {
  const cpus = o.cpusPerTask === undefined ? undefined : Number(o.cpusPerTask)
  if (cpus !== undefined && !(Number.isInteger(cpus) && cpus >= 1)) throw new CliError(`--cpus-per-task must be a whole number ≥ 1, got "${o.cpusPerTask}"`)
  return { partition: o.partition, time: o.time, cpusPerTask: cpus, extra: o.sbatchArg }
}

export function registerSlurmCommands(study: Command) {
  study
    .command('submit <specOrDir>')
    .description('write a study folder on a shared path and submit its cells as one Slurm array job (sbatch --array)')
    .option('--slurm', 'submit to Slurm (the only scheduler supported)')
    .option('--dir <dir>', 'the study folder (shared with the compute nodes)')
    .option('--resubmit', 'SPEC_OR_DIR is a study folder: submit again the cells that failed or never ran')
    .option('--partition <p>', 'Slurm partition')
    .option('--time <t>', 'Slurm time limit per cell, e.g. 02:00:00')
    .option('--cpus-per-task <n>', 'CPUs per cell (its training workers)', '1')
    .option('--sbatch-arg <arg...>', 'extra sbatch arguments, passed as given')
    .addOption(dataDirOption())
    .action(
      async (
        target: string,
        o: { slurm?: boolean; dir?: string; resubmit?: boolean; partition?: string; time?: string; cpusPerTask?: string; sbatchArg?: string[]; dataDir: string }
      ) => {
        if (!o.slurm && !o.resubmit) throw new CliError('say where to run it: --slurm (submits with sbatch). To run on this machine: iunet study run SPEC')
        const opts = slurmOptions(o)
        let dir: string
        let folder: StudyFolder
        let indices: number[]
        if (o.resubmit) {
          dir = resolve(target)
          folder = readStudyFolder(dir)
          const states = await cellStates(dir, folder)
          indices = folder.cells.filter((c) => states[c.index] === 'failed' || states[c.index] === 'not submitted').map((c) => c.index)
          if (!indices.length) {
            process.stdout.write(
              `nothing to resubmit: ${states.filter((s) => s === 'done').length} done, ${states.filter((s) => s === 'running' || s === 'pending').length} running or pending\n`
            )
            return
          }
          for (const i of indices) clearError(dir, i)
        } else {
          if (!o.dir) throw new CliError('--dir DIR is required: the study folder on a path the compute nodes share')
          dir = resolve(o.dir)
          const { loadStudySpec } = await import('./studySpec.ts')
          const spec = await loadStudySpec(target)
          const { createServices } = await import('../services/index.ts')
          const services = createServices({ dataDir: o.dataDir, transport: 'websocket', workers: 1 })
          try {
            folder = await services.writeStudyFolder(dir, spec)
          } finally {
            await services.close()
          }
          const files = cellFileStates(dir, folder)
          indices = folder.cells.filter((c) => files[c.index] !== 'done').map((c) => c.index)
          if (!indices.length) {
            process.stdout.write(`every cell of ${dir} has its result already; collect it with: iunet study collect ${dir}\n`)
            return
          }
        }
        const jobId = await submitArray(dir, jobScript(dir, folder.name, selfCommand(), opts), indices, opts)
        addJob(dir, { jobId, indices, submittedAt: new Date().toISOString() })
        process.stdout.write(`submitted job ${jobId}: ${indices.length} cell(s) (--array=${arraySpec(indices)}) of study ${folder.studyId} in ${dir}\n`)
        process.stdout.write(`follow it with: iunet study status ${dir}\nthen: iunet study collect ${dir}\n`)
      }
    )

  study
    .command('task <dir> [index]')
    .description('train one cell of a study folder (what each Slurm array task runs); writes DIR/results/INDEX.json, never the store')
    .option('--workers <n>', 'training workers (default: $SLURM_CPUS_PER_TASK or 1)')
    .option('-q, --quiet', 'no per-epoch progress lines')
    .action(async (dir: string, index: string | undefined, o: { workers?: string; quiet?: boolean }) => {
      const i = Number(index ?? process.env.SLURM_ARRAY_TASK_ID)
      if (!Number.isInteger(i) || i < 0) throw new CliError('give the cell index (or run inside a Slurm array task, which sets SLURM_ARRAY_TASK_ID)')
      const workers = Number(o.workers ?? process.env.SLURM_CPUS_PER_TASK ?? 1) || 1
      const t0 = Date.now()
      // One plain line per task and epoch (a Slurm log is not a terminal), tasks named with their fold.
      const display = createProgress({ quiet: o.quiet, run: readStudyFolder(dir).cells[i]?.config })
      const onProgress = (p: LoopProgress) => display.update({ runId: `cell ${i}`, ...p })
      // SIGTERM (Slurm's time limit, scancel) or Ctrl-C: running tasks checkpoint and stop; the next run continues.
      const control = new TaskControl()
      const onSignal = (signal: NodeJS.Signals) => {
        if (control.stopped) process.exit(130)
        process.stderr.write(`${signal}: saving checkpoints and stopping cell ${i}; run it again (or resubmit) to continue\n`)
        control.interrupt()
      }
      process.on('SIGINT', onSignal)
      process.on('SIGTERM', onSignal)
      let r: Awaited<ReturnType<typeof runFolderTask>>
      try {
        const onStart = (cell: FolderCell, kept: number) =>
          display.log(
            `cell ${i} · ${cell.datasetName} ${JSON.stringify(cell.grid)} · ${tasksText(cell.config)}${kept ? ` · continuing: ${kept} finished before` : ''}`
          )
        r = await runFolderTask(dir, i, { workers, control, onProgress, onStart })
      } finally {
        display.stop()
        process.off('SIGINT', onSignal)
        process.off('SIGTERM', onSignal)
      }
      process.stdout.write(`cell ${i} (${r.key}): ${r.results.length} results in ${((Date.now() - t0) / 1000).toFixed(1)} s on ${r.host}\n`)
    })

  study
    .command('status <dir>')
    .description('done / running / pending / failed cells of a study folder (from its files, squeue and sacct)')
    .option('--json', 'print the states as JSON')
    .action(async (dir: string, o: { json?: boolean }) => {
      const folder = readStudyFolder(dir)
      const states = await cellStates(dir, folder)
      if (o.json) {
        process.stdout.write(
          JSON.stringify(
            folder.cells.map((c) => ({ index: c.index, key: c.key, dataset: c.datasetName, grid: c.grid, state: states[c.index] })),
            null,
            2
          ) + '\n'
        )
        return
      }
      const count = (s: CellState) => states.filter((x) => x === s).length
      process.stdout.write(
        `study ${folder.studyId} · ${folder.name}: ${count('done')} done, ${count('running')} running, ${count('pending')} pending, ${count('failed')} failed, ${count('not submitted')} not submitted (of ${states.length})\n`
      )
      const open = folder.cells.filter((c) => states[c.index] !== 'done')
      if (open.length)
        process.stdout.write(
          table(
            ['cell', 'dataset', 'grid', 'state'],
            open.map((c) => [String(c.index), c.datasetName, JSON.stringify(c.grid), states[c.index]!])
          ) + '\n'
        )
      if (count('failed'))
        process.stdout.write(`resubmit the failed cells with: iunet study submit --resubmit ${resolve(dir)}  (logs in ${resolve(dir, 'logs')})\n`)
    })

  study
    .command('collect <dir>')
    .description("merge a study folder's results into the store (collecting again adds nothing; unfinished cells stay open)")
    .addOption(dataDirOption())
    .action(async (dir: string, o: { dataDir: string }) => {
      const { createServices } = await import('../services/index.ts')
      const services = createServices({ dataDir: o.dataDir, transport: 'websocket', workers: 1 })
      try {
        const r = services.collectStudyFolder(dir)
        process.stdout.write(`study ${r.studyId}: ${r.added} cell(s) added, ${r.skipped} already stored, ${r.missing} without results yet\n`)
        process.stdout.write(`see it with: iunet study show ${r.studyId}\n`)
      } finally {
        await services.close()
      }
    })
}
