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
import { writeFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { BackendChoice } from '../contract/index.ts'
import { CliError } from './output.ts'
import { dataDirOption } from './shared.ts'

export function registerBenchCommand(program: Command) {
  program
    .command('bench')
    .description('measure training speed on the active backend (and PyTorch CPU where installed)')
    .option('--seconds <s>', 'measuring time per benchmark', '8')
    .option('--skip-comparison', 'skip the quick comparison wall time')
    .option('--skip-scaling', 'skip the Fashion-MNIST peak memory and worker-scaling runs (minutes)')
    .option('--backend <name>', 'auto, webgpu (forced: a software adapter too), tensorflow-gpu, tensorflow, wasm or cpu', 'auto')
    .option('--json <file>', 'write the figures as JSON')
    .addOption(dataDirOption())
    .action(async (o: { seconds: string; skipComparison?: boolean; skipScaling?: boolean; json?: string; dataDir: string; backend: string }) => {
      const backend = BackendChoice.safeParse(o.backend)
      if (!backend.success) throw new CliError(`--backend must be one of ${BackendChoice.options.join(', ')}, got "${o.backend}"`)
      const seconds = Number(o.seconds)
      if (!(seconds > 0)) throw new CliError(`--seconds must be a positive number, got "${o.seconds}"`)
      const { createServices } = await import('../services/index.ts')
      const services = createServices({ dataDir: o.dataDir, transport: 'websocket', workers: 1 })
      try {
        const figures = await services.bench({ seconds, backend: backend.data, skipComparison: o.skipComparison, skipScaling: o.skipScaling }, (line) =>
          process.stderr.write(line + '\n')
        )
        process.stdout.write(JSON.stringify(figures, null, 2) + '\n')
        if (o.json) await writeFile(o.json, JSON.stringify(figures, null, 2) + '\n')
      } finally {
        await services.close()
      }
    })
}
