/** `iunet inspect` and `iunet import`. */
import type { Command } from 'commander'
import { imageNormalization, IMPORT_FORMATS } from '../contract/index.ts'
import { dataDirOption, parseShape } from './shared.ts'
import { table } from './output.ts'

const DATA_HELP = `file or folder: ${IMPORT_FORMATS}`

export function registerDatasetCommands(program: Command) {
  program
    .command('inspect')
    .description('print the inferred schema of a file or folder (stores nothing)')
    .requiredOption('--data <path>', DATA_HELP)
    .option('--target <column>', 'target column (CIFAR-100: coarse_label for the 20 superclasses)')
    .option('--shape <HxWxC>', 'image shape of a pixel CSV, e.g. 8x8x1')
    .addOption(dataDirOption())
    .option('--json', 'print JSON')
    .action(async (o: { data: string; target?: string; shape?: string; dataDir: string; json?: boolean }) => {
      const { createServices } = await import('../services/index.ts')
      const services = createServices({ dataDir: o.dataDir, transport: 'websocket', workers: 1, readOnly: true })
      const schema = await services
        .call('datasets.inspect', { path: o.data, target: o.target, imageShape: parseShape(o.shape) })
        .finally(() => services.close())
      if (o.json) {
        process.stdout.write(JSON.stringify(schema, null, 2) + '\n')
        return
      }
      const shape = schema.imageShape ? `, image ${schema.imageShape.join('×')}` : ''
      const format = schema.format ? ` (${schema.format})` : ''
      process.stdout.write(`${schema.rows} rows, ${schema.kind}${shape}${format}, target "${schema.target}" (${schema.classes.length} classes)\n`)
      if (schema.publishedSplit) {
        const { train, test } = schema.publishedSplit
        process.stdout.write(`published split kept: ${train} train rows (validation is cut from them), ${test} test rows; k-fold is off for this dataset\n`)
      }
      const norm = imageNormalization(schema)
      if (norm && schema.imageStats) process.stdout.write(`image normalisation: ${norm.text}\n`)
      process.stdout.write('\n')
      const fmt = (x: number | null) => (x === null ? '' : Number.isInteger(x) ? String(x) : x.toPrecision(4))
      process.stdout.write(
        table(
          ['column', 'type', 'role', 'missing', 'distinct', 'min', 'max', 'mean', 'note'],
          schema.columns.map((c) => [c.name, c.type, c.role, String(c.missing), String(c.distinct), fmt(c.min), fmt(c.max), fmt(c.mean), c.note ?? ''])
        ) + '\n'
      )
      if (schema.classes.length) process.stdout.write(`\nclasses: ${schema.classes.map((c) => `${c.value} (${c.count})`).join(', ')}\n`)
      for (const w of schema.warnings) process.stdout.write(`warning: ${w}\n`)
    })

  program
    .command('import')
    .description('import a dataset into the store')
    .requiredOption('--data <path>', DATA_HELP)
    .option('--target <column>', 'target column (CIFAR-100: coarse_label for the 20 superclasses)')
    .option('--shape <HxWxC>', 'image shape of a pixel CSV, e.g. 8x8x1')
    .option('--name <name>', 'dataset name')
    .addOption(dataDirOption())
    .option('--json', 'print JSON')
    .action(async (o: { data: string; target?: string; shape?: string; name?: string; dataDir: string; json?: boolean }) => {
      const { createServices } = await import('../services/index.ts')
      const services = createServices({ dataDir: o.dataDir, transport: 'websocket', workers: 1 })
      try {
        let lastPct = -1
        services.bus.subscribe((event, p) => {
          if (event !== 'import.progress' || o.json) return
          const { bytesRead, totalBytes, rows } = p as { bytesRead: number; totalBytes: number; rows: number }
          const pct = totalBytes ? Math.floor((100 * bytesRead) / totalBytes) : 0
          if (pct >= lastPct + 10) {
            lastPct = pct
            process.stderr.write(`  ${pct}% · ${rows.toLocaleString('en')} rows\n`)
          }
        })
        const d = await services.call('datasets.import', { path: o.data, target: o.target, imageShape: parseShape(o.shape), name: o.name })
        if (o.json) process.stdout.write(JSON.stringify(d, null, 2) + '\n')
        else process.stdout.write(`imported "${d.name}" as ${d.id}: ${d.rows} rows, ${d.features} features, ${d.classes} classes (target "${d.target}")\n`)
      } finally {
        await services.close()
      }
    })
}
