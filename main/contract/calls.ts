/**
 * Every call (request → response) and every event of the API, as zod schemas: main validates each incoming request
 * with the same schema, and the types are inferred from them, so the compiler shows every place a change reaches.
 */
import { z } from 'zod'
import { AppInfo, Settings } from './app.ts'
import {
  AugmentPreview,
  ColumnOverride,
  DatasetDetail,
  DatasetPreview,
  DatasetSchema,
  DatasetSummary,
  ExampleDataset,
  ImageShape,
  ImportOptions
} from './datasets.ts'
import { EpochMetrics, FirstLayerArtifact, ModelResult, Phase, ResultIdFields, RunDetail, RunStatus, RunSummary } from './results.ts'
import { AugmentConfig, ModelKind, Preset, RunConfig } from './runConfig.ts'
import { StudyDetail, StudyMetric, StudyProgress, StudySpec, StudySummary } from './studies.ts'

const Empty = z.object({}).strict()
const Id = z.object({ id: z.string().min(1, 'id is empty') }).strict()
const Ok = z.object({ ok: z.literal(true) })
/** A stored study's analysis; baseline / metric / alpha override the spec's for this answer. */
const StudyAnalysisRequest = z
  .object({ id: z.string().min(1), baseline: ModelKind.optional(), metric: StudyMetric.optional(), alpha: z.number().gt(0).lt(1).optional() })
  .strict()

/** One stored trained model of a run: seed defaults to the lowest stored, ratio to the highest, fold to the first. */
const StoredModelRef = z.object({
  runId: z.string().min(1),
  model: ModelKind,
  seed: z.number().int().min(0).optional(),
  fold: z.number().int().min(0).optional(),
  ratio: z.number().min(1).optional()
})

/** channel → request and response schemas. */
export const calls = {
  'app.info': { req: Empty, res: AppInfo },
  'settings.set': { req: Settings.partial().strict(), res: Settings },
  'datasets.list': { req: Empty, res: z.array(DatasetSummary) },
  'datasets.examples': { req: Empty, res: z.array(ExampleDataset) },
  /** Infer the schema of a file without storing anything. */
  'datasets.inspect': {
    req: z.object({ path: z.string().min(1, 'path is empty'), target: z.string().optional(), imageShape: ImageShape.optional() }).strict(),
    res: DatasetSchema
  },
  /**
   * Upload a dropped file's bytes in chunks (browser mode: the renderer has no file paths). The first chunk
   * (offset 0, no uploadId) starts an upload; later chunks append at `offset`; the answer carries the path main
   * can read once `done`.
   */
  'datasets.upload': {
    req: z
      .object({
        name: z.string().min(1).max(255),
        uploadId: z
          .string()
          .regex(/^[\w-]{8,64}$/, 'uploadId is malformed')
          .optional(),
        offset: z.number().int().min(0).default(0),
        /** base64 of this chunk's bytes. */
        data: z.string().max(16 * 1024 * 1024, 'upload chunk too large (max 12 MB)'),
        done: z.boolean().default(true)
      })
      .strict(),
    res: z.object({ path: z.string(), uploadId: z.string(), received: z.number().int() })
  },
  'datasets.import': { req: ImportOptions.strict(), res: DatasetDetail },
  'datasets.get': { req: Id, res: DatasetDetail },
  'datasets.preview': { req: z.object({ id: z.string().min(1), rows: z.number().int().min(1).max(500).default(20) }).strict(), res: DatasetPreview },
  'datasets.delete': { req: Id, res: Ok },
  /** Saves schema edits (target, column types and roles, name); validated like an import. */
  'datasets.update': {
    req: z
      .object({
        id: z.string().min(1),
        name: z.string().min(1).max(200).optional(),
        target: z.string().min(1).optional(),
        columns: z.array(ColumnOverride).optional()
      })
      .strict(),
    res: DatasetDetail
  },
  /** Image datasets: a few samples with ILO-augmented views, to see what the invariances are. */
  'datasets.augmentPreview': {
    req: z
      .object({
        id: z.string().min(1),
        augment: AugmentConfig,
        count: z.number().int().min(1).max(16).default(6),
        views: z.number().int().min(1).max(8).default(4),
        seed: z.number().int().min(0).default(0)
      })
      .strict(),
    res: AugmentPreview
  },
  'runs.list': { req: Empty, res: z.array(RunSummary) },
  'runs.get': { req: Id, res: RunDetail },
  'runs.defaults': {
    req: z.object({ datasetId: z.string().min(1), preset: Preset }).strict(),
    res: RunConfig
  },
  'runs.start': { req: RunConfig, res: RunSummary },
  /** Continues an interrupted or failed run from its checkpoints; finished tasks are skipped. */
  'runs.resume': { req: Id, res: RunSummary },
  /** Estimated wall time of a run from the latest bench figures (or conservative defaults). */
  'runs.estimate': { req: RunConfig, res: z.object({ seconds: z.number(), basis: z.enum(['bench', 'default']) }) },
  'runs.cancel': { req: Id, res: Ok },
  'runs.delete': { req: Id, res: Ok },
  'runs.metrics': { req: Id, res: z.array(EpochMetrics) },
  'runs.artifacts': { req: Id, res: z.array(FirstLayerArtifact) },
  'studies.list': { req: Empty, res: z.array(StudySummary) },
  /**
   * Prepares (or finds: the same spec over the same datasets is the same study) and starts a study on this
   * process's pool; answers at once, progress follows as study.progress / studies.changed. Finished cells are kept.
   */
  'studies.start': { req: StudySpec, res: StudySummary },
  /** Starts a stored study's unfinished cells again (after studies.cancel, a failed cell or a restart). */
  'studies.resume': { req: Id, res: StudySummary },
  /** Stops a study this process is running: no further cells start, cells training now are cancelled. */
  'studies.cancel': { req: Id, res: StudySummary },
  /** A study's cells and estimated wall time (the sum of each cell's runs.estimate); stored datasets (ids) only. */
  'studies.estimate': {
    req: StudySpec,
    res: z.object({ cells: z.number().int(), tasks: z.number().int(), seconds: z.number(), basis: z.enum(['bench', 'default']) })
  },
  /** A study's cells and its analysis; baseline / metric / alpha override the spec's for this answer. */
  'studies.get': { req: StudyAnalysisRequest, res: StudyDetail },
  /**
   * A study for R, pandas or a paper: the long table (one row per dataset × variant × seed × fold, every grid setting
   * a column, test and validation scores) as CSV, the analysis (studies.get's answer) as JSON, and the
   * critical-difference diagram as SVG (null with fewer than 3 variants or 2 complete datasets).
   */
  'studies.export': {
    req: StudyAnalysisRequest,
    res: z.object({ name: z.string(), csv: z.string(), json: z.string(), svg: z.string().nullable() })
  },
  /** Writes an export bundle (model.onnx, tfjs weights manifest, preprocessing.json, card.md) of one stored trained
   *  model; seed defaults to the lowest stored, ratio to the highest; out defaults to <dataDir>/exports/…. */
  'models.export': {
    req: StoredModelRef.extend({ out: z.string().min(1).optional() }).strict(),
    res: z.object({ dir: z.string(), files: z.array(z.string()) })
  },
  /** The same bundle as a zip (base64) in the answer, written nowhere: for a browser that cannot reach the server's disk. */
  'models.download': {
    req: StoredModelRef.strict(),
    res: z.object({ name: z.string(), zip: z.string(), bytes: z.number().int() })
  },
  /** Predicts the class of every row of a CSV with an export bundle (or a stored model folder). */
  'models.predict': {
    req: z.object({ model: z.string().min(1), data: z.string().min(1), out: z.string().min(1).optional() }).strict(),
    res: z.object({
      rows: z.number().int(),
      classNames: z.array(z.string()),
      out: z.string().nullable(),
      predictions: z.array(z.object({ predicted: z.string(), probabilities: z.array(z.number()) })),
      /** Per categorical column: rows whose value the model never saw, encoded as "other". */
      pooledIntoOther: z.record(z.string(), z.number().int())
    })
  }
} as const

export type Channel = keyof typeof calls
export type Req<C extends Channel> = z.input<(typeof calls)[C]['req']>
export type Res<C extends Channel> = z.infer<(typeof calls)[C]['res']>

// ───────────────────────────── events ─────────────────────────────

export const RunProgress = z.object({
  runId: z.string(),
  ...ResultIdFields,
  phase: Phase,
  epoch: z.number().int(),
  totalEpochs: z.number().int(),
  /** 0..1 over the whole run. */
  runProgress: z.number(),
  etaSeconds: z.number().nullable(),
  metrics: EpochMetrics.nullable()
})
export type RunProgress = z.infer<typeof RunProgress>

export const events = {
  'run.progress': RunProgress,
  'run.status': z.object({ runId: z.string(), status: RunStatus, error: z.string().nullable() }),
  'run.result': z.object({ runId: z.string(), result: ModelResult }),
  'import.progress': z.object({ path: z.string(), bytesRead: z.number(), totalBytes: z.number(), rows: z.number().int() }),
  'datasets.changed': z.object({}),
  'runs.changed': z.object({}),
  'study.progress': StudyProgress,
  'studies.changed': z.object({})
} as const
export type EventName = keyof typeof events
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>
