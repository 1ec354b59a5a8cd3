/**
 * `iunet config --data X --preset P [flags]`: prints the resolved run settings (JSON, or YAML with --yaml) to edit
 * and pass back with `iunet run --config FILE`. Also the resolution `iunet run` shares: dataset, preset defaults,
 * config file, flags.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { stringify as toYaml } from 'yaml'
import { IMPORT_FORMATS, Preset, type RunConfig } from '../contract/index.ts'
import type { Services } from '../services/index.ts'
import { addRunConfigOptions, flagOverrides, loadConfigFile, resolveRunConfig } from './flags.ts'
import { CliError } from './output.ts'
import { dataDirOption, parseShape } from './shared.ts'

/** Options every command that builds a RunConfig has; the generated setting flags come in by attribute name. */
export interface ConfigOptions {
  data?: string
  target?: string
  shape?: string
  preset?: string
  config?: string
  dataDir: string
  workers?: string
  [flag: string]: unknown
}

async function resolveDataset(services: Services, data: string, o: ConfigOptions): Promise<string> {
  if (existsSync(data)) {
    const d = await services.call('datasets.import', { path: resolve(data), target: o.target, imageShape: parseShape(o.shape), reuseExisting: true })
    return d.id
  }
  const stored = await services.call('datasets.get', { id: data }).catch(() => null)
  if (stored) return data
  throw new CliError(`--data: "${data}" is neither a readable file/folder nor a stored dataset id (see: iunet import).`)
}

/** Dataset (imported if a file), then preset defaults ← --config file ← flags, validated by RunConfig. */
export async function resolveCliConfig(services: Services, o: ConfigOptions): Promise<{ config: RunConfig; datasetName: string }> {
  const flags = flagOverrides(o) // bad flag values fail before anything is imported
  const file = o.config ? loadConfigFile(o.config) : {}
  const presetRaw = o.preset ?? (typeof file.preset === 'string' ? file.preset : 'quick')
  const preset = Preset.safeParse(presetRaw)
  if (!preset.success) throw new CliError(`--preset must be one of ${Preset.options.join(', ')}, got "${presetRaw}"`)
  const data = o.data ?? (typeof file.datasetId === 'string' ? file.datasetId : undefined)
  if (!data) throw new CliError('--data is required (a file, a folder or a stored dataset id), unless the --config file has a datasetId')
  const datasetId = await resolveDataset(services, data, o)
  const stored = await services.call('datasets.get', { id: datasetId })
  const target = o.target ?? (typeof file.target === 'string' ? file.target : undefined)
  const { datasetId: _ignored, ...fileSettings } = file
  const config = resolveRunConfig(
    await services.call('runs.defaults', { datasetId, preset: preset.data }),
    { ...fileSettings, preset: preset.data, target: target && target !== stored.schema.target ? target : undefined },
    flags
  )
  return { config, datasetName: stored.name }
}

export async function configCommand(o: ConfigOptions & { yaml?: boolean }): Promise<number> {
  const { createServices } = await import('../services/index.ts')
  // Read-only for runs: opening the store here never marks another process's run interrupted.
  const services = createServices({ dataDir: o.dataDir, transport: 'websocket', workers: 1, readOnly: true })
  try {
    const { config } = await resolveCliConfig(services, o)
    process.stdout.write(o.yaml ? toYaml(config) : JSON.stringify(config, null, 2) + '\n')
    return 0
  } finally {
    await services.close()
  }
}

export function registerConfigCommand(program: Command) {
  const cmd = program
    .command('config')
    .description('print the resolved run settings for a dataset and preset (edit, then: iunet run --config FILE)')
    .option('--data <path|id>', `a stored dataset id, or a file or folder to import: ${IMPORT_FORMATS}`)
    .option('--target <column>', 'target column')
    .option('--shape <HxWxC>', 'image shape of a pixel CSV, e.g. 8x8x1')
    .option('--preset <preset>', `${Preset.options.join(' | ')} (default quick)`)
    .option('--yaml', 'print YAML instead of JSON')
  addRunConfigOptions(cmd)
    .addOption(dataDirOption())
    .action(async (o: ConfigOptions & { yaml?: boolean }) => {
      process.exitCode = await configCommand(o)
    })
}
