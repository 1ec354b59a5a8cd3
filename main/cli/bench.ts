/**
 * `iunet bench`: training throughput on the active backend, the wall time of a quick comparison, and — where
 * PyTorch is installed (Debian's python3-torch) — the same MLP/CNN steps in PyTorch CPU, 1 thread, measured in
 * the same run, with the ratios.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
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

function torchBench(seconds: number): TorchFigures | { skipped: string } {
  const script = join(appRoot(), 'bench', 'torch_bench.py')
  if (!existsSync(script)) return { skipped: 'bench/torch_bench.py missing' }
  // Debian's python3-torch lives with the system Python, which a pyenv/venv `python3` on PATH may hide.
  const python = ['/usr/bin/python3', 'python3'].find((py) => spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0)
  if (!python) return { skipped: 'PyTorch is not installed (apt-get install python3-torch to compare)' }
  const r = spawnSync(python, [script, '--seconds', String(seconds)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } })
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
    .option('--json <file>', 'write the figures as JSON')
    .addOption(dataDirOption())
    .action(async (o: { seconds: string; skipComparison?: boolean; json?: string; dataDir: string }) => {
      const seconds = Number(o.seconds)
      const { initBackend } = await import('../engine/backend.ts')
      const { benchCnn, benchMlp } = await import('../engine/bench.ts')
      const { createServices } = await import('../services/index.ts')
      const backend = await initBackend('auto')
      process.stderr.write(`backend ${backend.name}; measuring ${seconds} s each…\n`)
      const mlp = benchMlp({ seconds })
      process.stderr.write(`MLP 784-1024-1024-1024-10, batch 256, Adam: ${mlp.perSecond.toFixed(0)} samples/s\n`)
      const cnn = benchCnn({ seconds })
      process.stderr.write(`CNN 28×28×1, batch ${cnn.batchSize ?? 128}: ${cnn.perSecond.toFixed(0)} images/s\n`)
      const torch = torchBench(seconds)
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
        mlpSamplesPerSecond: mlp.perSecond,
        cnnImagesPerSecond: cnn.perSecond,
        quickComparisonSeconds,
        ...('skipped' in torch
          ? { torchSkipped: torch.skipped }
          : {
              ...torch,
              mlpRatioVsTorch: mlp.perSecond / torch.torchMlpSamplesPerSecond,
              cnnRatioVsTorch: cnn.perSecond / torch.torchCnnImagesPerSecond
            }),
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
