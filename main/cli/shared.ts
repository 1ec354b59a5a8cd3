import { Option } from 'commander'
import { BackendChoice } from '../contract/index.ts'
import { defaultDataDir } from '../services/paths.ts'

/** `--backend`: this command's training workers only; the saved backend setting is left as it is. */
export const backendOption = () =>
  new Option('--backend <name>', 'training backend for this command only (default: the saved setting); a forced webgpu takes a software adapter too').choices(
    BackendChoice.options
  )

export const dataDirOption = () => new Option('--data-dir <dir>', 'where datasets, runs and results are stored (env IUNET_DATA_DIR)').default(defaultDataDir())

/** "28x28x1" → [28, 28, 1] */
export function parseShape(s: string | undefined): [number, number, number] | undefined {
  if (!s) return undefined
  const m = /^(\d+)[x×,](\d+)(?:[x×,](\d+))?$/i.exec(s.trim())
  if (!m) throw new Error(`--shape must look like HxWxC (e.g. 8x8x1), got "${s}"`)
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 1)]
}
