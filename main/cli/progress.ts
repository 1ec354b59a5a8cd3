/**
 * Training progress of `iunet run`. In a terminal: a live display (cli-progress), one bar per task (model × seed)
 * showing its phase, epoch and validation accuracy, under one bar for the whole run with its ETA. When the
 * output is not a terminal (a pipe, a log file, CI): the plain lines as before, one per epoch per task.
 * Progress goes to stderr, so the table on stdout stays clean either way.
 */
import cliProgress from 'cli-progress'
import { MODEL_LABELS, type RunProgress } from '../contract/index.ts'

export interface ProgressDisplay {
  update(p: RunProgress): void
  /** A line of text (above the bars when live). */
  log(line: string): void
  /** Ends the live display (idempotent); call before printing the results. */
  stop(): void
}

type Out = NodeJS.WritableStream & { isTTY?: boolean; columns?: number }

const taskKey = (p: RunProgress) => `${p.model}/${p.seed}`
const pctText = (x: number) => `${(100 * x).toFixed(1)}%`
const etaText = (s: number | null) => (s === null ? '' : s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 90 ? `${Math.ceil(s / 60)} min` : `${Math.ceil(s)} s`)

/** The plain format: one line per (task, phase, epoch), with the run's share done and the ETA. */
export function plainProgress(out: Out = process.stderr): ProgressDisplay {
  const last = new Map<string, string>()
  return {
    update(p) {
      const stamp = `${p.phase}:${p.epoch}`
      if (!p.metrics || last.get(taskKey(p)) === stamp) return
      last.set(taskKey(p), stamp)
      const eta = p.etaSeconds === null ? '' : ` · eta ${Math.ceil(p.etaSeconds)} s`
      out.write(
        `[${(100 * p.runProgress).toFixed(0).padStart(3)}%] ${MODEL_LABELS[p.model]} seed ${p.seed} ${p.phase} ${p.epoch}/${p.totalEpochs} · val acc ${(100 * p.metrics.valAccuracy).toFixed(1)}%${eta}\n`
      )
    },
    log: (line) => out.write(line + '\n'),
    stop: () => {}
  }
}

/** The live display: bars redrawn in place (at most ~10 times a second). */
export function liveProgress(out: Out = process.stderr): ProgressDisplay {
  const labelWidth = Math.max(...Object.values(MODEL_LABELS).map((l) => l.length)) + 8
  const multi = new cliProgress.MultiBar(
    {
      stream: out as NodeJS.WriteStream,
      format: ' {label} {bar} {phase} {info}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      forceRedraw: false,
      autopadding: true,
      emptyOnZero: true,
      gracefulExit: true
    },
    cliProgress.Presets.shades_classic
  )
  const overall = multi.create(1000, 0, { label: 'run'.padEnd(labelWidth), phase: '', info: '' })
  const bars = new Map<string, cliProgress.SingleBar>()
  let stopped = false
  return {
    update(p) {
      if (stopped) return
      overall.update(Math.round(1000 * p.runProgress), {
        phase: `${(100 * p.runProgress).toFixed(0).padStart(3)}%`,
        info: p.etaSeconds === null ? '' : `eta ${etaText(p.etaSeconds)}`
      })
      const key = taskKey(p)
      let bar = bars.get(key)
      const label = `${MODEL_LABELS[p.model]} seed ${p.seed}`.padEnd(labelWidth)
      if (!bar) {
        bar = multi.create(Math.max(1, p.totalEpochs), 0, { label, phase: '', info: '' })
        bars.set(key, bar)
      }
      const done = p.phase === 'done'
      bar.setTotal(Math.max(1, p.totalEpochs))
      bar.update(done ? Math.max(1, p.totalEpochs) : p.epoch, {
        label,
        phase: done ? 'done' : `${p.phase} ${p.epoch}/${p.totalEpochs}`.padEnd(16),
        info: p.metrics ? `val acc ${pctText(p.metrics.valAccuracy)}` : ''
      })
    },
    log(line) {
      if (stopped) out.write(line + '\n')
      else multi.log(line + '\n')
    },
    stop() {
      if (stopped) return
      stopped = true
      multi.stop()
    }
  }
}

/** Live when `out` is a terminal, plain lines otherwise; `quiet` keeps only the log lines. */
export function createProgress(options: { quiet?: boolean; out?: Out } = {}): ProgressDisplay {
  const out = options.out ?? process.stderr
  if (options.quiet) return { update: () => {}, log: (line) => out.write(line + '\n'), stop: () => {} }
  return out.isTTY ? liveProgress(out) : plainProgress(out)
}
