/** Datasets on the wire: inferred schemas, stored datasets, previews and import options. */
import { z } from 'zod'

export const ColumnType = z.enum(['numeric', 'categorical', 'boolean', 'text', 'constant'])
export type ColumnType = z.infer<typeof ColumnType>
export const ColumnRole = z.enum(['feature', 'target', 'ignore'])
export type ColumnRole = z.infer<typeof ColumnRole>

export const ValueCount = z.object({ value: z.string(), count: z.number().int().nonnegative() })
export type ValueCount = z.infer<typeof ValueCount>

export const ColumnSchema = z.object({
  name: z.string(),
  type: ColumnType,
  role: ColumnRole,
  /** Cells that are empty, NA, N/A, ?, null or NaN. */
  missing: z.number().int().nonnegative(),
  distinct: z.number().int().nonnegative(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  /** Most frequent values (categorical/boolean/text), most frequent first. */
  topValues: z.array(ValueCount),
  /** Why the role or type was suggested (e.g. "ID-like: every value distinct"). */
  note: z.string().optional()
})
export type ColumnSchema = z.infer<typeof ColumnSchema>

/** Height × width × channels. */
export const ImageShape = z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()])
export type ImageShape = z.infer<typeof ImageShape>

export const DatasetKind = z.enum(['tabular', 'image'])
export type DatasetKind = z.infer<typeof DatasetKind>

export const DatasetSchema = z.object({
  kind: DatasetKind,
  rows: z.number().int().nonnegative(),
  columns: z.array(ColumnSchema),
  target: z.string(),
  imageShape: ImageShape.nullable(),
  /** Class counts of the target, largest first. */
  classes: z.array(ValueCount),
  warnings: z.array(z.string())
})
export type DatasetSchema = z.infer<typeof DatasetSchema>

export const DatasetSummary = z.object({
  id: z.string(),
  name: z.string(),
  kind: DatasetKind,
  rows: z.number().int(),
  features: z.number().int(),
  classes: z.number().int(),
  target: z.string(),
  imageShape: ImageShape.nullable(),
  sourcePath: z.string(),
  hash: z.string(),
  sizeBytes: z.number().int(),
  createdAt: z.string()
})
export type DatasetSummary = z.infer<typeof DatasetSummary>

export const DatasetDetail = DatasetSummary.extend({ schema: DatasetSchema })
export type DatasetDetail = z.infer<typeof DatasetDetail>

export const HistogramBin = z.object({ x0: z.number(), x1: z.number(), count: z.number().int() })
export const DatasetPreview = z.object({
  columns: z.array(z.string()),
  /** First rows as displayed strings (null = missing). */
  rows: z.array(z.array(z.string().nullable())),
  classBalance: z.array(ValueCount),
  histograms: z.array(z.object({ column: z.string(), bins: z.array(HistogramBin) })),
  /** Image datasets: a few samples, pixel values scaled to 0..1, row-major H×W×C, with their labels. */
  images: z.array(z.object({ label: z.string(), pixels: z.array(z.number()) }))
})
export type DatasetPreview = z.infer<typeof DatasetPreview>

export const AugmentPreview = z.object({
  imageShape: ImageShape,
  /** Each sample: its label, the original pixels and augmented views, 0..1, row-major H×W×C. */
  samples: z.array(z.object({ label: z.string(), original: z.array(z.number()), views: z.array(z.array(z.number())) })),
  /** The ILO transformations applied, in words. */
  describe: z.string()
})
export type AugmentPreview = z.infer<typeof AugmentPreview>

export const ExampleDataset = z.object({
  file: z.string(),
  title: z.string(),
  description: z.string(),
  path: z.string(),
  imageShape: ImageShape.nullable()
})
export type ExampleDataset = z.infer<typeof ExampleDataset>

/** What the user may change in an inferred schema before importing or running. */
export const ColumnOverride = z.object({
  name: z.string().min(1),
  type: ColumnType.optional(),
  role: ColumnRole.optional()
})
export type ColumnOverride = z.infer<typeof ColumnOverride>

export const ImportOptions = z.object({
  /** Absolute path of a CSV file, an IDX file (.gz or not) or a folder of class sub-folders of images. */
  path: z.string().min(1, 'path is empty'),
  target: z.string().min(1).optional(),
  imageShape: ImageShape.optional(),
  columns: z.array(ColumnOverride).optional(),
  name: z.string().min(1).max(200).optional(),
  /** When the same file is already stored, return that dataset instead of a conflict (the CLI's `run --data`). */
  reuseExisting: z.boolean().optional()
})
export type ImportOptions = z.infer<typeof ImportOptions>
