/**
 * The data layer: parse, infer, store, split and preprocess datasets. Pure TypeScript (Node fs/zlib/crypto
 * only), no Electron, SQLite or HTTP.
 */
export { DataError } from './errors.ts'
export type { Table, Column, NumericColumn, CategoricalColumn, ImageBlock } from './table.ts'
export type { Progress } from './csv/read.ts'
export { inspectFile, loadSource, type LoadedSource, type SourceOptions } from './source.ts'
export { saveTable, loadTable } from './tablefile.ts'
export { applyOverrides, inferSchema, suggestTarget, inferImageShape, MAX_CLASSES } from './schema.ts'
export { prepare, encodeTarget, type PrepareOptions } from './prepare.ts'
export {
  fitPreprocessor,
  transformTable,
  transformRecords,
  type SerializedPreprocessor,
  type FeatureStep,
  type ImageStep,
  type PreprocessOptions,
  type Cell
} from './preprocess.ts'
export { stratifiedSplit, kfoldSplit, stratifiedSample, type SplitIndices } from './split.ts'
export { previewOf } from './preview.ts'
export { mulberry32 } from '../lib/random.ts'
