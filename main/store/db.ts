/** Opens the workbench database: WAL, foreign keys, and the migrations in order. */
import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { migrations } from './migrations.ts'

export type Db = Database.Database

export function openDb(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  migrate(db)
  return db
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number
}

export function migrate(db: Db): number {
  const current = schemaVersion(db)
  if (current > migrations.length) {
    throw new Error(
      `This data folder was written by a newer IUNet Workbench (schema ${current}, this build knows ${migrations.length}). Update the app or use another --data-dir.`
    )
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!)
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
  return schemaVersion(db)
}
