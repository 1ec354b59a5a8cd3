/**
 * Run housekeeping: the heartbeat that tells other processes this one's runs are alive, which tasks of a run are
 * finished (every result stored), and the start-up sweep of checkpoint folders nobody needs any more.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { type RunConfig, resultKey, runResults, runTasks, taskKey, taskOf } from '../contract/index.ts'
import { removeTempFiles } from '../lib/atomic.ts'
import type { Store } from '../store/index.ts'
import type { RunOwner } from '../store/runs.ts'
import { taskCheckpointPath, type DataLayout } from './layout.ts'

/** A live owner beats this often; a run whose owner has been silent for STALE_MS counts as orphaned. */
export const HEARTBEAT_MS = 5000
export const STALE_MS = 30_000

/** Heartbeats while this process runs anything, so other processes see its runs are alive. */
export function ownerHeartbeat(store: Store, owner: RunOwner) {
  let timer: ReturnType<typeof setInterval> | null = null
  return {
    /** Beats while `running` > 0; stops when nothing runs. */
    sync(running: number) {
      if (running > 0 && !timer) {
        timer = setInterval(() => {
          try {
            store.runs.heartbeat(owner.instance)
          } catch {
            // The store is closing; the next start judges the runs by pid and heartbeat age anyway.
          }
        }, HEARTBEAT_MS)
        timer.unref()
      } else if (running === 0 && timer) {
        clearInterval(timer)
        timer = null
      }
    }
  }
}

/** Keys of the tasks of a run whose results are all stored (every ratio of a pruned model). */
export function finishedTasks(store: Store, runId: string, config: RunConfig): Set<string> {
  const have = new Set(store.results.results(runId).map(resultKey))
  const missing = new Set(
    runResults(config)
      .filter((r) => !have.has(resultKey(r)))
      .map((r) => taskKey(taskOf(r)))
  )
  return new Set(
    runTasks(config)
      .map(taskKey)
      .filter((k) => !missing.has(k))
  )
}

const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true })

/** Every folder below `root` down to `depth` levels, relative to it. */
function foldersUnder(root: string, depth: number, prefix = ''): string[] {
  if (depth === 0 || !existsSync(join(root, prefix))) return []
  return readdirSync(join(root, prefix), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => {
      const rel = prefix ? join(prefix, e.name) : e.name
      return [rel, ...foldersUnder(root, depth - 1, rel)]
    })
}

/**
 * Start-up housekeeping (after orphaned runs are marked interrupted): checkpoint folders of deleted runs go,
 * finished and cancelled runs keep none, resumable runs keep only their unfinished tasks', and temp files a crash
 * left behind are removed. Runs a live process owns are not touched.
 */
export function sweepCheckpoints(store: Store, layout: DataLayout): { removed: number } {
  if (!existsSync(layout.runs)) return { removed: 0 }
  let removed = 0
  for (const e of readdirSync(layout.runs, { withFileTypes: true })) {
    if (!e.isDirectory()) continue
    const r = store.runs.get(e.name)
    if (!r) {
      removeDir(layout.run(e.name))
      removed++
      continue
    }
    if (r.status === 'running' || r.status === 'queued') continue
    const root = layout.checkpoints(r.id)
    if (!existsSync(root)) continue
    if (r.status === 'finished' || r.status === 'cancelled') {
      removeDir(root)
      removed++
      continue
    }
    removed += removeTempFiles(root)
    // Kept: the folders of unfinished tasks and the folders above them (<model>__seed<s> holds fold<f>).
    const finished = finishedTasks(store, r.id, r.config)
    const keep = new Set<string>()
    for (const t of runTasks(r.config).filter((t) => !finished.has(taskKey(t)))) {
      const path = taskCheckpointPath(t)
      keep.add(path)
      keep.add(path.split(/[\\/]/)[0]!)
    }
    // Deepest first, so a folder's removal never hides one below it from the count.
    for (const rel of foldersUnder(root, 2).reverse()) {
      if (keep.has(rel) || !existsSync(join(root, rel))) continue
      removeDir(join(root, rel))
      removed++
    }
  }
  return { removed }
}
