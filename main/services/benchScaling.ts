/**
 * The scaling part of `iunet bench`: on Fashion-MNIST (Debian's dataset-fashion-mnist), the peak memory of a whole
 * comparison run, and training throughput and peak memory by worker count. Each figure is one `iunet run` in a child
 * process of its own (peak RSS is per process; the training workers are its threads), on a throwaway data folder
 * holding the imported dataset, so the runs measure training, not the import.
 *
 * - The comparison run: `--preset standard --seeds 1 --epochs 1 --finetune-epochs 1 --workers 2` (IUNet, dense MLP,
 *   CNN and OMP, one epoch per phase): the run whose peak memory the data layout decides.
 * - Worker scaling: w = 1, 2, 4, … up to the cores (and the cores), each training w dense MLPs (`--models mlp --seeds
 *   w`, 1 + 1 epochs) side by side: training samples per second of wall time (start-up and data preparation
 *   included), and the peak memory, which grows with w by what each worker holds of its own.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runShape, trainRowsOf, type Channel, type Req, type Res, type RunConfig } from '../contract/index.ts'
import { FASHION_MNIST_DIR } from './examples.ts'
import { appRoot } from './paths.ts'

/** One measured `iunet run`: its arguments after `--data <dataset>`, and what the run reported of itself. */
export interface RunFigures {
  command: string
  workers: number
  wallSeconds: number
  cpuSeconds: number
  peakRssMB: number
  /** Training samples (rows × epochs over all tasks) per second of the command's wall time. */
  samplesPerSecond: number
}

export type ScalingReport = { dataset: string; comparison: RunFigures; workerScaling: RunFigures[] } | { skipped: string }

/** The Fashion-MNIST training images (60,000 × 28×28×1). */
export const FASHION_MNIST_TRAIN = join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz')

/** 1, 2, 4, … below `cores`, then `cores` itself. */
export function workerCounts(cores: number): number[] {
  const out: number[] = []
  for (let w = 1; w < cores; w *= 2) out.push(w)
  out.push(Math.max(1, cores))
  return out
}

/** The flags of the comparison run and of a scaling step with w workers. */
export const COMPARISON_ARGS = ['--preset', 'standard', '--seeds', '1', '--epochs', '1', '--finetune-epochs', '1', '--workers', '2']
export const scalingArgs = (w: number) => [
  '--preset',
  'standard',
  '--models',
  'mlp',
  '--seeds',
  String(w),
  '--epochs',
  '1',
  '--finetune-epochs',
  '1',
  '--workers',
  String(w)
]

interface RunJson {
  status: string
  config: RunConfig
  process: { wallSeconds: number; cpuSeconds: number; peakRssMB: number }
}

/** Runs `iunet run --data <id> <args>` in a child process and reads what its --json says. */
export function measureRun(dataDir: string, datasetId: string, rows: number, args: string[]): RunFigures {
  const json = join(dataDir, `run-${Date.now()}.json`)
  const cli = join(appRoot(), 'bin', 'iunet.mjs')
  const r = spawnSync(process.execPath, [cli, 'run', '--data', datasetId, ...args, '-q', '--data-dir', dataDir, '--json', json], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }
  })
  if (r.status !== 0 || !existsSync(json)) throw new Error(`iunet run ${args.join(' ')} failed: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' ')}`)
  const out = JSON.parse(readFileSync(json, 'utf8')) as RunJson
  if (out.status !== 'finished') throw new Error(`iunet run ${args.join(' ')} ended ${out.status}`)
  const samples = runShape(out.config).epochs * trainRowsOf(out.config, rows)
  const workers = Number(args[args.indexOf('--workers') + 1])
  return { command: args.join(' '), workers, ...out.process, samplesPerSecond: samples / out.process.wallSeconds }
}

/** The scaling report, or why it was skipped (no Fashion-MNIST). `say` gets one line per figure. */
/** What the bench's runs need of a services instance (its own, on a throwaway data folder). */
export interface BenchServices {
  call<C extends Channel>(channel: C, req: Req<C>): Promise<Res<C>>
  whenFinished(id: string): Promise<void>
  close(): Promise<void>
}

export async function scalingReport(cores: number, open: (dataDir: string) => BenchServices, say: (line: string) => void): Promise<ScalingReport> {
  if (!existsSync(FASHION_MNIST_TRAIN)) return { skipped: `${FASHION_MNIST_TRAIN} is missing (apt-get install dataset-fashion-mnist)` }
  const dir = await mkdtemp(join(tmpdir(), 'iunet-bench-scaling-'))
  try {
    const services = open(dir)
    let dataset: { id: string; rows: number }
    try {
      dataset = await services.call('datasets.import', { path: FASHION_MNIST_TRAIN })
    } finally {
      await services.close()
    }
    const line = (f: RunFigures) =>
      `${f.workers} worker${f.workers === 1 ? '' : 's'}: ${Math.round(f.samplesPerSecond).toLocaleString('en-US')} samples/s, ` +
      `peak RSS ${Math.round(f.peakRssMB).toLocaleString('en-US')} MB, ${f.wallSeconds.toFixed(1)} s wall`
    const comparison = measureRun(dir, dataset.id, dataset.rows, COMPARISON_ARGS)
    say(`Fashion-MNIST comparison (iunet run ${comparison.command}): ${line(comparison)}`)
    const workerScaling: RunFigures[] = []
    for (const w of workerCounts(cores)) {
      const f = measureRun(dir, dataset.id, dataset.rows, scalingArgs(w))
      workerScaling.push(f)
      say(`Fashion-MNIST dense MLPs, ${line(f)}`)
    }
    return { dataset: FASHION_MNIST_TRAIN, comparison, workerScaling }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
