/** Where things live on disk: the app's own folder (for bundled resources) and the default data folder. */
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The folder holding package.json, found from this module both in source and in the built bundle. */
export function appRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir
    dir = dirname(dir)
  }
  return process.cwd()
}

export function resourcesDir(): string {
  return join(appRoot(), 'resources')
}

/** The bundled example datasets. */
export function examplesDir(): string {
  return join(resourcesDir(), 'examples')
}

/** CLI and server default; the desktop app uses Electron's userData folder instead. */
export function defaultDataDir(): string {
  return process.env.IUNET_DATA_DIR || join(homedir(), '.iunet-workbench')
}
