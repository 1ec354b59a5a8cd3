/** `iunet run` / `iunet config` flags generated from the RunConfig schema: parsing, merging, validation. */
import { describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import { stringify as toYaml } from 'yaml'
import { RunConfig } from '../../../main/contract/index.ts'
import { defaultRunConfig } from '../../../main/contract/index.ts'
import { addRunConfigOptions, flagOverrides, loadConfigFile, resolveRunConfig, runConfigFlags } from '../../../main/cli/flags.ts'
import { CliError } from '../../../main/cli/output.ts'

const base: RunConfig = { datasetId: 'ds1', ...defaultRunConfig('quick', { kind: 'tabular', rows: 150, nFeatures: 4, imageShape: null }) }
const tmp = mkdtempSync(join(tmpdir(), 'iunet-flags-'))

/** Parses argv the way `iunet run` does and resolves the config (no services needed). */
function resolveArgs(args: string[], file: Record<string, unknown> = {}): RunConfig {
  const cmd = addRunConfigOptions(new Command('run').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} }))
  cmd.parse(args, { from: 'user' })
  return resolveRunConfig(base, file, flagOverrides(cmd.opts()))
}

function cliError(f: () => unknown): CliError {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(CliError)
    return e as CliError
  }
  throw new Error('expected a CliError')
}

describe('run-config flags', () => {
  it('one kebab-case flag per RunConfig setting, nested ones flattened', () => {
    const flags = runConfigFlags().map((f) => f.flag)
    for (const f of [
      'kappa',
      'lambda',
      'tau',
      'width',
      'depth',
      'learning-rate',
      'batch-size',
      'weight-decay',
      'seeds',
      'epochs',
      'finetune-epochs',
      'compression',
      'models',
      'patience',
      'max-rows',
      'projection-head',
      'name'
    ]) {
      expect(flags).toContain(f)
    }
    for (const k of Object.keys(base.augment)) expect(flags).toContain('augment-' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()))
    for (const k of Object.keys(base.split)) expect(flags).toContain('split-' + k)
    // every top-level setting is reachable: a flag, or set by --data/--preset/--target, or (columns) a config file
    const covered = new Set(runConfigFlags().map((f) => f.path[0]))
    for (const k of Object.keys(RunConfig.shape)) expect(covered.has(k) || ['datasetId', 'preset', 'target', 'columns'].includes(k), k).toBe(true)
  })

  it('no flags = the preset defaults; flags = defaults + exactly those overrides', () => {
    expect(resolveArgs([])).toEqual(RunConfig.parse(base))
    const c = resolveArgs([
      '--kappa',
      '0.5',
      '--lambda',
      '2',
      '--tau',
      '0.2',
      '--width',
      '64',
      '--depth',
      '3',
      '--learning-rate',
      '1e-3',
      '--batch-size',
      '32',
      '--split-kfold',
      '5',
      '--augment-noise',
      '0.1',
      '--projection-head',
      'false',
      '--models',
      'iunet,mlp',
      '--compression',
      '4,8',
      '--max-rows',
      'all'
    ])
    expect(c).toEqual({
      ...base,
      kappa: 0.5,
      lambda: 2,
      tau: 0.2,
      width: 64,
      depth: 3,
      learningRate: 0.001,
      batchSize: 32,
      split: { ...base.split, kfold: 5 },
      augment: { ...base.augment, noise: 0.1 },
      projectionHead: false,
      models: ['iunet', 'mlp'],
      compressions: [4, 8],
      maxRows: null
    })
    expect(resolveArgs(['--no-projection-head']).projectionHead).toBe(false)
    expect(resolveArgs(['--projection-head']).projectionHead).toBe(true)
  })

  it('--epochs also sets the finetune epochs unless they are given', () => {
    expect(resolveArgs(['--epochs', '7'])).toMatchObject({ epochs: 7, finetuneEpochs: 7 })
    expect(resolveArgs(['--epochs', '7', '--finetune-epochs', '3'])).toMatchObject({ epochs: 7, finetuneEpochs: 3 })
  })

  it('bad values fail naming the flag (exit code 2)', () => {
    const cases: [string[], RegExp][] = [
      [['--width', 'abc'], /^--width: expected an integer/],
      [['--width', '2.5'], /^--width: expected an integer/],
      [['--kappa', '2'], /^--kappa: /],
      [['--kappa', '0'], /^--kappa: /],
      [['--models', 'iunet,bogus'], /^--models: expected one of iunet, mlp/],
      [['--projection-head', 'maybe'], /^--projection-head: expected true or false/],
      [['--split-train', '0.5'], /--split-train\/--split-val\/--split-test: train \+ val \+ test must sum to 1/],
      [['--seeds', '0'], /^--seeds: /],
      [['--compression', '4,x'], /^--compression: expected a number/]
    ]
    for (const [args, message] of cases) {
      const e = cliError(() => resolveArgs(args))
      expect(e.message, args.join(' ')).toMatch(message)
      expect(e.exitCode).toBe(2)
    }
  })

  it('unknown flags are rejected by the parser', () => {
    expect(() => resolveArgs(['--kapa', '0.5'])).toThrow(/unknown option '--kapa'/)
  })

  it('config file (JSON and YAML) round trip; flags win over the file', () => {
    const full = resolveArgs(['--kappa', '0.25', '--split-kfold', '3', '--models', 'iunet,omp'])
    for (const [name, text] of [
      ['c.json', JSON.stringify(full)],
      ['c.yaml', toYaml(full)]
    ] as const) {
      const path = join(tmp, name)
      writeFileSync(path, text)
      const file = loadConfigFile(path)
      expect(resolveArgs([], file)).toEqual(full)
      expect(resolveArgs(['--kappa', '0.75'], file)).toEqual({ ...full, kappa: 0.75 })
    }
    // partial files: only the given settings change, nested ones merge key by key
    writeFileSync(join(tmp, 'p.yml'), 'tau: 0.1\naugment:\n  noise: 0.2\n')
    expect(resolveArgs([], loadConfigFile(join(tmp, 'p.yml')))).toEqual({ ...base, tau: 0.1, augment: { ...base.augment, noise: 0.2 } })
  })

  it('bad config files: unknown settings, bad syntax, bad values', () => {
    writeFileSync(join(tmp, 'u.yaml'), 'kapa: 0.5\n')
    expect(cliError(() => loadConfigFile(join(tmp, 'u.yaml'))).message).toMatch(/unknown setting "kapa"/)
    writeFileSync(join(tmp, 'n.json'), '{"augment": {"nosie": 1}}')
    expect(cliError(() => loadConfigFile(join(tmp, 'n.json'))).message).toMatch(/unknown setting "augment.nosie"/)
    writeFileSync(join(tmp, 'b.json'), '{"kappa": ')
    expect(cliError(() => loadConfigFile(join(tmp, 'b.json'))).message).toMatch(/not valid JSON/)
    expect(cliError(() => loadConfigFile(join(tmp, 'missing.yaml'))).message).toMatch(/cannot read/)
    writeFileSync(join(tmp, 'v.yaml'), 'kappa: high\n')
    expect(cliError(() => resolveArgs([], loadConfigFile(join(tmp, 'v.yaml')))).message).toMatch(/^--kappa: /)
  })
})
