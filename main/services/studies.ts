/**
 * Study services: a spec → its cells (one run per dataset × grid point) stored as a study, run on the local
 * worker pool a few cells at a time, resumable (finished cells are skipped, unfinished ones start again), with
 * progress events; and the analysis across datasets for `studies.get`.
 */
import {
  ApiError,
  StudySpec,
  type StudyCell,
  type StudyDetail,
  type StudyMetric,
  type StudySpecInput,
  type StudySummary,
  type ModelKind,
  type RunStatus,
  canonicalJson,
  cellKey,
  gridPoints,
  planStudy,
  toCsv
} from '../contract/index.ts'
import type { Store } from '../store/index.ts'
import type { PreparedCell, StoredStudy } from '../store/studies.ts'
import type { DatasetServices } from './datasets.ts'
import type { EventBus } from './events.ts'
import type { RunServices } from './runs.ts'
import { analyzeStudy, variantTable, type AnalysisInput } from './studyAnalysis.ts'
import { studyCdSvg, studyLongTable } from './studyExport.ts'

type AnalysisOptions = { baseline?: ModelKind; metric?: StudyMetric; alpha?: number }
import { studyId } from './studyId.ts'

export interface StudyRunOptions {
  /** Cells trained at once (each cell's seeds × models share the pool). */
  concurrency?: number
}

export function parseStudySpec(input: unknown): StudySpec {
  const r = StudySpec.safeParse(input)
  if (!r.success)
    throw new ApiError('invalid-request', `Invalid study spec: ${r.error.issues.map((i) => `${i.path.join('.') || '(spec)'}: ${i.message}`).join('; ')}`)
  return r.data
}

export function studyServices(ctx: { store: Store; bus: EventBus; datasets: DatasetServices; runs: RunServices }) {
  const { store, bus, datasets, runs } = ctx
  /** Studies this process is running (studies.start answers at once; a second start of one does not run it twice). */
  const active = new Map<string, Promise<StudySummary>>()
  /** Set when the process stops its runs (signals, the app closing): no further cells start. */
  let stopping = false
  /** Studies stopped by studies.cancel: no further cells of theirs start until they are resumed. */
  const cancelled = new Set<string>()

  /** Imports (or finds) the spec's datasets, plans the cells (contract planStudy) and stores the study; the same spec resumes. */
  async function prepare(input: StudySpecInput | StudySpec): Promise<StoredStudy> {
    const spec = parseStudySpec(input)
    const resolved: { id: string; name: string; target?: string }[] = []
    for (const d of spec.datasets) {
      const stored = d.id
        ? datasets.getOrThrow(d.id)
        : await datasets.importFile({ path: d.path!, target: d.target, imageShape: d.imageShape, name: d.name, reuseExisting: true })
      resolved.push({ id: stored.id, name: d.name ?? stored.name, target: d.target })
    }
    const names = new Map(resolved.map((d) => [d.id, d.name]))
    const plan = planStudy(
      spec,
      resolved.map((d) => ({ ...d, defaults: runs.defaults(d.id, spec.preset) }))
    )
    const cells: PreparedCell[] = plan.cells.map(({ datasetId, grid, config }) => ({
      key: cellKey(datasetId, grid),
      datasetId,
      datasetName: names.get(datasetId)!,
      grid,
      config
    }))
    const id = studyId(
      spec,
      resolved.map((d) => d.id)
    )
    const study = store.studies.ensure({ id, name: spec.name, spec, cells })
    bus.emit('studies.changed', {})
    return study
  }

  /** The latest run of each cell (a retried cell has older failed runs too). */
  function latestRuns(id: string): Map<string, { runId: string; status: RunStatus }> {
    const out = new Map<string, { runId: string; status: RunStatus }>()
    for (const r of store.studies.cellRuns(id)) {
      // A finished run stays the cell's answer even if a later retry was made by mistake.
      if (out.get(r.cell)?.status !== 'finished') out.set(r.cell, { runId: r.runId, status: r.status })
    }
    return out
  }

  /** Runs a study's unfinished cells in the background unless this process is already running it. */
  function launch(study: StoredStudy): StudySummary {
    if (!active.has(study.id) && !stopping) {
      cancelled.delete(study.id)
      const finished = runStudy(study).finally(() => {
        active.delete(study.id)
        bus.emit('studies.changed', {})
      })
      finished.catch(() => undefined)
      active.set(study.id, finished)
    }
    return summary(study)
  }

  function getOrThrow(id: string): StoredStudy {
    const s = store.studies.get(id)
    if (!s) throw new ApiError('not-found', `No study with id ${id}.`)
    return s
  }

  function summary(s: StoredStudy): StudySummary {
    const latest = latestRuns(s.id)
    return {
      id: s.id,
      name: s.name,
      createdAt: s.createdAt,
      cells: s.cells.length,
      finishedCells: s.cells.filter((c) => latest.get(c.key)?.status === 'finished').length,
      datasets: new Set(s.cells.map((c) => c.datasetId)).size,
      active: active.has(s.id)
    }
  }

  /**
   * Runs every cell without a finished run, `concurrency` at a time. A cell whose earlier run failed or was
   * interrupted starts a new run (the old one stays, for its error message).
   */
  async function runStudy(study: StoredStudy, opts: StudyRunOptions = {}): Promise<StudySummary> {
    const latest = latestRuns(study.id)
    const todo = study.cells.filter((c) => latest.get(c.key)?.status !== 'finished')
    let cellsDone = study.cells.length - todo.length
    const total = study.cells.length
    bus.emit('study.progress', { studyId: study.id, cellsDone, cells: total, cell: null, status: null })
    const failures: string[] = []
    let next = 0
    const worker = async () => {
      while (next < todo.length && !stopping && !cancelled.has(study.id)) {
        const cell = todo[next++]!
        const prior = latest.get(cell.key)
        if (prior && (prior.status === 'running' || prior.status === 'queued') && runs.isActive(prior.runId)) continue
        const { summary: run, finished } = await runs.start(cell.config)
        store.studies.attachRun(run.id, study.id, cell.key)
        // Cancelled while this cell's run was being created: stop it too.
        if (cancelled.has(study.id)) runs.cancel(run.id)
        bus.emit('study.progress', { studyId: study.id, cellsDone, cells: total, cell: cell.key, status: 'running' })
        await finished
        const status = store.runs.get(run.id)?.status ?? 'failed'
        if (status === 'finished') cellsDone++
        else
          failures.push(
            `${cell.datasetName}${Object.keys(cell.grid).length ? ` (${canonicalJson(cell.grid)})` : ''}: ${status}${store.runs.get(run.id)?.error ? ` — ${store.runs.get(run.id)!.error}` : ''}`
          )
        bus.emit('study.progress', { studyId: study.id, cellsDone, cells: total, cell: cell.key, status })
        bus.emit('studies.changed', {})
      }
    }
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 2) }, worker))
    const s = summary(study)
    if (failures.length)
      throw new ApiError('internal', `${failures.length} of ${total} cells did not finish (run the study again to retry them):\n${failures.join('\n')}`)
    return s
  }

  function cellsOf(s: StoredStudy): StudyCell[] {
    const latest = latestRuns(s.id)
    return s.cells.map((c, index) => ({
      index,
      key: c.key,
      datasetId: c.datasetId,
      datasetName: c.datasetName,
      grid: c.grid,
      runId: latest.get(c.key)?.runId ?? null,
      status: latest.get(c.key)?.status ?? null
    }))
  }

  /** What the analysis of a stored study reads: its datasets and each finished cell's results. */
  function analysisInput(s: StoredStudy, opts: AnalysisOptions): AnalysisInput {
    const cells = cellsOf(s)
    const datasets = [...new Map(s.cells.map((c) => [c.datasetId, { id: c.datasetId, name: c.datasetName }])).values()]
    const dIndex = new Map(datasets.map((d, i) => [d.id, i]))
    return {
      datasets,
      points: gridPoints(s.spec.grid),
      grid: s.spec.grid,
      models: s.spec.models,
      cells: cells.map((c) => ({
        datasetIndex: dIndex.get(c.datasetId)!,
        grid: c.grid,
        results: c.runId && c.status === 'finished' ? store.results.results(c.runId) : null
      })),
      metric: opts.metric ?? s.spec.metric,
      baseline: opts.baseline ?? s.spec.baseline ?? (s.spec.models.includes('mlp') ? 'mlp' : s.spec.models[0]!),
      alpha: opts.alpha ?? 0.05
    }
  }

  function get(id: string, opts: AnalysisOptions = {}): StudyDetail {
    const s = getOrThrow(id)
    const input = analysisInput(s, opts)
    const analysis = analyzeStudy(input)
    return { ...summary(s), spec: s.spec, metric: input.metric, alpha: input.alpha, cellList: cellsOf(s), datasetList: input.datasets, ...analysis }
  }

  /** The study for other tools: the long table (CSV), the analysis (JSON) and the CD diagram (SVG, when there is one). */
  function exportStudy(id: string, opts: AnalysisOptions = {}) {
    const s = getOrThrow(id)
    const detail = get(id, opts)
    const long = studyLongTable(detail, variantTable(analysisInput(s, opts)))
    return {
      name: `study-${s.id}`,
      csv: toCsv(long.header, long.rows),
      json: JSON.stringify(detail, null, 2) + '\n',
      svg: studyCdSvg(detail)
    }
  }

  /** The study's cells and training tasks (contract planStudy, as `prepare` plans them) and its estimated time; stores nothing. */
  function estimate(input: StudySpecInput | StudySpec): { cells: number; tasks: number; seconds: number; basis: 'bench' | 'default' } {
    const spec = parseStudySpec(input)
    const plan = planStudy(
      spec,
      spec.datasets.map((d) => {
        if (!d.id) throw new ApiError('invalid-request', 'A study estimate needs stored datasets (ids): import the files first.')
        const stored = datasets.getOrThrow(d.id)
        return { id: d.id, name: d.name ?? stored.name, target: d.target, defaults: runs.defaults(d.id, spec.preset) }
      })
    )
    let seconds = 0
    let basis: 'bench' | 'default' = 'default'
    for (const { config } of plan.cells) {
      const e = runs.estimate(config)
      seconds += e.seconds
      basis = e.basis
    }
    return { cells: plan.cells.length, tasks: plan.tasks, seconds, basis }
  }

  return {
    prepare,
    estimate,
    /**
     * Prepares (or finds) the study and starts its unfinished cells in the background; answers its summary at once.
     * A study this process is already running is not started twice. Failed cells show as failed runs.
     */
    async start(input: StudySpecInput | StudySpec): Promise<StudySummary> {
      return launch(await prepare(input))
    },
    /** Starts the unfinished cells of a stored study again (after a cancel, a failure or a restart of the app). */
    resume(id: string): StudySummary {
      return launch(getOrThrow(id))
    },
    /**
     * Stops a study this process is running: no further cells start, and the cells training now are cancelled
     * (their runs end as 'cancelled'; finished cells are kept, and studies.resume trains the rest).
     */
    cancel(id: string): StudySummary {
      const s = getOrThrow(id)
      if (!active.has(id)) throw new ApiError('conflict', `Study "${s.name}" is not running in this process, so there is nothing to stop.`)
      cancelled.add(id)
      for (const { runId } of latestRuns(id).values()) if (runs.isActive(runId)) runs.cancel(runId)
      bus.emit('studies.changed', {})
      return summary(s)
    },
    /** Settles when the study `id` started by `start` in this process has ended (at once otherwise). */
    async whenFinished(id: string): Promise<void> {
      await active.get(id)?.catch(() => undefined)
    },
    /** No further cells start (runs already training are stopped by the run services). */
    stop() {
      stopping = true
    },
    /** Prepares (or finds) the study and starts its cells; `finished` settles when every cell has ended. */
    async run(input: StudySpecInput | StudySpec, opts: StudyRunOptions = {}): Promise<{ study: StoredStudy; finished: Promise<StudySummary> }> {
      const study = await prepare(input)
      return { study, finished: runStudy(study, opts) }
    },
    list: (): StudySummary[] => store.studies.list().map(summary),
    get,
    export: exportStudy,
    getOrThrow,
    latestRuns
  }
}
export type StudyServices = ReturnType<typeof studyServices>
