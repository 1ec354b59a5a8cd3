/**
 * Training progress of `iunet run`, `iunet resume` and `iunet study task`. In a terminal: a live display
 * (cli-progress), one bar per task (model × seed × fold, named by the contract's taskLabel: "Dense MLP · seed 0 ·
 * fold 2/3") showing its phase, epoch and validation accuracy, under one bar for the whole run with its ETA. When the
 * output is not a terminal (a pipe, a log file, CI, a Slurm log): plain lines, one per epoch per task.
 * Progress goes to stderr, so the table on stdout stays clean either way.
 */
import cliProgress from 'cli-progress'
import { type FoldSplit, MODEL_LABELS, type RunProgress, percent, roughDuration, taskKey, taskLabel } from '../contract/index.ts'

export interface ProgressDisplay {
  update(p: RunProgress): void
  /** A line of text (above the bars when live). */
  log(line: string): void
  /** Ends the live display (idempotent); call before printing the results. */
  stop(): void
}

type Out = NodeJS.WritableStream & { isTTY?: boolean; columns?: number }

export interface ProgressOptions {
  quiet?: boolean
  out?: Out
  /** The run's split, so folds read "fold 2/3" (without it: "fold 2"). */
  run?: FoldSplit
}

/** "Dense MLP · seed 0 · fold 2/3 · supernet 3/10 · val acc 75.0 %": one task's epoch. */
export function progressLine(p: RunProgress, run?: FoldSplit): string {
  const acc = p.metrics ? ` · val acc ${percent(p.metrics.valAccuracy)}` : ''
  return `${taskLabel(p, run)} · ${p.phase} ${p.epoch}/${p.totalEpochs}${acc}`
}

/** The plain format: one line per (task, phase, epoch), with the run's share done and the ETA. */
export function plainProgress(out: Out = process.stderr, run?: FoldSplit): ProgressDisplay {
  const last = new Map<string, string>()
  return {
    update(p) {
      const stamp = `${p.phase}:${p.epoch}`
      if (!p.metrics || last.get(taskKey(p)) === stamp) return
      last.set(taskKey(p), stamp)
      const eta = p.etaSeconds === null ? '' : ` · eta ${roughDuration(p.etaSeconds)}`
      out.write(`[${(100 * p.runProgress).toFixed(0).padStart(3)}%] ${progressLine(p, run)}${eta}\n`)
    },
    log: (line) => out.write(line + '\n'),
    stop: () => {}
  }
}

/** The live display: bars redrawn in place (at most ~10 times a second). */
export function liveProgress(out: Out = process.stderr, run?: FoldSplit): ProgressDisplay {
  // Wide enough for the longest model label with a two-digit seed and fold.
  const labelWidth = Math.max(...Object.values(MODEL_LABELS).map((l) => l.length)) + ' · seed 10 · fold 10/10'.length
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
        info: p.etaSeconds === null ? '' : `eta ${roughDuration(p.etaSeconds)}`
      })
      // One bar per task: each fold is its own task, so its own bar.
      const key = taskKey(p)
      let bar = bars.get(key)
      const label = taskLabel(p, run).padEnd(labelWidth)
      if (!bar) {
        bar = multi.create(Math.max(1, p.totalEpochs), 0, { label, phase: '', info: '' })
        bars.set(key, bar)
      }
      const done = p.phase === 'done'
      bar.setTotal(Math.max(1, p.totalEpochs))
      bar.update(done ? Math.max(1, p.totalEpochs) : p.epoch, {
        label,
        phase: done ? 'done' : `${p.phase} ${p.epoch}/${p.totalEpochs}`.padEnd(16),
        info: p.metrics ? `val acc ${percent(p.metrics.valAccuracy)}` : ''
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
export function createProgress(options: ProgressOptions = {}): ProgressDisplay {
  const out = options.out ?? process.stderr
  if (options.quiet) return { update: () => {}, log: (line) => out.write(line + '\n'), stop: () => {} }
  return out.isTTY ? liveProgress(out, options.run) : plainProgress(out, options.run)
}
