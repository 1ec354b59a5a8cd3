/** Reading a study spec file (JSON or YAML) for the study commands; relative dataset paths are taken from the file's folder. */
import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { StudySpec } from '../contract/index.ts'
import { parseStudySpec } from '../services/studies.ts'
import { CliError } from './output.ts'

/** Reads a study spec (JSON or YAML) and resolves its dataset paths against the spec's folder. */
export async function loadStudySpec(file: string): Promise<StudySpec> {
  const text = await readFile(file, 'utf8').catch((e: Error) => {
    throw new CliError(`cannot read the study spec "${file}": ${e.message}`)
  })
  let raw: unknown
  try {
    raw = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text)
  } catch (e) {
    throw new CliError(`"${file}" is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(e as Error).message}`)
  }
  const spec = parseStudySpec(raw)
  const base = dirname(resolve(file))
  return { ...spec, datasets: spec.datasets.map((d) => (d.path && !isAbsolute(d.path) ? { ...d, path: resolve(base, d.path) } : d)) }
}
