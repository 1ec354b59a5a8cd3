/** The store: one SQLite file in the data folder, reached only through these repositories. */
import { join } from 'node:path'
import { openDb, type Db } from './db.ts'
import { datasetsRepo } from './datasets.ts'
import { runsRepo } from './runs.ts'
import { resultsRepo } from './results.ts'
import { settingsRepo } from './settings.ts'
import { studiesRepo } from './studies.ts'

/** The store's file in the data folder (services/layout.ts lists the whole folder). */
export const DB_FILE = 'workbench.sqlite'

export function openStore(dataDir: string) {
  const db = openDb(dataDir === ':memory:' ? ':memory:' : join(dataDir, DB_FILE))
  return {
    db,
    datasets: datasetsRepo(db),
    runs: runsRepo(db),
    results: resultsRepo(db),
    settings: settingsRepo(db),
    studies: studiesRepo(db),
    transaction<T>(fn: () => T): T {
      return db.transaction(fn)()
    },
    close() {
      db.close()
    }
  }
}
export type Store = ReturnType<typeof openStore>
export type { Db }
