/** `iunet runs`: list stored runs. */
import type { Command } from 'commander'
import { MODEL_LABELS, percent, replicatesText } from '../contract/index.ts'
import { dataDirOption } from './shared.ts'
import { table } from './output.ts'

export function registerRunsCommand(program: Command) {
  program
    .command('runs')
    .description('list stored runs')
    .addOption(dataDirOption())
    .option('--json', 'print JSON')
    .action(async (o: { dataDir: string; json?: boolean }) => {
      const { createServices } = await import('../services/index.ts')
      const services = createServices({ dataDir: o.dataDir, transport: 'websocket', workers: 1, readOnly: true })
      try {
        const runs = await services.call('runs.list', {})
        if (o.json) {
          process.stdout.write(JSON.stringify(runs, null, 2) + '\n')
          return
        }
        if (!runs.length) {
          process.stdout.write('No runs yet. Start one with: iunet run --data <file> --preset quick\n')
          return
        }
        process.stdout.write(
          table(
            ['id', 'name', 'status', 'replicates', 'best', 'created'],
            runs.map((r) => [
              r.id.slice(0, 8),
              r.name,
              r.status,
              // "2 seeds × 3 folds": a k-fold run's folds are replicates too, never counted as seeds.
              replicatesText({ seeds: r.seeds, split: { kfold: r.folds } }),
              r.bestAccuracy === null || !r.bestModel ? '' : `${percent(r.bestAccuracy)} ${MODEL_LABELS[r.bestModel]}`,
              r.createdAt.slice(0, 19).replace('T', ' ')
            ])
          ) + '\n'
        )
      } finally {
        await services.close()
      }
    })
}
