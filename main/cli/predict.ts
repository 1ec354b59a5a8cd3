/** `iunet predict`: apply an exported model (its preprocessing, then the network) to the rows of a CSV. */
import type { Command } from 'commander'
import { predictionsCsv } from '../services/modelPredict.ts'
import { dataDirOption } from './shared.ts'

export function registerPredictCommand(program: Command) {
  program
    .command('predict')
    .description('predict the class (and class probabilities) of every row of a CSV with a bundle written by `iunet export`')
    .requiredOption('--model <dir>', 'bundle folder (from iunet export)')
    .requiredOption('--data <file>', 'CSV with the same feature columns as the training data (the target column may be absent)')
    .option('--out <file>', 'write predictions here (CSV: predicted, p_<class>…); default: print them')
    .addOption(dataDirOption())
    .action(async (o: { model: string; data: string; out?: string; dataDir: string }) => {
      const { createServices } = await import('../services/index.ts')
      const services = createServices({ dataDir: o.dataDir, transport: 'websocket', workers: 1, readOnly: true })
      try {
        const r = await services.call('models.predict', { model: o.model, data: o.data, out: o.out })
        for (const [col, n] of Object.entries(r.pooledIntoOther)) {
          process.stderr.write(`note: ${n} row(s) of "${col}" hold a category the model never saw; encoded as "other" as in training\n`)
        }
        if (r.out) {
          process.stdout.write(`Predicted ${r.rows} row(s) → ${r.out}\n`)
          return
        }
        // The same CSV as --out writes.
        process.stdout.write(predictionsCsv(r.classNames, r.predictions))
      } finally {
        await services.close()
      }
    })
}
