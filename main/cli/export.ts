/** `iunet export`: write a trained model's bundle (ONNX, tfjs weights manifest, preprocessing.json, card.md). */
import type { Command } from 'commander'
import { ModelKind } from '../contract/index.ts'
import { CliError } from './output.ts'
import { dataDirOption } from './shared.ts'

export function registerExportCommand(program: Command) {
  program
    .command('export')
    .description('write a trained model of a run as a bundle: model.onnx, model.json + weights.bin (tfjs), preprocessing.json, card.md')
    .requiredOption('--run <id>', 'run id (or a unique prefix, as `iunet runs` shows it)')
    .requiredOption('--model <kind>', `model kind (${ModelKind.options.join(', ')})`)
    .option('--seed <n>', 'seed (default: the lowest stored)')
    .option('--fold <n>', 'k-fold runs: the fold, counted from 1 as progress lines and cards show it ("fold 2/3" is 2; default: 1)')
    .option('--ratio <r>', 'compression ratio of a pruned model (default: the highest stored)')
    .requiredOption('--out <dir>', 'folder to write the bundle to (created; an existing bundle there is replaced)')
    .addOption(dataDirOption())
    .action(async (o: { run: string; model: string; seed?: string; fold?: string; ratio?: string; out: string; dataDir: string }) => {
      const model = ModelKind.safeParse(o.model)
      if (!model.success) throw new CliError(`--model must be one of ${ModelKind.options.join(', ')}, got "${o.model}"`)
      const num = (flag: string, v: string | undefined) => {
        if (v === undefined) return undefined
        const n = Number(v)
        if (!Number.isFinite(n) || v.trim() === '') throw new CliError(`${flag} must be a number, got "${v}"`)
        return n
      }
      const seed = num('--seed', o.seed)
      const ratio = num('--ratio', o.ratio)
      const foldNumber = num('--fold', o.fold)
      if (foldNumber !== undefined && !(Number.isInteger(foldNumber) && foldNumber >= 1))
        throw new CliError(`--fold counts from 1, as progress lines and cards name folds ("fold 1/3"), got "${o.fold}"`)
      // The wire counts folds from 0.
      const fold = foldNumber === undefined ? undefined : foldNumber - 1
      const { createServices } = await import('../services/index.ts')
      const services = createServices({ dataDir: o.dataDir, transport: 'websocket', workers: 1, readOnly: true })
      try {
        const r = await services.call('models.export', { runId: o.run, model: model.data, seed, fold, ratio, out: o.out })
        process.stdout.write(`Wrote ${r.files.join(', ')} to ${r.dir}\n`)
      } finally {
        await services.close()
      }
    })
}
