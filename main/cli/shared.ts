import { Option } from 'commander'
import { defaultDataDir } from '../services/paths.ts'

export const dataDirOption = () =>
  new Option('--data-dir <dir>', 'where datasets, runs and results are stored (env IUNET_DATA_DIR)').default(defaultDataDir())

/** "28x28x1" → [28, 28, 1] */
export function parseShape(s: string | undefined): [number, number, number] | undefined {
  if (!s) return undefined
  const m = /^(\d+)[x×,](\d+)(?:[x×,](\d+))?$/i.exec(s.trim())
  if (!m) throw new Error(`--shape must look like HxWxC (e.g. 8x8x1), got "${s}"`)
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 1)]
}
