/**
 * The Node worker's side of the job host (jobHost.ts): the backends tfjs has in Node, BLAS threads for the native
 * kernels, train data read from the task's data folder (one table and a few prepared splits cached: consecutive
 * jobs of a run reuse them), and checkpoints written to the task's folder.
 */
import { initBackend } from '../engine/backend.ts'
import { setBlasThreads } from '../engine/kernels/native.ts'
import { loadTable, prepare } from '../data/index.ts'
import type { SerializedPreprocessor } from '../data/preprocess.ts'
import type { PreparedData } from '../engine/types.ts'
import { loadTaskCheckpoint, saveTaskCheckpoint } from './checkpoint.ts'
import type { HostAdapter } from './jobHost.ts'
import type { TrainTask } from './protocol.ts'

type Prepared = PreparedData & { preprocessor: SerializedPreprocessor }

/** How many prepared splits stay cached (a run's models share a seed's split; a few seeds or folds alternate). */
const PREPARED_CACHE = 4

export function nodeHostAdapter(): HostAdapter<TrainTask> {
  let cachedTable: { dir: string; table: Awaited<ReturnType<typeof loadTable>> } | null = null
  const preparedCache = new Map<string, Prepared>()

  async function preparedFor(task: TrainTask): Promise<Prepared> {
    const maxRows = task.config.maxRows ?? undefined
    const key = JSON.stringify([
      task.datasetDir,
      task.seed,
      task.fold ?? null,
      task.config.split,
      maxRows,
      task.schema.target,
      task.schema.columns.map((c) => [c.name, c.type, c.role])
    ])
    const hit = preparedCache.get(key)
    if (hit) return hit
    // The machine's shared copy when main sent one; else this worker reads the folder (and keeps it for the next job).
    let table = task.table
    if (!table) {
      if (cachedTable?.dir !== task.datasetDir) cachedTable = { dir: task.datasetDir, table: await loadTable(task.datasetDir) }
      table = cachedTable.table
    } else cachedTable = null
    // The split and the preprocessing depend on the seed (and fold) only: every model of a seed sees the same data.
    const prepared = prepare(table, task.schema, task.config.split, task.seed, { maxRows, fold: task.fold })
    if (preparedCache.size >= PREPARED_CACHE) preparedCache.delete(preparedCache.keys().next().value!)
    preparedCache.set(key, prepared)
    return prepared
  }

  return {
    initBackend: (choice, workers) => initBackend(choice, { workers }),
    setThreads: setBlasThreads,
    prepare: preparedFor,
    checkpoints(task) {
      const dir = task.checkpointDir
      return dir ? { load: () => loadTaskCheckpoint(dir), save: (c) => saveTaskCheckpoint(dir, c) } : null
    }
  }
}
