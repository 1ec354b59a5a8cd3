/**
 * Where the workbench keeps things on disk, told once. Everything that touches the data folder or a study folder
 * asks here; lower floors (data, store, workers) are handed the paths they need.
 *
 * The data folder (`--data-dir`, IUNET_DATA_DIR, or the app's userData folder):
 *   workbench.sqlite                                   the store (its file name is the store's: DB_FILE)
 *   datasets/<datasetId>/                              a dataset's stored table (data/tablefile)
 *   datasets/.tmp-import-<id>/                         an import in progress, renamed to its id when complete
 *   uploads/<uploadId>/<file>                          a file sent by a browser, until it is imported
 *   runs/<runId>/checkpoints/<task>/state.ckpt         a training task's checkpoint while it trains (<task> below)
 *   runs/<runId>/models/<model>__seed<s>[__fold<f>]__r<ratio>/   the weights of a trained model
 *   exports/<runId>/<model>__seed<s>[__fold<f>]__r<ratio>/        export bundles written without --out
 *
 * A study folder for a cluster (see studyFolder.ts):
 *   study.json · datasets/<id>/ · results/<i>.json · results/<i>.error.json · logs/ · jobs.json · job.sh
 *   checkpoints/<i>/<task>/                            cell i's task checkpoints (and its epoch log) while it trains
 *   partial/<i>/<task key>.json                        cell i's finished tasks, until the cell's result is written
 *
 * <task> is <model>__seed<s>, or <model>__seed<s>/fold<f> with repeated k-fold.
 */
import { join } from 'node:path'
import type { ModelKind, TaskId } from '../contract/index.ts'
import { DB_FILE } from '../store/index.ts'

/** A task's checkpoint folder relative to a checkpoints root. */
export function taskCheckpointPath(t: TaskId): string {
  const seedDir = `${t.model}__seed${t.seed}`
  return t.fold === undefined ? seedDir : join(seedDir, `fold${t.fold}`)
}

/** The folder name of one trained model (a run's model store and export bundles). */
export function modelFolderName(model: ModelKind, seed: number, compression: number, fold?: number): string {
  return `${model}__seed${seed}${fold === undefined ? '' : `__fold${fold}`}__r${compression}`
}

/** What a model folder's name says (null: not a model folder). */
export function parseModelFolderName(name: string): { model: string; seed: number; fold: number | undefined; ratio: number } | null {
  const m = /^(.+)__seed(\d+)(?:__fold(\d+))?__r([\d.e+-]+)$/.exec(name)
  return m ? { model: m[1]!, seed: Number(m[2]), fold: m[3] === undefined ? undefined : Number(m[3]), ratio: Number(m[4]) } : null
}

/** The data folder's paths. */
export function dataLayout(dataDir: string) {
  const runs = join(dataDir, 'runs')
  const run = (runId: string) => join(runs, runId)
  const checkpoints = (runId: string) => join(run(runId), 'checkpoints')
  const models = (runId: string) => join(run(runId), 'models')
  return {
    root: dataDir,
    database: join(dataDir, DB_FILE),
    datasets: join(dataDir, 'datasets'),
    dataset: (datasetId: string) => join(dataDir, 'datasets', datasetId),
    uploads: join(dataDir, 'uploads'),
    upload: (uploadId: string) => join(dataDir, 'uploads', uploadId),
    exports: join(dataDir, 'exports'),
    runs,
    run,
    checkpoints,
    taskCheckpoint: (runId: string, t: TaskId) => join(checkpoints(runId), taskCheckpointPath(t)),
    models,
    model: (runId: string, folder: string) => join(models(runId), folder),
    /** Where `models.export` writes a bundle when no folder is given. */
    exportBundle: (runId: string, folder: string) => join(dataDir, 'exports', runId, folder)
  }
}
export type DataLayout = ReturnType<typeof dataLayout>

/** A study folder's paths (its root resolved by the caller). */
export function studyFolderLayout(root: string) {
  const checkpoints = (cell: number) => join(root, 'checkpoints', String(cell))
  const partial = (cell: number) => join(root, 'partial', String(cell))
  return {
    root,
    study: join(root, 'study.json'),
    jobs: join(root, 'jobs.json'),
    jobScript: join(root, 'job.sh'),
    logs: join(root, 'logs'),
    /** The per-array-task log file pattern Slurm fills in (%A job id, %a array index). */
    slurmLog: join(root, 'logs', '%A_%a.out'),
    /** Relative to the root: the folder a dataset is copied to. */
    datasetRel: (datasetId: string) => join('datasets', datasetId),
    datasets: join(root, 'datasets'),
    results: join(root, 'results'),
    result: (cell: number) => join(root, 'results', `${cell}.json`),
    error: (cell: number) => join(root, 'results', `${cell}.error.json`),
    checkpoints,
    taskCheckpoint: (cell: number, t: TaskId) => join(checkpoints(cell), taskCheckpointPath(t)),
    partial,
    /** A finished task of a cell, kept until the cell's result file is written. */
    partialTask: (cell: number, key: string) => join(partial(cell), `${key.replace(/\//g, '__')}.json`)
  }
}
export type StudyFolderLayout = ReturnType<typeof studyFolderLayout>
