/** `iunet resume <run>`: continue an interrupted or failed run; finished tasks are kept, the others continue from
 *  their last checkpoint, so the final numbers equal an uninterrupted run's. */
import type { Command } from 'commander'
import type { RunProgress } from '../contract/index.ts'
import { createProgress, type ProgressDisplay } from './progress.ts'
import { reportWhenFinished } from './run.ts'
import { dataDirOption } from './shared.ts'
import { interruptOnSignals } from './signals.ts'

export interface ResumeOptions {
  dataDir: string
  workers?: string
  json?: string
  quiet?: boolean
}

export async function resumeCommand(run: string, o: ResumeOptions): Promise<number> {
  const { createServices } = await import('../services/index.ts')
  const services = createServices({ dataDir: o.dataDir, transport: 'websocket', workers: o.workers ? Number(o.workers) : undefined })
  const releaseSignals = interruptOnSignals(services)
  let progress: ProgressDisplay | undefined
  try {
    // A full id, or the unique prefix `iunet runs` prints.
    const runs = await services.call('runs.list', {})
    const matches = runs.filter((r) => r.id === run || r.id.startsWith(run))
    if (matches.length !== 1) {
      process.stderr.write(
        `error: ${matches.length ? `"${run}" matches ${matches.length} runs; give more of the id` : `no run with id "${run}" (see iunet runs)`}\n`
      )
      return 2
    }
    const id = matches[0]!.id
    const { config } = await services.call('runs.get', { id })
    progress = createProgress({ quiet: o.quiet, run: config })
    const display = progress
    services.bus.subscribe((event, p) => event === 'run.progress' && (p as RunProgress).runId === id && display.update(p as RunProgress))
    const t0 = Date.now()
    await services.call('runs.resume', { id })
    display.log(`resuming run ${id} · data in ${o.dataDir}`)
    return await reportWhenFinished(services, id, display, t0, o.json)
  } finally {
    progress?.stop()
    releaseSignals()
    await services.close()
  }
}

export function registerResumeCommand(program: Command) {
  program
    .command('resume <run>')
    .description('continue an interrupted or failed run from its checkpoints (finished models are kept, not rerun)')
    .option('--workers <n>', 'parallel training workers (default: one per CPU core)')
    .option('--json <file>', 'write the results as JSON')
    .option('-q, --quiet', 'no per-epoch progress lines')
    .addOption(dataDirOption())
    .action(async (run: string, o: ResumeOptions) => {
      process.exitCode = await resumeCommand(run, o)
    })
}
