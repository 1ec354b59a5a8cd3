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

/**
 * The file format a dataset was read from. Stored with the dataset: the vision presets read it (SVHN's digits
 * are not flipped, CIFAR's natural images are), and the UI names it.
 */
export const DataFormat = z.enum(['csv', 'arff', 'parquet', 'idx', 'image-folder', 'cifar-10', 'cifar-100', 'svhn'])
export type DataFormat = z.infer<typeof DataFormat>

/** Per-channel pixel mean and standard deviation on the 0..1 scale (pixel / 255), channel order R, G, B (or grey). */
export const ChannelStats = z.object({ mean: z.array(z.number()), std: z.array(z.number()) })
export type ChannelStats = z.infer<typeof ChannelStats>

export const DatasetSchema = z.object({
  kind: DatasetKind,
  /** Absent on datasets stored before formats were recorded (they came from CSV, IDX or an image folder). */
  format: DataFormat.optional(),
  /**
   * The file's own train/test split (CIFAR's data_batch/test_batch, SVHN's train/test files): row counts of each
   * part. A run keeps it — the test part is the test split, validation is cut from the train part — and refuses
   * k-fold, which would train on the published test rows.
   */
  publishedSplit: z.object({ train: z.number().int().nonnegative(), test: z.number().int().nonnegative() }).optional(),
  /**
   * Image datasets with an image block: per-channel statistics of the pixels (of the published train part when
   * there is one, else of every image), for showing the normalisation (imageNormalization) next to the data.
   */
  imageStats: ChannelStats.optional(),
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

/** The formats the one import reads, in words (CLI help, the drop zone). */
export const IMPORT_FORMATS =
  'CSV or ARFF (also .gz), Parquet, IDX images, an image folder (one sub-folder per class), CIFAR-10/100 binary batches (folder or .tar.gz), SVHN .mat files (a file or a folder)'

/**
 * What the file picker offers (the import itself detects a format from the content, not from the name). CIFAR and
 * SVHN also come as folders (data_batch_1.bin…, train_32x32.mat…), which a file picker cannot choose: drop them.
 */
export const IMPORT_ACCEPT = [
  '.csv',
  '.tsv',
  '.txt',
  '.gz',
  '.arff',
  '.parquet',
  '.pq',
  '.mat',
  '.bin',
  '.tgz',
  '.tar',
  '.idx',
  '.idx1-ubyte',
  '.idx3-ubyte',
  '.ubyte'
].join(',')

export const ImportOptions = z.object({
  /**
   * Absolute path of a CSV, ARFF or Parquet file (CSV and ARFF also gzipped), an IDX file (.gz or not), a folder of
   * class sub-folders of images, CIFAR-10/100 binary batches (folder, or the .tar.gz as distributed) or SVHN
   * format-2 .mat files (a file, or a folder with train_32x32.mat and test_32x32.mat).
   */
  path: z.string().min(1, 'path is empty'),
  target: z.string().min(1).optional(),
  imageShape: ImageShape.optional(),
  columns: z.array(ColumnOverride).optional(),
  name: z.string().min(1).max(200).optional(),
  /** When the same file is already stored, return that dataset instead of a conflict (the CLI's `run --data`). */
  reuseExisting: z.boolean().optional()
})
export type ImportOptions = z.infer<typeof ImportOptions>
