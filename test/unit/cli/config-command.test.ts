/** `iunet config` and the generated `iunet run` flags through the real binary: output, round trip, exit codes. */
import { afterAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'

const BIN = resolve('bin/iunet.mjs')
const tmp = mkdtempSync(join(tmpdir(), 'iunet-config-'))
const dataDir = join(tmp, 'data')
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const iunet = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args, '--data-dir', dataDir], { encoding: 'utf8', timeout: 120_000 })

describe('iunet config', () => {
  it('prints the resolved config with overrides (JSON and YAML), and reads it back with --config', () => {
    const json = iunet('config', '--data', 'resources/examples/iris.csv', '--preset', 'standard', '--kappa', '0.5', '--split-kfold', '5')
    expect(json.status, json.stderr).toBe(0)
    const config = JSON.parse(json.stdout)
    expect(config).toMatchObject({ preset: 'standard', kappa: 0.5, split: { kfold: 5 }, datasetId: expect.any(String) })

    const yaml = iunet('config', '--data', 'resources/examples/iris.csv', '--preset', 'standard', '--kappa', '0.5', '--split-kfold', '5', '--yaml')
    expect(yaml.status, yaml.stderr).toBe(0)
    expect(parseYaml(yaml.stdout)).toEqual(config)

    // the printed file round-trips (no --data or --preset needed: both are in it), and flags override it
    const file = join(tmp, 'run.yaml')
    writeFileSync(file, yaml.stdout)
    const again = iunet('config', '--config', file, '--tau', '0.25')
    expect(again.status, again.stderr).toBe(0)
    expect(JSON.parse(again.stdout)).toEqual({ ...config, tau: 0.25 })
  })

  it('unknown flags and bad values exit with code 2 and a clear message naming the flag', () => {
    const unknown = iunet('run', '--data', 'resources/examples/iris.csv', '--kapa', '0.5')
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toMatch(/error: unknown option '--kapa'/)
    const bad = iunet('run', '--data', 'resources/examples/iris.csv', '--width', 'wide')
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/^error: --width: expected an integer, got "wide"/m)
    const range = iunet('config', '--data', 'resources/examples/iris.csv', '--kappa', '3')
    expect(range.status).toBe(2)
    expect(range.stderr).toMatch(/^error: --kappa: /m)
    expect(range.stderr).not.toMatch(/\n\s+at /)
  })
})
