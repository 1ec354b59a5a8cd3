/** Dataset rows. The table data itself lives in `storage_dir` (written by data/saveTable). */
import type { DatasetDetail, DatasetSchema, DatasetSummary } from '../contract/index.ts'
import type { Db } from './db.ts'

interface Row {
  id: string
  name: string
  kind: 'tabular' | 'image'
  hash: string
  source_path: string
  size_bytes: number
  rows: number
  schema_json: string
  storage_dir: string
  created_at: string
}

export interface NewDataset {
  id: string
  name: string
  hash: string
  sourcePath: string
  sizeBytes: number
  schema: DatasetSchema
  storageDir: string
}

function toDetail(r: Row): DatasetDetail & { storageDir: string } {
  const schema = JSON.parse(r.schema_json) as DatasetSchema
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    rows: r.rows,
    features: schema.columns.filter((c) => c.role === 'feature').length,
    classes: schema.classes.length,
    target: schema.target,
    imageShape: schema.imageShape,
    sourcePath: r.source_path,
    hash: r.hash,
    sizeBytes: r.size_bytes,
    createdAt: r.created_at,
    schema,
    storageDir: r.storage_dir
  }
}

export function summaryOf(d: DatasetDetail & { storageDir?: string }): DatasetSummary {
  const { schema: _schema, storageDir: _dir, ...summary } = d
  return summary
}

export function datasetsRepo(db: Db) {
  const byId = db.prepare<[string], Row>('SELECT * FROM datasets WHERE id = ?')
  const byHash = db.prepare<[string], Row>('SELECT * FROM datasets WHERE hash = ?')
  return {
    insert(d: NewDataset, now = new Date()): DatasetDetail & { storageDir: string } {
      db.prepare(
        `INSERT INTO datasets (id, name, kind, hash, source_path, size_bytes, rows, schema_json, storage_dir, created_at)
         VALUES (@id, @name, @kind, @hash, @sourcePath, @sizeBytes, @rows, @schemaJson, @storageDir, @createdAt)`
      ).run({
        id: d.id,
        name: d.name,
        kind: d.schema.kind,
        hash: d.hash,
        sourcePath: d.sourcePath,
        sizeBytes: d.sizeBytes,
        rows: d.schema.rows,
        schemaJson: JSON.stringify(d.schema),
        storageDir: d.storageDir,
        createdAt: now.toISOString()
      })
      return toDetail(byId.get(d.id)!)
    },
    get(id: string) {
      const r = byId.get(id)
      return r ? toDetail(r) : null
    },
    findByHash(hash: string) {
      const r = byHash.get(hash)
      return r ? toDetail(r) : null
    },
    list() {
      return db.prepare<[], Row>('SELECT * FROM datasets ORDER BY created_at DESC, rowid DESC').all().map(toDetail)
    },
    updateSchema(id: string, schema: DatasetSchema) {
      db.prepare('UPDATE datasets SET schema_json = ?, kind = ? WHERE id = ?').run(JSON.stringify(schema), schema.kind, id)
    },
    rename(id: string, name: string) {
      db.prepare('UPDATE datasets SET name = ? WHERE id = ?').run(name, id)
    },
    delete(id: string): boolean {
      return db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes > 0
    },
    runCount(id: string): number {
      return (db.prepare('SELECT count(*) AS n FROM runs WHERE dataset_id = ?').get(id) as { n: number }).n
    }
  }
}
export type DatasetsRepo = ReturnType<typeof datasetsRepo>
