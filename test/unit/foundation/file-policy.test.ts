/** Server-mode file policy: inspect/import read only inside the allowed folders (real paths), and errors about
 *  files that are no dataset never quote their content. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServices, type Services } from '../../../main/services/index.ts'
import { resourcesDir } from '../../../main/services/paths.ts'

let dir: string
let allowed: string
let outside: string
let server: Services
let desktop: Services
const IRIS = readFileSync(join(resourcesDir(), 'examples', 'iris.csv'), 'utf8')

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'iunet-policy-'))
  allowed = join(dir, 'allowed')
  outside = join(dir, 'outside')
  mkdirSync(allowed)
  mkdirSync(outside)
  writeFileSync(join(allowed, 'iris.csv'), IRIS)
  writeFileSync(join(outside, 'secret.csv'), IRIS)
  symlinkSync(join(outside, 'secret.csv'), join(allowed, 'link.csv'))
  symlinkSync(outside, join(allowed, 'linkdir'))
  writeFileSync(join(allowed, 'passwd'), 'root:x:0:0:root:/root:/bin/bash\n')
  writeFileSync(join(allowed, 'run.sh'), '#!/bin/sh\necho s3cr3t-token\n')
  writeFileSync(join(allowed, 'key.txt'), 'ssh-rsa,AAAAB3Nza,user@host\n')
  server = createServices({ dataDir: join(dir, 'data'), transport: 'websocket', workers: 1, fileAccess: { allow: [allowed] } })
  desktop = createServices({ dataDir: join(dir, 'data-desktop'), transport: 'ipc', workers: 1, fileAccess: 'any' })
})
afterAll(async () => {
  await server.close()
  await desktop.close()
  rmSync(dir, { recursive: true, force: true })
})

async function refusal(s: Services, channel: 'datasets.inspect' | 'datasets.import', path: string) {
  const r = await s.handle(channel, { path })
  expect(r.ok).toBe(false)
  return r.ok ? null : r.error
}

describe('server-mode file policy', () => {
  it('reads files inside the allowed folders', async () => {
    expect((await server.call('datasets.inspect', { path: join(allowed, 'iris.csv') })).columns.length).toBe(5)
    const d = await server.call('datasets.import', { path: join(allowed, 'iris.csv') })
    expect(d.rows).toBe(150)
  })

  it('refuses paths outside them, by name, by "..", and through symlinks', async () => {
    for (const path of [
      join(outside, 'secret.csv'),
      join(allowed, '..', 'outside', 'secret.csv'),
      join(allowed, 'link.csv'),
      join(allowed, 'linkdir', 'secret.csv'),
      '/etc/passwd'
    ]) {
      for (const channel of ['datasets.inspect', 'datasets.import'] as const) {
        const e = await refusal(server, channel, path)
        expect(e?.code).toBe('invalid-request')
        expect(e?.message).toMatch(/reads files only inside its allowed folders .* is outside them.*--allow-dir/)
      }
    }
    expect(await server.call('datasets.list', {})).toHaveLength(1)
    // A missing file inside an allowed folder is "not found"; outside, the same refusal as any other path.
    expect((await refusal(server, 'datasets.inspect', join(allowed, 'nope.csv')))?.code).toBe('not-found')
    expect((await refusal(server, 'datasets.inspect', join(outside, 'nope.csv')))?.code).toBe('invalid-request')
  })

  it('always allows uploads and the bundled examples', async () => {
    const up = await server.call('datasets.upload', { name: 'wine-upload.csv', data: Buffer.from(IRIS.replace('species', 'kind')).toString('base64') })
    expect((await server.call('datasets.inspect', { path: up.path })).target).toBe('kind')
    const [example] = await server.call('datasets.examples', {})
    expect((await server.call('datasets.inspect', { path: example!.path })).columns.length).toBeGreaterThan(1)
  })

  it('leaves the desktop app (fileAccess "any") free to read what its user picks', async () => {
    expect((await desktop.call('datasets.inspect', { path: join(outside, 'secret.csv') })).columns.length).toBe(5)
  })

  it('never quotes the content of a file that is no dataset', async () => {
    for (const [file, secret] of [
      ['passwd', 'root:x'],
      ['run.sh', '#!/bin/sh'],
      ['key.txt', 'AAAAB3Nza']
    ] as const) {
      const e = await refusal(server, 'datasets.inspect', join(allowed, file))
      expect(e?.code).toBe('invalid-data')
      expect(e?.message).not.toContain(secret)
      expect(JSON.stringify(e)).not.toContain(secret)
    }
  })
})
