/** A study's identity: the same spec over the same datasets is the same study, so running it again resumes it. */
import { createHash } from 'node:crypto'
import { canonicalJson, type StudySpec } from '../contract/index.ts'

export function studyId(spec: StudySpec, datasetIds: readonly string[]): string {
  // Paths are left out: the same files named from another folder are the same datasets (by content hash → id).
  const datasets = spec.datasets.map((d) => ({ target: d.target, imageShape: d.imageShape }))
  return createHash('sha256')
    .update(canonicalJson({ spec: { ...spec, datasets }, datasetIds }))
    .digest('hex')
    .slice(0, 16)
}
