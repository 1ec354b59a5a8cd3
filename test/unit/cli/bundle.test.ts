/**
 * The CLI's bundle (bin/bundle.mjs): rebuilt exactly when a source file changes (its fingerprint follows every
 * file's path, size and modification time), holding the CLI and both worker entries side by side (where
 * workers/pool.ts and importer.ts look for them), and off with IUNET_CLI_BUNDLE=0.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bundledCli, fingerprint } from '../../../bin/bundle.mjs'

const tmp = mkdtempSync(join(tmpdir(), 'iunet-bundle-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('CLI bundle', () => {
  it('fingerprints a folder by its files: a new file, an edit or a touch changes it, nothing else does', () => {
    mkdirSync(join(tmp, 'a/b'), { recursive: true })
    writeFileSync(join(tmp, 'a/x.ts'), 'export const x = 1')
    const first = fingerprint(tmp)
    expect(fingerprint(tmp)).toBe(first)
    writeFileSync(join(tmp, 'a/b/y.ts'), 'export const y = 2')
    const second = fingerprint(tmp)
    expect(second).not.toBe(first)
    writeFileSync(join(tmp, 'a/b/y.ts'), 'export const y = 22')
    const third = fingerprint(tmp)
    expect(third).not.toBe(second)
    utimesSync(join(tmp, 'a/x.ts'), new Date(1e12), new Date(1e12))
    expect(fingerprint(tmp)).not.toBe(third)
  })

  it('builds the CLI with the training and import workers beside it, and runs it', () => {
    const entry = bundledCli()
    expect(entry).not.toBeNull()
    for (const f of ['iunet.js', 'train.worker.js', 'import.worker.js']) expect(existsSync(join(dirname(entry!), f))).toBe(true)
    // The same sources give the same bundle.
    expect(bundledCli()).toBe(entry)
    const r = spawnSync(process.execPath, ['bin/iunet.mjs', '--help'], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/Usage: iunet/)
  })

  it('IUNET_CLI_BUNDLE=0 turns it off (the caller runs the sources through tsx)', () => {
    const before = process.env.IUNET_CLI_BUNDLE
    process.env.IUNET_CLI_BUNDLE = '0'
    try {
      expect(bundledCli()).toBeNull()
    } finally {
      if (before === undefined) delete process.env.IUNET_CLI_BUNDLE
      else process.env.IUNET_CLI_BUNDLE = before
    }
    const r = spawnSync(process.execPath, ['bin/iunet.mjs', '--help'], { encoding: 'utf8', env: { ...process.env, IUNET_CLI_BUNDLE: '0' } })
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/Usage: iunet/)
  })
})
