/**
 * `iunet bench`: training throughput on the active backend, the wall time of a quick comparison, and — where
 * PyTorch is installed (Debian's python3-torch) — the same MLP/CNN steps in PyTorch CPU, 1 thread, measured in
 * the same run, with the ratios.
 *
 * With the native kernels (native/, OpenBLAS) it measures, in one run: the MLP on native kernels with 1 BLAS thread
 * and with all cores, the same MLP on the pure wasm kernels, the MLP masked to 1/16 on the sparse vs the dense
 * masked kernels (train and inference), the CNN on both, and PyTorch with 1 thread and with all cores. PyTorch
 * gets the same OpenBLAS kernel family (OPENBLAS_CORETYPE) as the addon, so the comparison is like for like.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Command } from 'commander'
import { appRoot } from '../services/paths.ts'
import { runCommand } from './run.ts'
import { dataDirOption } from './shared.ts'

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

export function registerBenchCommand(program: Command) {
  program
    .command('bench')
    .description('measure training speed on the active backend (and PyTorch CPU where installed)')
    .option('--seconds <s>', 'measuring time per benchmark', '8')
    .option('--skip-comparison', 'skip the quick comparison wall time')
    .option('--backend <name>', 'auto, webgpu (forced: a software adapter too), tensorflow-gpu, tensorflow, wasm or cpu', 'auto')
    .option('--json <file>', 'write the figures as JSON')
    .addOption(dataDirOption())
    .action(async (o: { seconds: string; skipComparison?: boolean; json?: string; dataDir: string; backend: string }) => {
      const seconds = Number(o.seconds)
      const { describeBackend, initBackend } = await import('../engine/backend.ts')
      const { benchCnn, benchMaskedMlp, benchMlp } = await import('../engine/bench.ts')
      const { nativeStatus, setBlasThreads, setNativeEnabled } = await import('../engine/kernels/native.ts')
      const { createServices } = await import('../services/index.ts')
      const { BackendChoice } = await import('../contract/index.ts')
      const backend = await initBackend(BackendChoice.parse(o.backend))
      const native = nativeStatus()
      const onNative = backend.name === 'wasm' && native.available
      const cores = availableParallelism()
      const say = (line: string) => process.stderr.write(line + '\n')
      const n0 = (x: number) => Math.round(x).toLocaleString('en-US')
      say(`backend ${describeBackend(backend)}; measuring ${seconds} s each…`)
      if (backend.adapter) {
        const a = backend.adapter
        say(`adapter: vendor ${a.vendor || '?'}, architecture ${a.architecture || '?'}, device ${a.device || '?'}, ${a.description}${a.software ? ' (software: correctness only, not GPU speed)' : ''}`)
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
      else say(`PyTorch ${torch.torchVersion} CPU, 1 thread: MLP ${n0(torch.torchMlpSamplesPerSecond)} samples/s, CNN ${n0(torch.torchCnnImagesPerSecond)} images/s`)
      if (torchAll && !('skipped' in torchAll)) say(`PyTorch, ${cores} threads: MLP ${n0(torchAll.torchMlpSamplesPerSecond)} samples/s, CNN ${n0(torchAll.torchCnnImagesPerSecond)} images/s`)
      let quickComparisonSeconds: number | null = null
      if (!o.skipComparison) {
        // A quick comparison in a throwaway data folder, so the bench never touches the user's runs.
        const dir = await mkdtemp(join(tmpdir(), 'iunet-bench-'))
        try {
          const t0 = Date.now()
          const code = await runCommand({ data: join(appRoot(), 'resources', 'examples', 'wine.csv'), preset: 'quick', seeds: '3', dataDir: dir, quiet: true })
          if (code === 0) quickComparisonSeconds = (Date.now() - t0) / 1000
        } finally {
          await rm(dir, { recursive: true, force: true })
        }
      }
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
        measuredAt: new Date().toISOString()
      }
      process.stdout.write(JSON.stringify(figures, null, 2) + '\n')
      if (o.json) await writeFile(o.json, JSON.stringify(figures, null, 2) + '\n')
      // The wizard's time estimates use the latest figures.
      const services = createServices({ dataDir: o.dataDir, transport: 'websocket', workers: 1 })
      services.store.settings.saveBench({ backend: figures.backend, mlpSamplesPerSecond: figures.mlpSamplesPerSecond, cnnImagesPerSecond: figures.cnnImagesPerSecond, quickComparisonSeconds, measuredAt: figures.measuredAt })
      await services.close()
    })
}
