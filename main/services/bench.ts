/**
 * The benchmark suite behind `iunet bench`: training throughput on the active backend, the wall time of a quick comparison, and — where
 * PyTorch is installed (Debian's python3-torch) — the same MLP/CNN steps in PyTorch CPU, 1 thread, measured in
 * the same run, with the ratios.
 *
 * With the native kernels (native/, OpenBLAS) it measures, in one run: the MLP on native kernels with 1 BLAS thread
 * and with all cores, the same MLP on the pure wasm kernels, the MLP masked to 1/16 on the sparse vs the dense
 * masked kernels (train and inference), the CNN on both, and PyTorch with 1 thread and with all cores. PyTorch
 * gets the same OpenBLAS kernel family (OPENBLAS_CORETYPE) as the addon, so the comparison is like for like.
 * Last, on Fashion-MNIST, the peak memory of a comparison run and the worker-count scaling (benchScaling.ts).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BackendChoice } from '../contract/index.ts'
import { describeBackend, initBackend } from '../engine/backend.ts'
import { benchCnn, benchMaskedMlp, benchMlp } from '../engine/bench.ts'
import { nativeStatus, setBlasThreads, setNativeEnabled } from '../engine/kernels/native.ts'
import { scalingReport, type BenchServices } from './benchScaling.ts'

export type { BenchServices }
import { appRoot, examplesDir } from './paths.ts'

export interface BenchSuiteOptions {
  /** Measuring time per benchmark. */
  seconds: number
  backend: BackendChoice
  skipComparison?: boolean
  /** Skip the Fashion-MNIST memory and worker-scaling runs (minutes). */
  skipScaling?: boolean
}

interface TorchFigures {
  torchMlpSamplesPerSecond: number
  torchCnnImagesPerSecond: number
  torchVersion: string
}

function torchBench(seconds: number, threads = 1, coretype: string | null = null): TorchFigures | { skipped: string } {
  const script = join(appRoot(), 'bench', 'torch_bench.py')
  if (!existsSync(script)) return { skipped: 'bench/torch_bench.py missing' }
  // Debian's python3-torch lives with the system Python, which a pyenv/venv `python3` on PATH may hide.
  const python = ['/usr/bin/python3', 'python3'].find((py) => spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0)
  if (!python) return { skipped: 'PyTorch is not installed (apt-get install python3-torch to compare)' }
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) }
  if (coretype && !env.OPENBLAS_CORETYPE) env.OPENBLAS_CORETYPE = coretype
  const r = spawnSync(python, [script, '--seconds', String(seconds), '--threads', String(threads)], { encoding: 'utf8', env })
  if (r.status !== 0) return { skipped: `torch_bench.py failed: ${r.stderr.trim().split('\n').pop()}` }
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { mlpSamplesPerSecond: number; cnnImagesPerSecond: number; torchVersion: string }
  return { torchMlpSamplesPerSecond: out.mlpSamplesPerSecond, torchCnnImagesPerSecond: out.cnnImagesPerSecond, torchVersion: out.torchVersion }
}

/** A quick comparison (wine, quick preset, 3 seeds) in a throwaway data folder, so the bench never touches the user's runs. */
async function quickComparison(open: (dataDir: string) => BenchServices): Promise<number | null> {
  const dir = await mkdtemp(join(tmpdir(), 'iunet-bench-'))
  const services = open(dir)
  try {
    const t0 = Date.now()
    const d = await services.call('datasets.import', { path: join(examplesDir(), 'wine.csv') })
    const config = await services.call('runs.defaults', { datasetId: d.id, preset: 'quick' })
    const run = await services.call('runs.start', { ...config, seeds: 3 })
    await services.whenFinished(run.id)
    const done = await services.call('runs.get', { id: run.id })
    return done.status === 'finished' ? (Date.now() - t0) / 1000 : null
  } finally {
    await services.close()
    await rm(dir, { recursive: true, force: true })
  }
}

/** Runs every benchmark in one process, side by side; `say` gets one human line per figure. */
export async function runBenchSuite(o: BenchSuiteOptions, say: (line: string) => void, open: (dataDir: string) => BenchServices) {
  const seconds = o.seconds
  const backend = await initBackend(o.backend)
  const native = nativeStatus()
  const onNative = backend.name === 'wasm' && native.available
  const cores = availableParallelism()
  const n0 = (x: number) => Math.round(x).toLocaleString('en-US')
  say(`backend ${describeBackend(backend)}; measuring ${seconds} s each…`)
  if (backend.adapter) {
    const a = backend.adapter
    say(
      `adapter: vendor ${a.vendor || '?'}, architecture ${a.architecture || '?'}, device ${a.device || '?'}, ${a.description}${a.software ? ' (software: correctness only, not GPU speed)' : ''}`
    )
  }
  // One task's view: 1 BLAS thread (what each of `cores` parallel workers gets) is the headline figure.
  if (onNative) setBlasThreads(1)
  const mlp = benchMlp({ seconds })
  say(`MLP 784-1024-1024-1024-10, batch 256, Adam${onNative ? ', native 1 thread' : ''}: ${n0(mlp.perSecond)} samples/s`)
  const cnn = benchCnn({ seconds })
  say(`CNN 28×28×1, batch ${cnn.batchSize ?? 128}${onNative ? ', native 1 thread' : ''}: ${n0(cnn.perSecond)} images/s`)
  let extra: Record<string, unknown> = {}
  if (onNative) {
    setBlasThreads(cores)
    const mlpAll = benchMlp({ seconds })
    say(`MLP, native ${cores} threads: ${n0(mlpAll.perSecond)} samples/s (${(mlpAll.perSecond / mlp.perSecond).toFixed(2)}× 1 thread)`)
    setBlasThreads(1)
    const masked = benchMaskedMlp({ seconds })
    say(
      `MLP masked to 1/16, 1 thread: train ${n0(masked.sparseTrain.perSecond)} samples/s sparse vs ${n0(masked.denseTrain.perSecond)} dense masked ` +
        `(${(masked.sparseTrain.perSecond / masked.denseTrain.perSecond).toFixed(2)}×); inference ${n0(masked.sparseInference.perSecond)} vs ` +
        `${n0(masked.denseInference.perSecond)} (${(masked.sparseInference.perSecond / masked.denseInference.perSecond).toFixed(2)}×); ` +
        `FLOPs/example ${n0(masked.flops.sparse)} vs ${n0(masked.flops.dense)}`
    )
    setNativeEnabled(false)
    const mlpWasm = benchMlp({ seconds })
    const cnnWasm = benchCnn({ seconds })
    setNativeEnabled(true)
    say(`pure wasm kernels: MLP ${n0(mlpWasm.perSecond)} samples/s, CNN ${n0(cnnWasm.perSecond)} images/s`)
    extra = {
      kernels: `wasm + ${native.library}${native.kernels ? ` (${native.kernels} kernels)` : ''}`,
      native,
      mlpSamplesPerSecondAllThreads: mlpAll.perSecond,
      blasThreads: cores,
      threadSpeedup: mlpAll.perSecond / mlp.perSecond,
      mlpSamplesPerSecondWasm: mlpWasm.perSecond,
      cnnImagesPerSecondWasm: cnnWasm.perSecond,
      nativeSpeedupMlp: mlp.perSecond / mlpWasm.perSecond,
      nativeSpeedupCnn: cnn.perSecond / cnnWasm.perSecond,
      maskedDensity: 1 / 16,
      sparseTrainSamplesPerSecond: masked.sparseTrain.perSecond,
      denseMaskedTrainSamplesPerSecond: masked.denseTrain.perSecond,
      sparseInferenceSamplesPerSecond: masked.sparseInference.perSecond,
      denseMaskedInferenceSamplesPerSecond: masked.denseInference.perSecond,
      sparseTrainSpeedup: masked.sparseTrain.perSecond / masked.denseTrain.perSecond,
      sparseInferenceSpeedup: masked.sparseInference.perSecond / masked.denseInference.perSecond,
      maskedFlopsPerExample: masked.flops
    }
  } else {
    extra = { kernels: backend.name, native, mlpSamplesPerSecondWasm: backend.name === 'wasm' ? mlp.perSecond : null }
    if (native.reason) say(`native kernels not used: ${native.reason}`)
  }
  const torch = torchBench(seconds, 1, native.kernels)
  const torchAll = cores > 1 && !('skipped' in torch) ? torchBench(seconds, cores, native.kernels) : null
  if ('skipped' in torch) say(`PyTorch: ${torch.skipped}`)
  else
    say(`PyTorch ${torch.torchVersion} CPU, 1 thread: MLP ${n0(torch.torchMlpSamplesPerSecond)} samples/s, CNN ${n0(torch.torchCnnImagesPerSecond)} images/s`)
  if (torchAll && !('skipped' in torchAll))
    say(`PyTorch, ${cores} threads: MLP ${n0(torchAll.torchMlpSamplesPerSecond)} samples/s, CNN ${n0(torchAll.torchCnnImagesPerSecond)} images/s`)
  let quickComparisonSeconds: number | null = null
  if (!o.skipComparison) quickComparisonSeconds = await quickComparison(open)
  const scaling = o.skipScaling ? null : await scalingReport(cores, open, say)
  if (scaling && 'skipped' in scaling) say(`scaling: skipped, ${scaling.skipped}`)
  const figures = {
    backend: backend.name,
    ...(backend.adapter ? { adapter: backend.adapter } : {}),
    mlpSamplesPerSecond: mlp.perSecond,
    cnnImagesPerSecond: cnn.perSecond,
    quickComparisonSeconds,
    ...extra,
    ...('skipped' in torch
      ? { torchSkipped: torch.skipped }
      : {
          ...torch,
          torchThreads1SamplesPerSecond: torch.torchMlpSamplesPerSecond,
          torchThreads1CnnImagesPerSecond: torch.torchCnnImagesPerSecond,
          mlpRatioVsTorch: mlp.perSecond / torch.torchMlpSamplesPerSecond,
          cnnRatioVsTorch: cnn.perSecond / torch.torchCnnImagesPerSecond
        }),
    ...(torchAll && !('skipped' in torchAll)
      ? {
          torchThreads: cores,
          torchAllThreadsSamplesPerSecond: torchAll.torchMlpSamplesPerSecond,
          torchAllThreadsCnnImagesPerSecond: torchAll.torchCnnImagesPerSecond,
          ...(typeof extra.mlpSamplesPerSecondAllThreads === 'number'
            ? { mlpAllThreadsRatioVsTorch: (extra.mlpSamplesPerSecondAllThreads as number) / torchAll.torchMlpSamplesPerSecond }
            : {})
        }
      : {}),
    ...(scaling ? { scaling } : {}),
    measuredAt: new Date().toISOString()
  }
  return figures
}
